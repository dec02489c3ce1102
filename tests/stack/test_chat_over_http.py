"""A customer's conversation over the Rasa-compatible REST channel, against the real stack."""
from __future__ import annotations

import re
import time
from decimal import Decimal

import pytest

from tests.stack.conftest import login, say, start

pytestmark = pytest.mark.stack

DEMO_USER, DEMO_PASSWORD = "alice", "alice-demo-pass"


def test_greeting_is_answered(http):
    sender = start(http)
    replies = say(http, sender, "hi there")
    assert any("hello" in reply.lower() for reply in replies)


def test_anonymous_balance_request_asks_to_log_in(http):
    sender = start(http)
    replies = say(http, sender, "what's my balance?")
    assert any("log in" in reply.lower() for reply in replies)
    assert not any(re.search(r"\d+\.\d\d", reply) for reply in replies)


def test_logged_in_customer_hears_their_real_balances(http):
    headers = login(http, DEMO_USER, DEMO_PASSWORD)
    accounts = http.get("/api/accounts", headers=headers).json()
    assert accounts, "the demo customer has accounts"
    sender = start(http, headers)
    reply = "\n".join(say(http, sender, "how much money do I have in my accounts", headers))
    for account in accounts:
        assert account["name"] in reply
        amount = f"{abs(Decimal(str(account['balance']))):,.2f}"
        assert amount in reply
        assert account["masked_number"] in reply


def test_support_question_is_answered_from_the_knowledge_base_with_sources(http):
    sender = start(http)
    response = http.post("/webhooks/rest/webhook", json={
        "sender": sender, "message": "my new card still hasn't arrived, it's been two weeks"})
    reply = response.json()[0]
    assert "card" in reply["text"].lower() and "days" in reply["text"].lower()
    assert reply["custom"]["sources"], "every answer names its source"
    turns = http.get(f"/api/conversations/{sender}/transcript").json()["turns"]
    assert turns[-1]["meta"]["custom"]["sources"] == reply["custom"]["sources"]


def test_gibberish_asks_to_rephrase(http):
    sender = start(http)
    replies = say(http, sender, "zxqv plorth wibble snarf")
    assert any("rephrase" in reply.lower() or "banking assistant" in reply.lower() for reply in replies)


def test_transcript_records_every_turn_with_nlu(http):
    sender = start(http)
    say(http, sender, "hello")
    say(http, sender, "my card hasn't arrived yet")
    turns = http.get(f"/api/conversations/{sender}/transcript").json()["turns"]
    speakers = [turn["speaker"] for turn in turns]
    assert speakers[0] == "customer" and "bot" in speakers
    customer_turns = [turn for turn in turns if turn["speaker"] == "customer"]
    assert [turn["text"] for turn in customer_turns] == ["hello", "my card hasn't arrived yet"]
    assert customer_turns[0]["nlu"]["intent"]["name"] == "greet"
    assert customer_turns[1]["nlu"]["intent"]["name"] == "card_arrival"
    assert all(turn["channel"] == "rest" and turn["created_at"] for turn in turns)
    assert [t["seq"] for t in turns] == list(range(1, len(turns) + 1))


def test_a_customer_cannot_use_another_customers_conversation(http):
    alice = login(http, DEMO_USER, DEMO_PASSWORD)
    sender = start(http, alice)
    response = http.post("/webhooks/rest/webhook", json={"sender": sender, "message": "balance"})
    assert response.status_code == 401  # without the conversation's credential
    assert http.get(f"/api/conversations/{sender}/transcript").status_code == 401
    bob = login(http, "bob", "bob-demo-pass")
    assert http.get(f"/api/conversations/{sender}/transcript", headers=bob).status_code == 403


def test_dialogue_engine_outage_gives_a_holding_reply_then_recovers(stack, http):
    import os
    import signal

    sender = start(http)
    os.kill(stack.rasa_pid(), signal.SIGKILL)
    time.sleep(0.5)
    response = http.post("/webhooks/rest/webhook", json={"sender": sender, "message": "hello"})
    assert response.status_code == 200
    assert "temporarily unavailable" in response.json()[0]["text"]
    stack.wait_ready(timeout_s=300)
    assert any("hello" in reply.lower() for reply in say(http, sender, "hello"))
