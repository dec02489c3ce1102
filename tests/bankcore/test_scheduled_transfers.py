"""Future-dated transfers: stored, listed, cancelled, and run exactly once on their day with the
balance and limit checked again (SQLite and PostgreSQL)."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from bot.bankcore.port import (
    IdempotencyConflict,
    InvalidSchedule,
    LimitExceeded,
    ScheduledTransfer,
    UnknownScheduledTransfer,
)
from bot.bankcore.sql_bankcore import SqlBankCore
from bot.bankcore.sql_models import TransferRow
from bot.db import make_engine, make_session_factory
from tests.bankcore.conftest import Bank


def today(bank: Bank) -> date:
    return bank.clock().date()


def schedule(bank: Bank, customer_id: int, from_id: int, days: int, amount: str = "100.00",
             key: str = "sched-1", **target: int) -> ScheduledTransfer:
    return bank.core.schedule_transfer(customer_id, from_id, amount=amount, currency="USD",
                                       execute_on=today(bank) + timedelta(days=days),
                                       idempotency_key=key, actor="test", **target)


def test_a_dated_transfer_waits_for_its_day_and_then_runs_once(any_bank: Bank) -> None:
    bank = any_bank
    alice = bank.login("alice")
    checking, savings = bank.account(alice, "checking"), bank.account(alice, "savings")
    payee = next(p for p in bank.core.list_payees(alice.id) if p.name == "Jane Morgan")

    stored = schedule(bank, alice.id, checking, days=3, amount="250.00", payee_id=payee.id)
    assert stored.status == "scheduled" and stored.reference.startswith("SCH-")
    assert stored.execute_on == today(bank) + timedelta(days=3)
    assert bank.core.get_account(alice.id, checking).balance == Decimal("2450.75")
    assert [s.reference for s in bank.core.list_scheduled_transfers(alice.id)] == [stored.reference]
    assert bank.core.list_audit(alice.id, limit=1)[0].action == "transfer_scheduled"

    bank.clock.advance(days=2)
    assert bank.core.run_due_transfers() == []  # not yet its day
    bank.clock.advance(days=1)
    [done] = bank.core.run_due_transfers()
    assert done.status == "completed" and done.transfer_reference.startswith("TRF-")
    assert bank.core.run_due_transfers() == []  # never twice
    assert bank.core.get_account(alice.id, checking).balance == Decimal("2200.75")
    assert bank.core.get_account(alice.id, savings).balance == Decimal("12800.00")
    assert bank.core.list_scheduled_transfers(alice.id) == []
    [finished] = bank.core.list_scheduled_transfers(alice.id, include_finished=True)
    assert finished.status == "completed" and finished.transfer_reference == done.transfer_reference
    assert bank.core.list_transactions(alice.id, account_id=checking, limit=1)[0].amount == Decimal("-250.00")
    bank.assert_books_balance()
    assert bank.core.audit_verify().ok


def test_scheduling_is_idempotent_and_a_reused_key_for_something_else_is_refused(bank: Bank) -> None:
    bob = bank.login("bob")
    checking, savings = bank.account(bob, "checking"), bank.account(bob, "savings")
    first = schedule(bank, bob.id, checking, days=5, to_account_id=savings)
    again = schedule(bank, bob.id, checking, days=5, to_account_id=savings)
    assert again.id == first.id and again.replayed and not first.replayed
    before = bank.counts()
    with pytest.raises(IdempotencyConflict):
        schedule(bank, bob.id, checking, days=6, to_account_id=savings)
    assert bank.counts() == before
    assert len(bank.core.list_scheduled_transfers(bob.id)) == 1


@pytest.mark.parametrize("days, message", [(0, "not in the future"), (-3, "not in the future"),
                                           (366, "at most 365 days ahead")])
def test_today_past_and_far_future_dates_are_refused_and_change_nothing(
        bank: Bank, days: int, message: str) -> None:
    alice = bank.login("alice")
    checking, savings = bank.account(alice, "checking"), bank.account(alice, "savings")
    before = bank.counts()
    with pytest.raises(InvalidSchedule, match=message):
        schedule(bank, alice.id, checking, days=days, to_account_id=savings)
    assert bank.counts() == before
    assert schedule(bank, alice.id, checking, days=365, key="edge", to_account_id=savings).status == "scheduled"


def test_an_amount_over_the_daily_limit_can_never_be_scheduled(bank: Bank) -> None:
    alice = bank.login("alice")  # Class II: 5000.00 a day
    checking, savings = bank.account(alice, "checking"), bank.account(alice, "savings")
    before = bank.counts()
    with pytest.raises(LimitExceeded):
        schedule(bank, alice.id, checking, days=1, amount="5000.01", to_account_id=savings)
    assert bank.counts() == before


def test_a_transfer_the_balance_no_longer_covers_fails_with_its_reason_and_moves_nothing(
        any_bank: Bank) -> None:
    bank = any_bank
    alice = bank.login("alice")  # checking 2450.75 + 500.00 overdraft
    checking, savings = bank.account(alice, "checking"), bank.account(alice, "savings")
    stored = schedule(bank, alice.id, checking, days=1, amount="2000.00", to_account_id=savings)
    bank.core.transfer(alice.id, checking, to_account_id=savings, amount="2000.00", currency="USD",
                       idempotency_key="spent-meanwhile", actor="test")
    bank.clock.advance(days=1)
    balances, postings = bank.cached_balances(), bank.counts()[0]

    [failed] = bank.core.run_due_transfers()

    assert failed.id == stored.id and failed.status == "failed"
    assert "insufficient funds" in failed.failure_reason
    assert bank.cached_balances() == balances and bank.counts()[0] == postings
    assert bank.core.list_audit(alice.id, limit=1)[0].action == "transfer_schedule_fail"
    assert bank.core.run_due_transfers() == []
    with pytest.raises(InvalidSchedule, match="already failed"):
        bank.core.cancel_scheduled_transfer(alice.id, stored.reference, "test")
    bank.assert_books_balance()
    assert bank.core.audit_verify().ok


def test_the_daily_limit_is_checked_again_on_the_day(bank: Bank) -> None:
    erin = bank.login("erin")
    checking = bank.account(erin, "checking")
    target = bank.account(erin, "savings")
    limit = bank.core.get_account(erin.id, checking).daily_transfer_limit
    schedule(bank, erin.id, checking, days=1, amount=str(limit), to_account_id=target)
    bank.clock.advance(days=1)
    bank.core.transfer(erin.id, checking, to_account_id=target, amount="1.00", currency="USD",
                       idempotency_key="same-day", actor="test")
    [failed] = bank.core.run_due_transfers()
    assert failed.status == "failed" and "daily transfer limit" in failed.failure_reason


def test_cancelled_transfers_never_run_and_only_the_owner_can_cancel(any_bank: Bank) -> None:
    bank = any_bank
    bob, alice = bank.login("bob"), bank.login("alice")
    checking, savings = bank.account(bob, "checking"), bank.account(bob, "savings")
    stored = schedule(bank, bob.id, checking, days=2, to_account_id=savings)
    with pytest.raises(UnknownScheduledTransfer):
        bank.core.cancel_scheduled_transfer(alice.id, stored.reference, "test")

    cancelled = bank.core.cancel_scheduled_transfer(bob.id, stored.reference.lower(), "test")
    assert cancelled.status == "cancelled"
    assert bank.core.cancel_scheduled_transfer(bob.id, stored.id, "test").status == "cancelled"
    assert bank.core.list_scheduled_transfers(bob.id) == []
    bank.clock.advance(days=3)
    balances = bank.cached_balances()
    assert bank.core.run_due_transfers() == []
    assert bank.cached_balances() == balances
    assert bank.core.audit_verify().ok


def test_two_app_instances_running_the_scheduler_together_execute_each_transfer_once(
        any_bank: Bank) -> None:
    bank = any_bank
    alice = bank.login("alice")
    checking, savings = bank.account(alice, "checking"), bank.account(alice, "savings")
    for i in range(20):
        schedule(bank, alice.id, checking, days=1, amount="10.00", key=f"batch-{i}", to_account_id=savings)
    bank.clock.advance(days=1)
    url = bank.sessions.kw["bind"].url.render_as_string(hide_password=False)
    other_engine = make_engine(url)  # a second instance: its own engine and connection pool
    try:
        instances = [bank.core, SqlBankCore(make_session_factory(other_engine), bank.clock)]
        with ThreadPoolExecutor(max_workers=6) as pool:
            runs = list(pool.map(lambda i: instances[i % 2].run_due_transfers(limit=20), range(6)))
    finally:
        other_engine.dispose()

    done = [outcome for run in runs for outcome in run]
    assert sorted(o.id for o in done) == sorted({o.id for o in done}) and len(done) == 20
    assert {o.status for o in done} == {"completed"}
    with bank.sessions() as s:
        executed = s.scalar(select(func.count()).select_from(TransferRow)
                            .where(TransferRow.idempotency_key.like("scheduled:%")))
    assert executed == 20
    assert bank.core.get_account(alice.id, checking).balance == Decimal("2250.75")
    bank.assert_books_balance()
    assert bank.core.audit_verify().ok
