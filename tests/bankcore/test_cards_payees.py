"""Card status changes and payee management, including hostile payee names."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.bankcore.port import DuplicatePayee, InvalidCardStatus, InvalidPayee
from bot.bankcore.sql_models import PayeeRow
from tests.bankcore.conftest import Bank


def test_freeze_unfreeze_and_block_is_final(bank: Bank) -> None:
    alice = bank.login("alice")
    card = bank.core.list_cards(alice.id)[0]
    assert bank.core.set_card_status(alice.id, card.id, "frozen", actor="test").status == "frozen"
    assert bank.core.set_card_status(alice.id, card.id, "active", actor="test").status == "active"
    blocked = bank.core.set_card_status(alice.id, card.id, "blocked", actor="test", reason="stolen")
    assert blocked.status == "blocked" and blocked.masked_number.endswith("4417")
    with pytest.raises(InvalidCardStatus, match="cannot be reactivated"):
        bank.core.set_card_status(alice.id, card.id, "active", actor="test")
    with pytest.raises(InvalidCardStatus):
        bank.core.set_card_status(alice.id, card.id, "destroyed", actor="test")


def test_add_payee_and_use_it(bank: Bank) -> None:
    bob = bank.login("bob")
    payee = bank.core.add_payee(bob.id, "  Siobhán  O'Brien ", "Harbour Demo Bank",
                                "5512-3344 99", actor="test")
    assert payee.name == "Siobhán O'Brien" and payee.masked_account == "****4499"
    assert payee in bank.core.list_payees(bob.id)
    result = bank.core.transfer(bob.id, bank.account(bob, "checking"), payee_id=payee.id,
                                amount="20", currency="USD", idempotency_key="p", actor="test")
    assert result.payee_id == payee.id
    with pytest.raises(DuplicatePayee):
        bank.core.add_payee(bob.id, "siobhán o'brien", "Other Bank", "12345678", actor="test")


@pytest.mark.parametrize("name, bank_name, number", [
    ("Robert'); DROP TABLE bank_payees;--", "Demo Bank", "12345678"),
    ("x' OR '1'='1", "Demo Bank", "12345678"),
    ("", "Demo Bank", "12345678"),
    ("A" * 65, "Demo Bank", "12345678"),
    ("<script>alert(1)</script>", "Demo Bank", "12345678"),
    ("Sam Lee", "Demo Bank; DELETE FROM bank_accounts", "12345678"),
    ("Sam Lee", "Demo Bank", "1234"),
    ("Sam Lee", "Demo Bank", "12345678' --"),
])
def test_bad_payees_are_refused_and_nothing_is_added(bank: Bank, name, bank_name, number) -> None:
    bob = bank.login("bob")
    counts = bank.counts()
    with pytest.raises(InvalidPayee):
        bank.core.add_payee(bob.id, name, bank_name, number, actor="test")
    assert bank.counts() == counts
    with bank.sessions() as s:
        assert s.scalar(select(func.count()).select_from(PayeeRow)) == 10
