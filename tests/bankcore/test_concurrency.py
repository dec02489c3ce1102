"""Concurrent requests cannot overdraw an account or execute a transfer twice (SQLite and PostgreSQL)."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from bot.bankcore.port import InsufficientFunds, TransferResult
from tests.bankcore.conftest import Bank


def test_fifty_concurrent_transfers_never_overdraw_beyond_the_limit(any_bank: Bank) -> None:
    bank = any_bank
    alice = bank.login("alice")  # checking 2450.75, overdraft 500.00: 2950.75 available
    checking, savings = bank.account(alice, "checking"), bank.account(alice, "savings")
    payee = bank.core.list_payees(alice.id)[0].id

    def attempt(i: int) -> TransferResult | Exception:
        target = dict(to_account_id=savings) if i % 2 else dict(payee_id=payee)
        try:
            return bank.core.transfer(alice.id, checking, amount="100.00", currency="USD",
                                      idempotency_key=f"burst-{i}", actor="test", **target)
        except Exception as exc:  # noqa: BLE001 - every outcome is inspected below
            return exc

    with ThreadPoolExecutor(max_workers=50) as pool:
        outcomes = list(pool.map(attempt, range(50)))

    succeeded = [o for o in outcomes if isinstance(o, TransferResult)]
    refused = [o for o in outcomes if isinstance(o, InsufficientFunds)]
    assert len(succeeded) + len(refused) == 50, [o for o in outcomes if isinstance(o, Exception)
                                                 and not isinstance(o, InsufficientFunds)]
    assert len(succeeded) == 29  # 29 x 100.00 fits into 2950.75, the 30th would not
    account = bank.core.get_account(alice.id, checking)
    assert account.balance == Decimal("2450.75") - 29 * Decimal("100.00")
    assert account.balance >= -account.overdraft_limit
    assert len({r.transfer_id for r in succeeded}) == 29
    bank.assert_books_balance()
    assert bank.core.audit_verify().ok


def test_concurrent_retries_of_one_request_execute_once(any_bank: Bank) -> None:
    bank = any_bank
    bob = bank.login("bob")
    checking, savings = bank.account(bob, "checking"), bank.account(bob, "savings")

    def confirm(_: int) -> TransferResult:
        return bank.core.transfer(bob.id, checking, to_account_id=savings, amount="42.00",
                                  currency="USD", idempotency_key="double-click", actor="test")

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(confirm, range(10)))

    assert len({r.transfer_id for r in results}) == 1
    assert sum(not r.replayed for r in results) == 1
    assert bank.core.get_account(bob.id, checking).balance == Decimal("800.10")
    bank.assert_books_balance()
