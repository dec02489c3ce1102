"""Account actions in real conversations over the REST channel (gateway + NLU + Rasa + actions +
SQL ledger), with the ledger checked before and after."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest

from tests.stack.conftest import login, say, start, turn

pytestmark = pytest.mark.stack


class Chat:
    """One logged-in (or anonymous) conversation."""

    def __init__(self, http, user: str | None) -> None:
        self.http = http
        self.headers = login(http, user, f"{user}-demo-pass") if user else {}
        self.sender = start(http, self.headers)

    def __call__(self, text: str) -> str:
        replies, self.headers = turn(self.http, self.sender, text, self.headers)
        return "\n".join(reply.get("text", "") for reply in replies)

    def balances(self) -> dict[str, Decimal]:
        accounts = self.http.get("/api/accounts", headers=self.headers).json()
        return {a["name"]: Decimal(str(a["balance"])) for a in accounts}


def latest_code(bank, user: str) -> str:
    customer = bank.authenticate(user, f"{user}-demo-pass")
    return re.search(r"\b\d{6}\b", bank.outbox(customer.id)[0].body).group(0)


def test_transfer_end_to_end_moves_exactly_the_amount_once(http, bank):
    chat = Chat(http, "alice")
    before = chat.balances()
    assert "Who would you like" in chat("I want to send money")
    assert "Which account" in chat("Jane Morgan")
    assert "How much" in chat("checking")
    readback = chat("25")
    assert "$25.00" in readback and "Jane Morgan" in readback and "confirm" in readback.lower()
    assert "Done" in chat("yes")
    chat("yes")  # the confirmation sent twice
    after = chat.balances()
    assert after["Everyday Checking"] - before["Everyday Checking"] == Decimal("-25.00")
    assert after["Rainy Day Savings"] == before["Rainy Day Savings"]
    assert bank.audit_verify().ok


def test_corrections_change_the_readback_and_only_the_final_values_post(http):
    chat = Chat(http, "erin")
    before = chat.balances()
    assert "$30.00" in chat("send 30 to Alice Morgan from checking")
    assert "$50.00" in chat("make it 50")
    assert "Retirement Saver" in chat("no, from savings")
    assert "Done" in chat("yes")
    after = chat.balances()
    assert after["Retirement Saver"] - before["Retirement Saver"] == Decimal("-50.00")
    assert after["Everyday Checking"] == before["Everyday Checking"]


def test_cancel_and_decline_post_nothing(http):
    chat = Chat(http, "bob")
    before = chat.balances()
    chat("i'd like to make a transfer")
    chat("Alice Morgan")
    assert "Nothing was changed" in chat("never mind")
    chat("send 10 to Riverside Gym from checking")
    assert "Nothing was changed" in chat("no")
    assert chat.balances() == before


def test_a_question_mid_transfer_is_answered_and_the_form_resumes(http):
    chat = Chat(http, "alice")
    assert "Which account" in chat("send money to Greenway Lettings")
    reply = chat("what's my balance?")
    assert "Everyday Checking" in reply and "Which account" in reply
    assert "How much" in chat("checking")
    assert "Nothing was changed" in chat("cancel")


@pytest.mark.parametrize("bad, expected", [
    ("-50", "more than zero"), ("0", "more than zero"), ("5000000", "far above"),
    ("0.001", "two decimal places"), ("500000", "overdraw"),
])
def test_bad_amounts_get_clear_replies_and_post_nothing(http, bad, expected):
    chat = Chat(http, "bob")
    before = chat.balances()
    assert "How much" in chat("send money to Alice Morgan from checking")
    assert expected in chat(bad)
    assert "Nothing was changed" in chat("cancel")
    assert chat.balances() == before


@pytest.mark.parametrize("message, expected", [
    ("send 20 to Voldemort", "couldn't find a saved payee"),
    ("transfer 10 to account 400100030001", "not to an account number"),
    ("send 5 to Robert'); DROP TABLE payees;--", "payee"),
])
def test_unknown_payees_foreign_accounts_and_sql_fragments_post_nothing(http, bank, message, expected):
    chat = Chat(http, "alice")
    before = chat.balances()
    reply = chat(message)
    assert expected in reply
    assert not re.search(r"\d{12}", reply)  # never a full account number
    chat("cancel")
    assert chat.balances() == before
    alice = bank.authenticate("alice", "alice-demo-pass")
    assert [p.name for p in bank.list_payees(alice.id)] == ["Bob Okafor", "Greenway Lettings", "Jane Morgan"]


def test_anonymous_customer_identifies_with_pin_and_the_conversation_is_bound(http, bank, conversations):
    chat = Chat(http, None)
    reply = chat("what's my balance")
    assert "log in" in reply.lower() and not re.search(r"\d+\.\d\d", reply)
    assert "PIN" in chat("10000002")
    reply = chat("1357")
    assert "verified" in reply and "Basic Checking" in reply
    bob = bank.authenticate("bob", "bob-demo-pass")
    assert conversations.get(chat.sender).customer_id == bob.id


def test_three_wrong_identity_answers_lock_identification_and_hand_off(http):
    chat = Chat(http, None)
    chat("show my balance")
    for wrong in ("1111", "2222"):
        chat("10000001")
        assert "don't match" in chat(wrong)
    chat("10000001")
    replies = say(http, chat.sender, "3333")
    assert "locked" in replies[0]
    assert len(replies) >= 2, "the lock-out hands the conversation to a person in the same turn"
    # a person has the chat now: the bot says nothing more, and nothing was revealed
    assert say(http, chat.sender, "what's my balance") == []
    turns = http.get(f"/api/conversations/{chat.sender}/transcript").json()["turns"]
    assert not any("Everyday Checking" in t["text"] for t in turns)


def test_large_transfer_needs_step_up_code(http, bank):
    chat = Chat(http, "carol")
    before = chat.balances()
    assert "code" in chat("send 9000 to Nguyen Family Trust from checking")
    assert "confirm" in chat(latest_code(bank, "carol")).lower()
    assert "Done" in chat("yes")
    assert chat.balances()["Private Checking"] - before["Private Checking"] == Decimal("-9000.00")


def test_unfreeze_needs_step_up_and_freeze_does_not(http, bank):
    chat = Chat(http, "carol")
    assert "code" in chat("unfreeze my credit card")
    assert "doesn't match" in chat("000000")
    assert "active again" in chat(latest_code(bank, "carol"))
    assert "frozen" in chat("freeze my credit card")


def test_lost_card_is_blocked_and_replaced(http, bank):
    chat = Chat(http, "dave")
    assert "Which card" in chat("I lost my card")
    chat("the debit one")
    reply = chat("yes")
    assert "blocked" in reply and "replacement" in reply and "arrive" in reply
    dave = bank.authenticate("dave", "dave-demo-pass")
    assert {c.status for c in bank.list_cards(dave.id) if c.last4 == "8852"} == {"blocked"}


def test_add_payee_with_step_up(http, bank):
    chat = Chat(http, "bob")
    chat("add a new payee")
    chat("Maria Lopez")
    chat("Harbour Demo Bank")
    assert "code" in chat("55129999")
    assert "Added Maria Lopez" in chat(latest_code(bank, "bob"))
    assert "Maria Lopez" in chat("who are my payees")


def test_pay_credit_card_minimum_and_dispute_with_reference(http):
    chat = Chat(http, "alice")
    assert "minimum" in chat("pay my credit card bill")
    chat("the minimum")
    assert "confirm" in chat("checking").lower()
    assert "Done" in chat("yes")
    assert "Netflix" in chat("I want to dispute a charge from Netflix")
    assert "What went wrong" in chat("1")
    assert re.search(r"dispute case [A-Z]+-\w+", chat("I cancelled this subscription but was still charged"))


def test_transactions_search_with_totals_and_carry_over(http):
    chat = Chat(http, "alice")
    reply = chat("what did I spend at Amazon last month")
    assert "Amazon" in reply and "Total spent" in reply
    reply = chat("and at Uber?")
    assert "Uber" in reply and "Amazon" not in reply
