"""One real stack for the security tests (they lock customers out and move nothing else)."""
from __future__ import annotations

import httpx
import pytest

from tests.stack.running import Stack, run_stack

pytestmark = pytest.mark.stack
INTERNAL_TOKEN = "security-tests-internal-token"  # fixed here so the tests can ask Rasa as the app does


@pytest.fixture(scope="session")
def secure_stack(tmp_path_factory: pytest.TempPathFactory):
    with run_stack(tmp_path_factory.mktemp("security"), {"BANKBOT_INTERNAL_TOKEN": INTERNAL_TOKEN}) as running:
        yield running


@pytest.fixture()
def http(secure_stack: Stack):
    with secure_stack.client() as client:
        yield client


def start(http: httpx.Client, headers: dict[str, str] | None = None) -> str:
    response = http.post("/api/conversations", json={"channel": "rest"}, headers=headers or {})
    assert response.status_code == 201, response.text
    return response.json()["conversation_id"]


def say(http: httpx.Client, sender: str, text: str, headers: dict[str, str] | None = None) -> list[dict]:
    response = http.post("/webhooks/rest/webhook", json={"sender": sender, "message": text}, headers=headers or {})
    assert response.status_code == 200, response.text
    return response.json()


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def session_token(replies: list[dict]) -> str | None:
    """The credential the gateway hands the client when the customer identifies in the chat."""
    return next(((r.get("custom") or {}).get("session", {}).get("token") for r in replies
                 if (r.get("custom") or {}).get("session")), None)


def identify(http: httpx.Client, number: str, secret: str) -> tuple[str, list[dict]]:
    """A fresh anonymous chat that asks for the balance and answers the identification questions."""
    sender = start(http)
    say(http, sender, "what's my balance")
    say(http, sender, number)
    return sender, say(http, sender, secret)
