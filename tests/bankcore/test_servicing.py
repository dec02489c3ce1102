"""Replacement cards, disputes and step-up security codes through the port."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from bot.bankcore.port import (
    InvalidCardStatus,
    InvalidDispute,
    InvalidRequest,
    NotOwner,
    UnknownChallenge,
    UnknownTransaction,
)
from tests.bankcore.conftest import Bank


def test_lost_card_is_blocked_then_replaced_once(bank: Bank) -> None:
    alice = bank.login("alice")  # clock: Sunday 2026-03-15
    card = bank.core.list_cards(alice.id)[0]
    with pytest.raises(InvalidCardStatus, match="only a blocked"):
        bank.core.order_replacement_card(alice.id, card.id, actor="test")

    bank.core.set_card_status(alice.id, card.id, "blocked", actor="test", reason="lost")
    replacement = bank.core.order_replacement_card(alice.id, card.id, actor="test")
    again = bank.core.order_replacement_card(alice.id, card.id, actor="test")

    assert again == replacement
    assert replacement.delivery_estimate == date(2026, 3, 20)  # five business days
    assert replacement.card.status == "active" and replacement.card.last4 != card.last4
    assert replacement.card.expiry == date(2030, 3, 31)
    assert [c.status for c in bank.core.list_cards(alice.id)].count("blocked") == 1
    with pytest.raises(NotOwner):
        bank.core.order_replacement_card(bank.login("bob").id, card.id, actor="test")


def test_dispute_a_payment_once_with_a_reference(bank: Bank) -> None:
    alice = bank.login("alice")
    amazon = bank.core.list_transactions(alice.id, merchant="Amazon", limit=1)[0]
    dispute = bank.core.open_dispute(alice.id, amazon.id, "  I never received\nthe parcel ", "test")
    assert re.fullmatch(r"DSP-[0-9A-F]{8}", dispute.reference)
    assert dispute.amount == -amazon.amount and dispute.status == "open"
    assert dispute.reason == "I never received the parcel"
    assert bank.core.open_dispute(alice.id, amazon.id, "again", "test") == dispute

    salary = bank.core.list_transactions(alice.id, direction="in", limit=1)[0]
    with pytest.raises(InvalidDispute):
        bank.core.open_dispute(alice.id, salary.id, "too little", "test")
    with pytest.raises(InvalidRequest):
        bank.core.open_dispute(alice.id, amazon.id, "   ", "test")
    with pytest.raises(UnknownTransaction):
        bank.core.open_dispute(alice.id, 10**8, "reason", "test")
    bob = bank.login("bob")
    with pytest.raises(NotOwner):
        bank.core.open_dispute(bob.id, amazon.id, "not mine", "test")


def _code_from_outbox(bank: Bank, customer_id: int) -> str:
    message = bank.core.outbox(customer_id)[0]
    assert message.destination == "+1-202-555-0101"
    return re.match(r"(\d{6}) is your security code", message.body).group(1)


def test_one_time_code_verifies_once_and_only_for_its_owner(bank: Bank) -> None:
    alice = bank.login("alice")
    challenge = bank.core.send_one_time_code(alice.id, "add_payee", actor="test")
    assert challenge.masked_destination == "phone ending 0101"
    code = _code_from_outbox(bank, alice.id)

    with pytest.raises(NotOwner):
        bank.core.verify_one_time_code(bank.login("bob").id, challenge.id, code)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    assert bank.core.verify_one_time_code(alice.id, challenge.id, wrong) is False
    assert bank.core.verify_one_time_code(alice.id, challenge.id, code) is True
    assert bank.core.verify_one_time_code(alice.id, challenge.id, code) is False  # single use
    with pytest.raises(UnknownChallenge):
        bank.core.verify_one_time_code(alice.id, 999_999, code)


def test_one_time_code_expires_and_locks_after_three_wrong_tries(bank: Bank) -> None:
    alice = bank.login("alice")
    expiring = bank.core.send_one_time_code(alice.id, "large_transfer", actor="test")
    code = _code_from_outbox(bank, alice.id)
    bank.clock.advance(minutes=6)
    assert bank.core.verify_one_time_code(alice.id, expiring.id, code) is False

    locked = bank.core.send_one_time_code(alice.id, "unfreeze_card", actor="test")
    code = _code_from_outbox(bank, alice.id)
    for _ in range(3):
        assert bank.core.verify_one_time_code(alice.id, locked.id, "000000x") is False
    assert bank.core.verify_one_time_code(alice.id, locked.id, code) is False
    tries = [r for r in bank.core.list_audit(alice.id, limit=5) if r.action == "otp_verify"]
    assert [r.details["success"] for r in tries] == [False] * 4
    assert bank.core.audit_verify().ok


def test_disputes_do_not_move_money(bank: Bank) -> None:
    alice = bank.login("alice")
    balances = bank.cached_balances()
    tx = bank.core.list_transactions(alice.id, direction="out", min_amount=Decimal("1"), limit=1)[0]
    bank.core.open_dispute(alice.id, tx.id, "duplicate charge", "test")
    assert bank.cached_balances() == balances
