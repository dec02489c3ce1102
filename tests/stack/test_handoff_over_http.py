"""A customer asks for a person; an agent takes over, chats and hands back — over HTTP."""
from __future__ import annotations

import pytest

from tests.stack.conftest import login, say, start

pytestmark = pytest.mark.stack


def agent_login(http) -> dict[str, str]:
    response = http.post("/agent/login", json={"username": "agent", "password": "agent-demo-pass"})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def test_customer_reaches_an_agent_in_one_step_and_comes_back(http):
    customer = login(http, "alice", "alice-demo-pass")
    sender = start(http, customer)
    replies = http.post("/webhooks/rest/webhook", headers=customer,
                        json={"sender": sender, "message": "I want to talk to a real person"}).json()
    assert "colleague" in replies[0]["text"].lower()
    handoff = replies[-1]["custom"]["handoff"]
    assert handoff["reason"] == "human_request" and handoff["entry_id"]

    # while a person has the chat, the bot stays silent and the message is kept for the agent
    assert say(http, sender, "it's about a payment", customer) == []

    agent = agent_login(http)
    entry_id = handoff["entry_id"]
    assert entry_id in [item["entry_id"] for item in http.get("/agent/queue", headers=agent).json()]
    claimed = http.post(f"/agent/conversations/{entry_id}/claim", headers=agent)
    assert claimed.status_code == 200, claimed.text
    transcript_texts = [turn["text"] for turn in claimed.json()["transcript"]]
    assert "it's about a payment" in transcript_texts
    sent = http.post(f"/agent/conversations/{entry_id}/messages", headers=agent,
                     json={"text": "Hi Alice, I can help with that."})
    assert sent.status_code == 200

    turns = http.get(f"/api/conversations/{sender}/transcript", headers=customer).json()["turns"]
    assert [t["speaker"] for t in turns if t["speaker"] == "agent"] == ["agent"]

    back = http.post(f"/agent/conversations/{entry_id}/hand-back", headers=agent, json={})
    assert back.status_code == 200, back.text
    assert any("hello" in reply.lower() for reply in say(http, sender, "hello", customer))


def test_customer_tokens_cannot_use_agent_endpoints(http):
    customer = login(http, "alice", "alice-demo-pass")
    assert http.get("/agent/queue", headers=customer).status_code == 401


def test_a_waiting_customer_leaves_a_callback_or_goes_back_to_the_bot(http):
    customer = login(http, "bob", "bob-demo-pass")
    for leave in ("callback", "cancel"):
        sender = start(http, customer)
        replies = say(http, sender, "can I speak to someone please", customer)
        assert "colleague" in replies[0].lower()
        status = http.get(f"/api/conversations/{sender}/handoff", headers=customer).json()
        assert status["status"] == "waiting" and status["position"] >= 1
        assert http.get(f"/api/conversations/{sender}/handoff").status_code == 401  # bob's chat: his token
        if leave == "callback":
            url = f"/api/conversations/{sender}/handoff/callback"
            assert http.post(url, headers=customer, json={"phone": "call me"}).status_code == 422
            done = http.post(url, headers=customer, json={"phone": "+44 7700 900123"})
            assert done.status_code == 201 and "call you back" in done.json()["text"]
        else:
            done = http.post(f"/api/conversations/{sender}/handoff/cancel", headers=customer)
            assert done.status_code == 200 and "virtual assistant" in done.json()["text"]
        assert http.get(f"/api/conversations/{sender}/handoff", headers=customer).json()["status"] \
            == "none"
        assert any("hello" in reply.lower() for reply in say(http, sender, "hello", customer))
