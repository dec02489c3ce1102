"""Transfers through the port: internal and to payees, balances, limits, idempotency, bad input."""
from __future__ import annotations

from decimal import Decimal

import pytest

from bot.bankcore.port import (
    CurrencyMismatch,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidAmount,
    InvalidTransfer,
    LimitExceeded,
    UnknownPayee,
)
from tests.bankcore.conftest import Bank


def test_internal_transfer_moves_money_between_own_accounts(bank: Bank) -> None:
    alice = bank.login("alice")
    checking, savings = bank.account(alice, "checking"), bank.account(alice, "savings")

    result = bank.core.transfer(alice.id, checking, to_account_id=savings, amount="125.40",
                                currency="USD", idempotency_key="t-1", actor="test", memo="Holiday")

    assert result.status == "completed" and not result.replayed
    assert result.amount == Decimal("125.40")
    assert result.from_balance_after == Decimal("2325.35")
    assert bank.core.get_account(alice.id, checking).balance == Decimal("2325.35")
    assert bank.core.get_account(alice.id, savings).balance == Decimal("12925.40")
    newest = bank.core.list_transactions(alice.id, limit=2)
    assert {t.amount for t in newest} == {Decimal("-125.40"), Decimal("125.40")}
    assert {t.reference for t in newest} == {result.reference}
    assert "Holiday" in next(t.description for t in newest if t.amount < 0)
    bank.assert_books_balance()


def test_payment_to_payee_leaves_through_clearing(bank: Bank) -> None:
    alice = bank.login("alice")
    checking = bank.account(alice, "checking")
    payee = next(p for p in bank.core.list_payees(alice.id) if p.name == "Greenway Lettings")
    before = sum(a.balance for a in bank.core.list_accounts(alice.id))

    bank.core.transfer(alice.id, checking, payee_id=payee.id, amount=Decimal("1450"),
                       currency="usd", idempotency_key="rent-march", actor="test")

    after = sum(a.balance for a in bank.core.list_accounts(alice.id))
    assert before - after == Decimal("1450.00")
    out = bank.core.list_transactions(alice.id, account_id=checking, limit=1)[0]
    assert out.amount == Decimal("-1450.00") and out.description == "Payment to Greenway Lettings"
    bank.assert_books_balance()


def test_overdraft_is_allowed_down_to_the_arranged_limit_and_no_further(bank: Bank) -> None:
    alice = bank.login("alice")  # checking 2450.75 with a 500.00 overdraft
    checking, savings = bank.account(alice, "checking"), bank.account(alice, "savings")
    bank.core.transfer(alice.id, checking, to_account_id=savings, amount="2950.75",
                       currency="USD", idempotency_key="all-in", actor="test")
    assert bank.core.get_account(alice.id, checking).balance == Decimal("-500.00")
    before = bank.counts()

    with pytest.raises(InsufficientFunds, match="0.01 USD requested, 0.00 USD available"):
        bank.core.transfer(alice.id, checking, to_account_id=savings, amount="0.01",
                           currency="USD", idempotency_key="one-more", actor="test")
    assert bank.counts() == before


def test_daily_limit_of_the_account_class_is_enforced_and_resets_next_day(bank: Bank) -> None:
    bob = bank.login("bob")  # Class I checking: 1000.00 a day
    checking, savings = bank.account(bob, "checking"), bank.account(bob, "savings")
    assert bank.core.get_account(bob.id, savings).daily_transfer_limit == Decimal("1000.00")
    bank.core.transfer(bob.id, savings, to_account_id=checking, amount="900",
                       currency="USD", idempotency_key="a", actor="test")
    before = bank.counts()

    with pytest.raises(LimitExceeded) as refused:
        bank.core.transfer(bob.id, savings, to_account_id=checking, amount="100.01",
                           currency="USD", idempotency_key="b", actor="test")
    assert refused.value.remaining == Decimal("100.00")
    assert bank.counts() == before
    bank.core.transfer(bob.id, savings, to_account_id=checking, amount="100.00",
                       currency="USD", idempotency_key="c", actor="test")

    bank.clock.advance(days=1)
    bank.core.transfer(bob.id, savings, to_account_id=checking, amount="400",
                       currency="USD", idempotency_key="d", actor="test")
    assert bank.core.get_account(bob.id, savings).balance == Decimal("100.00")


def test_retry_with_the_same_idempotency_key_executes_once(bank: Bank) -> None:
    alice = bank.login("alice")
    checking, savings = bank.account(alice, "checking"), bank.account(alice, "savings")
    kwargs = dict(to_account_id=savings, amount="75.00", currency="USD",
                  idempotency_key="confirm-123", actor="test")

    first = bank.core.transfer(alice.id, checking, **kwargs)
    second = bank.core.transfer(alice.id, str(checking), **kwargs)

    assert second.replayed and not first.replayed
    assert (second.transfer_id, second.reference, second.from_balance_after) == (
        first.transfer_id, first.reference, first.from_balance_after)
    assert bank.core.get_account(alice.id, checking).balance == Decimal("2375.75")
    with pytest.raises(IdempotencyConflict):
        bank.core.transfer(alice.id, checking, **{**kwargs, "amount": "80.00"})


def test_idempotency_keys_are_per_customer(bank: Bank) -> None:
    alice, bob = bank.login("alice"), bank.login("bob")
    a = bank.core.transfer(alice.id, bank.account(alice, "checking"),
                           to_account_id=bank.account(alice, "savings"), amount="1",
                           currency="USD", idempotency_key="same", actor="test")
    b = bank.core.transfer(bob.id, bank.account(bob, "checking"),
                           to_account_id=bank.account(bob, "savings"), amount="1",
                           currency="USD", idempotency_key="same", actor="test")
    assert a.transfer_id != b.transfer_id and not b.replayed


@pytest.mark.parametrize("amount", [
    "-10", "0", "0.00", "10.001", "1e9", "1000000.01", "NaN", "Infinity", "ten", "", True, None,
    -5, 0.001, "1" * 40,
])
def test_invalid_amounts_are_refused_and_change_nothing(bank: Bank, amount: object) -> None:
    alice = bank.login("alice")
    checking, savings = bank.account(alice, "checking"), bank.account(alice, "savings")
    balances, counts = bank.cached_balances(), bank.counts()

    with pytest.raises(InvalidAmount):
        bank.core.transfer(alice.id, checking, to_account_id=savings, amount=amount,
                           currency="USD", idempotency_key="bad", actor="test")

    assert bank.cached_balances() == balances and bank.counts() == counts


@pytest.mark.parametrize("change, error", [
    (dict(to_account_id=None), InvalidTransfer),                   # no destination
    (dict(payee_id=1), InvalidTransfer),                           # two destinations
    (dict(currency="EUR"), CurrencyMismatch),
    (dict(idempotency_key=""), InvalidTransfer),
    (dict(idempotency_key="x" * 200), InvalidTransfer),
    (dict(to_account_id=None, payee_id=99999), UnknownPayee),
])
def test_malformed_transfers_are_refused_and_change_nothing(bank: Bank, change, error) -> None:
    alice = bank.login("alice")
    checking, savings = bank.account(alice, "checking"), bank.account(alice, "savings")
    request = dict(to_account_id=savings, payee_id=None, amount="5", currency="USD",
                   idempotency_key="k", actor="test") | change
    counts = bank.counts()
    with pytest.raises(error):
        bank.core.transfer(alice.id, checking, **request)
    assert bank.counts() == counts


def test_transfer_to_the_same_account_is_refused(bank: Bank) -> None:
    alice = bank.login("alice")
    checking = bank.account(alice, "checking")
    with pytest.raises(InvalidTransfer, match="itself"):
        bank.core.transfer(alice.id, checking, to_account_id=checking, amount="5",
                           currency="USD", idempotency_key="self", actor="test")
