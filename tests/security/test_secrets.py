"""Secrets typed as answers never reach staff, Rasa's tracker or analytics in clear (issue 15,
items 4, 5 and 8). Before the fix the agent console showed the bare PIN, the date of birth and a
CVV read as an "amount" entity; the dashboard listed PINs as missed questions; and Rasa's HTTP
API answered anyone on the machine without a token."""
from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.security.conftest import INTERNAL_TOKEN, say, session_token, start, texts

pytestmark = pytest.mark.stack


def staff(http: httpx.Client, username: str) -> dict[str, str]:
    token = http.post("/agent/login", json={"username": username, "password": f"{username}-demo-pass"}).json()["token"]
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def handed_off(secure_stack) -> dict:
    """An anonymous chat: identification by date of birth after a wrong PIN, a CVV typed where it
    should not be, then a request for a person, claimed by an agent."""
    with secure_stack.client() as http:
        sender = start(http)
        say(http, sender, "I need to check my balance")
        say(http, sender, "10000004")
        assert "verified" not in texts(say(http, sender, "9999"))  # a wrong PIN, then the date of birth
        say(http, sender, "10000004")
        replies = say(http, sender, "19 July 2001")
        assert "verified" in texts(replies)
        token = session_token(replies)  # the credential itself is tested in test_identification.py
        customer = {"Authorization": f"Bearer {token}"} if token else {}
        say(http, sender, "my CVV is 739", customer)
        replies = say(http, sender, "I want to talk to a real person", customer)
        entry = next(r["custom"]["handoff"]["entry_id"] for r in replies if "handoff" in (r.get("custom") or {}))
        agent = staff(http, "agent")
        assert http.post(f"/agent/conversations/{entry}/claim", headers=agent).status_code == 200
        seen = http.get(f"/agent/conversations/{entry}", headers=agent).json()
        own = http.get(f"/api/conversations/{sender}/transcript", headers=customer).json()
    return {"sender": sender, "agent_view": seen, "customer_view": own}


SECRETS = ["9999", "19 July 2001", "739"]


def words(value: object, skip: frozenset[str] = frozenset({"conversation_id", "created_at", "ts"})) -> str:
    """Every text an agent reads in a JSON view (ids and timestamps left out: they hold digits)."""
    if isinstance(value, dict):
        return " ".join(words(v) for k, v in value.items() if k not in skip)
    if isinstance(value, list):
        return " ".join(words(v) for v in value)
    return value if isinstance(value, str) else ""


def test_the_agent_console_shows_placeholders_not_secrets(handed_off):
    shown = words(handed_off["agent_view"])
    for secret in SECRETS:
        assert secret not in shown, secret
    assert "[PIN or date of birth]" in shown


def test_not_even_the_customers_own_transcript_keeps_a_secret(handed_off):
    kept = [t["text"] for t in handed_off["customer_view"]["turns"] if t["speaker"] == "customer"]
    assert "9999" not in kept and "19 July 2001" not in kept
    assert kept.count("[PIN or date of birth]") == 2


def test_rasas_tracker_never_held_the_secret(secure_stack, handed_off):
    rasa = f"http://127.0.0.1:{secure_stack.rasa_port}/conversations/{handed_off['sender']}/tracker"
    assert httpx.get(rasa, timeout=30).status_code == 401  # no token: nothing
    tracker = httpx.get(rasa, params={"token": INTERNAL_TOKEN}, timeout=30)
    assert tracker.status_code == 200
    for secret in ("9999", "19 July 2001"):
        assert secret not in tracker.text


def test_rasas_api_refuses_a_caller_without_the_token(secure_stack, handed_off):
    events = f"http://127.0.0.1:{secure_stack.rasa_port}/conversations/{handed_off['sender']}/tracker/events"
    reset = httpx.post(events, json=[{"event": "slot", "name": "identity_locked", "value": False}], timeout=30)
    assert reset.status_code == 401


def test_supervisor_analytics_never_list_a_secret(secure_stack, handed_off):
    with secure_stack.client() as http:
        sender = start(http)
        say(http, sender, "4821")  # a PIN typed out of turn: not a question to teach
        token = http.post("/api/analytics/login",
                          json={"username": "supervisor", "password": "supervisor-demo-pass"}).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        summary = http.get("/api/analytics/summary", headers=headers)
        missed = http.get("/api/analytics/missed-questions", headers=headers)
    assert summary.status_code == 200 and missed.status_code == 200
    for secret in [*SECRETS, "4821"]:
        assert secret not in json.dumps(summary.json()["unrecognised"]) + missed.text, secret


def test_no_local_user_reads_rasas_token_from_the_process_list(secure_stack):
    cmdline = Path(f"/proc/{secure_stack.rasa_pid()}/cmdline").read_bytes()
    assert INTERNAL_TOKEN.encode() not in cmdline and b"run" in cmdline
