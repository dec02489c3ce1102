"""Future-dated transfers in real conversations (gateway + NLU + Rasa + actions + SQL ledger):
read back with their date, stored as scheduled instructions, executed once on the day."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from bot.bankcore.sql_bankcore import SqlBankCore
from bot.db import make_engine, make_session_factory
from tests.dialogue.test_account_conversations import Chat
from tests.stack.conftest import say

pytestmark = pytest.mark.stack


def next_friday() -> datetime:
    today = datetime.now(UTC)
    return today + timedelta(days=(4 - today.weekday() - 1) % 7 + 1)


def test_a_transfer_for_next_friday_is_scheduled_once_and_runs_on_the_day(http, bank, bank_stack):
    chat = Chat(http, "alice")
    alice = bank.authenticate("alice", "alice-demo-pass")
    before = chat.balances()
    friday = next_friday()
    readback = chat("send 50 to Jane Morgan from checking next Friday")
    assert "$50.00" in readback and "Jane Morgan" in readback
    assert f"Friday {friday.day} {friday:%B %Y}" in readback
    done = chat("yes")
    assert "Scheduled" in done and "SCH-" in done
    chat("yes")  # the confirmation sent twice
    assert chat.balances() == before  # nothing moves before the day
    [scheduled] = [s for s in bank.list_scheduled_transfers(alice.id) if s.reference in done]
    assert scheduled.execute_on == friday.date() and scheduled.amount == Decimal("50.00")
    assert len([s for s in bank.list_scheduled_transfers(alice.id) if s.amount == Decimal("50.00")]) == 1

    engine = make_engine(bank_stack.stack.database_url)
    try:
        on_the_day = SqlBankCore(make_session_factory(engine), clock=lambda: friday.replace(hour=9))
        ran = [s for s in on_the_day.run_due_transfers() if s.id == scheduled.id]
    finally:
        engine.dispose()
    assert [s.status for s in ran] == ["completed"]
    assert chat.balances()["Everyday Checking"] - before["Everyday Checking"] == Decimal("-50.00")
    assert bank.audit_verify().ok


def test_a_past_date_is_refused_and_asked_for_again(http, bank):
    chat = Chat(http, "bob")
    bob = bank.authenticate("bob", "bob-demo-pass")
    reply = chat("send 10 to Alice Morgan from checking on 3 March 2020")
    assert "already passed" in reply and "When should the money go" in reply
    assert "tomorrow" in chat("tomorrow")
    assert "Nothing was changed" in chat("no")
    assert bank.list_scheduled_transfers(bob.id) == []


def test_a_date_more_than_a_year_ahead_gets_a_clear_reply(http, bank):
    chat = Chat(http, "erin")
    erin = bank.authenticate("erin", "erin-demo-pass")
    assert "up to a year ahead" in chat("send 30 to Alice Morgan from checking on 1 January 2030")
    assert "Nothing was changed" in chat("cancel")
    assert bank.list_scheduled_transfers(erin.id) == []


def test_the_date_can_be_corrected_at_the_readback(http, bank):
    chat = Chat(http, "erin")
    assert "today" in chat("send 20 to Alice Morgan from checking")
    assert "tomorrow" in chat("make it tomorrow")
    assert "Scheduled" in chat("yes")


def test_a_scheduled_transfer_is_listed_and_cancelled_in_conversation(http, bank):
    chat = Chat(http, "carol")
    carol = bank.authenticate("carol", "carol-demo-pass")
    assert "tomorrow" in chat("send 25 to Nguyen Family Trust from checking tomorrow")
    reference = re.search(r"SCH-\w+", chat("yes")).group(0)
    listed = chat("show my scheduled transfers")
    assert reference in listed and "$25.00" in listed and "Nguyen Family Trust" in listed
    assert reference in chat("which transfers can I cancel?")
    replies = say(http, chat.sender, f"cancel scheduled transfer {reference}", chat.headers)
    assert "Cancelled" in replies[0] and reference in replies[0]
    assert len(replies) == 1, replies  # a plain "cancel" is not frustration: no hand-off follows
    assert bank.list_scheduled_transfers(carol.id) == []
    assert "no scheduled transfers" in chat("show my scheduled transfers")


def test_cancel_the_transfer_mid_form_stops_the_form(http):
    chat = Chat(http, "dave")
    before = chat.balances()
    chat("send money to Campus Housing Office")
    assert "Nothing was changed" in chat("cancel the transfer")
    assert chat.balances() == before
