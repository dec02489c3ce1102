"""Malformed, oversized and unauthorised requests get a clear 4xx and change nothing."""
from __future__ import annotations

import pytest

from tests.stack.conftest import login, say, start

pytestmark = pytest.mark.stack


def transcript_length(http, sender: str, headers=None) -> int:
    return len(http.get(f"/api/conversations/{sender}/transcript", headers=headers or {}).json()["turns"])


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 422),
        (b'{"sender": "x"}', 422),
        (b'{"message": "hi"}', 422),
        (b'["sender", "message"]', 422),
    ],
)
def test_malformed_payloads_are_rejected(http, body, status):
    response = http.post("/webhooks/rest/webhook", content=body,
                         headers={"Content-Type": "application/json"})
    assert response.status_code == status
    assert response.json()["detail"]


def test_bad_messages_store_nothing_and_the_server_keeps_serving(http):
    sender = start(http)
    say(http, sender, "hello")
    before = transcript_length(http, sender)
    huge = http.post("/webhooks/rest/webhook", json={"sender": sender, "message": "a" * 1_000_000})
    assert huge.status_code == 413 and "larger than" in huge.json()["detail"]
    long_text = http.post("/webhooks/rest/webhook", json={"sender": sender, "message": "a" * 5000})
    assert long_text.status_code == 413
    empty = http.post("/webhooks/rest/webhook", json={"sender": sender, "message": "   "})
    assert empty.status_code == 422 and empty.json()["detail"] == "message is empty"
    assert transcript_length(http, sender) == before
    assert say(http, sender, "hello")


def test_unknown_sender_is_refused(http):
    response = http.post("/webhooks/rest/webhook", json={"sender": "not-a-conversation", "message": "hi"})
    assert response.status_code == 404
    assert "unknown conversation" in response.json()["detail"]


def test_invalid_token_is_refused_and_stores_nothing(http):
    sender = start(http)
    response = http.post("/webhooks/rest/webhook", json={"sender": sender, "message": "balance"},
                         headers={"Authorization": "Bearer forged-token"})
    assert response.status_code == 401
    assert transcript_length(http, sender) == 0
    assert http.get("/api/accounts", headers={"Authorization": "Bearer forged"}).status_code == 401


def test_wrong_password_is_refused(http):
    response = http.post("/api/auth/login", json={"username": "alice", "password": "guess"})
    assert response.status_code == 401


def test_internal_endpoints_need_rasas_token(http):
    assert http.post("/nlu/model/parse", json={"text": "hi"}).status_code == 401
    assert http.post("/actions/webhook", json={"next_action": "action_check_balance"}).status_code == 401


def test_account_data_needs_login(http):
    assert http.get("/api/accounts").status_code == 401
    headers = login(http, "alice", "alice-demo-pass")
    assert http.get("/api/accounts", headers=headers).status_code == 200
