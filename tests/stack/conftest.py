"""Start the real product (gateway + NLU + actions + a real Rasa server) once per test session."""
from __future__ import annotations

import httpx
import pytest

from tests.stack.running import ROOT, Stack, free_port, run_stack  # noqa: F401 - used by the tests


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory):
    with run_stack(tmp_path_factory.mktemp("stack")) as running:
        yield running


@pytest.fixture()
def http(stack: Stack):
    with stack.client() as client:
        yield client


def login(http: httpx.Client, username: str, password: str) -> dict[str, str]:
    response = http.post("/api/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def start(http: httpx.Client, headers: dict[str, str] | None = None) -> str:
    response = http.post("/api/conversations", json={"channel": "rest"}, headers=headers or {})
    assert response.status_code == 201, response.text
    return response.json()["conversation_id"]


def say(http: httpx.Client, sender: str, text: str, headers: dict[str, str] | None = None) -> list[str]:
    response = http.post("/webhooks/rest/webhook", json={"sender": sender, "message": text},
                         headers=headers or {})
    assert response.status_code == 200, response.text
    return [message.get("text", "") for message in response.json()]


def turn(http: httpx.Client, sender: str, text: str,
         headers: dict[str, str]) -> tuple[list[dict], dict[str, str]]:
    """One message as a client would send it: the replies, and the headers for the next message
    (when the customer identified in the chat, the conversation's token the reply carries)."""
    response = http.post("/webhooks/rest/webhook", json={"sender": sender, "message": text}, headers=headers)
    assert response.status_code == 200, response.text
    replies = response.json()
    for reply in replies:
        if session := (reply.get("custom") or {}).get("session"):
            headers = {"Authorization": f"Bearer {session['token']}"}
    return replies, headers
