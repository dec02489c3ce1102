"""A dispute in a real conversation: the case is opened first, then a disputes specialist takes
the conversation over (over HTTP, with the real Rasa, actions, hand-off desk and agent API)."""
from __future__ import annotations

import re

import pytest

from tests.stack.conftest import login, say, start

pytestmark = pytest.mark.stack


def test_the_disputes_team_takes_over_once_the_case_is_open(http):
    customer = login(http, "alice", "alice-demo-pass")
    sender = start(http, customer)
    assert "Netflix" in "\n".join(say(http, sender, "I want to dispute a charge from Netflix", customer))
    assert "What went wrong" in "\n".join(say(http, sender, "1", customer))
    replies = http.post("/webhooks/rest/webhook", headers=customer, json={
        "sender": sender, "message": "I cancelled this subscription but was still charged"}).json()
    reference = re.search(r"dispute case (DSP-\w+)", replies[0]["text"]).group(1)
    assert replies[-1]["custom"]["handoff"]["reason"] == "dispute"
    assert "disputes team" in replies[-1]["text"]
    assert say(http, sender, "how long will it take?", customer) == []  # kept for the specialist

    fraud = {"Authorization": "Bearer " + http.post("/agent/login", json={
        "username": "fraud", "password": "fraud-demo-pass"}).json()["token"]}
    [item] = [i for i in http.get("/agent/queue", headers=fraud).json()
              if i["entry_id"] == replies[-1]["custom"]["handoff"]["entry_id"]]
    assert item["reason"] == "dispute" and reference in item["reason_detail"] and item["can_claim"]
    claimed = http.post(f"/agent/conversations/{item['entry_id']}/claim", headers=fraud).json()
    assert reference in claimed["summary"]
