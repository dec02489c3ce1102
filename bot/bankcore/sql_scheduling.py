"""Future-dated transfers on the SQL ledger: store the instruction, list it, cancel it, run it.

Storing checks everything that cannot change by the day (ownership, currency, the date window,
the amount against the account's daily limit); balance and limit are checked again when the
transfer runs. ``run_due_transfers`` claims one due instruction at a time with ``SELECT ... FOR
UPDATE SKIP LOCKED`` (several app instances on PostgreSQL never take the same row; SQLite already
serialises writers), posts it through the same code path as an immediate transfer and marks it
completed in that same database transaction. A refusal rolls all of that back and then records
the instruction as failed with the reason, so nothing is ever partially applied.
"""
from __future__ import annotations

import logging
import secrets
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.bankcore.money import from_minor
from bot.bankcore.port import (
    BankError,
    IdempotencyConflict,
    InvalidSchedule,
    LimitExceeded,
    ScheduledTransfer,
    UnknownScheduledTransfer,
)
from bot.bankcore.sql_access import (
    aware,
    check_currency,
    customer_row,
    transfer_request,
)
from bot.bankcore.sql_ledger import append_audit
from bot.bankcore.sql_models import ScheduledTransferRow, TransferRow
from bot.bankcore.validation import clean_idempotency_key, clean_text
from bot.db import write_transaction

log = logging.getLogger(__name__)

PENDING = "scheduled"


class SqlScheduling:
    """Scheduled transfers for ``SqlBankCore`` (which provides ``_sessions``, ``_now``,
    ``_endpoints``, ``_transfer`` and ``_policy``)."""

    def schedule_transfer(
        self,
        customer_id: int,
        from_account_id: int,
        *,
        to_account_id: int | None = None,
        payee_id: int | None = None,
        amount: Decimal | str | int,
        currency: str,
        execute_on: date,
        idempotency_key: str,
        actor: str,
        memo: str | None = None,
    ) -> ScheduledTransfer:
        request = transfer_request(from_account_id, to_account_id, payee_id, amount, currency)
        key = clean_idempotency_key(idempotency_key)
        memo = clean_text(memo, what="memo", max_len=100) if memo else None
        if not isinstance(execute_on, date):
            raise InvalidSchedule("the date of a scheduled transfer must be a calendar date")
        try:
            with write_transaction(self._sessions) as s:
                return self._schedule(s, customer_id, request, execute_on, key, actor, memo)
        except IntegrityError:  # a concurrent retry with the same key committed first
            with self._sessions() as s:
                cid = customer_row(s, customer_id).id
                return _replay(_by_key(s, cid, key), request, execute_on)

    def _schedule(self, s: Session, customer_id: int, request: tuple, execute_on: date, key: str,
                  actor: str, memo: str | None) -> ScheduledTransfer:
        cid = customer_row(s, customer_id).id
        source, target, payee = self._endpoints(s, cid, request)
        done = _by_key(s, cid, key)
        if done is not None:
            return _replay(done, request, execute_on)
        minor, currency = request[3], request[4]
        check_currency(currency, source, target)
        now = self._now()
        today = now.date()
        if execute_on <= today:
            raise InvalidSchedule(f"{execute_on.isoformat()} is not in the future; "
                                  "a transfer for today is made straight away")
        ahead = self._policy.schedule_days_ahead
        latest = today + timedelta(days=ahead)
        if execute_on > latest:
            raise InvalidSchedule(f"transfers can be scheduled at most {ahead} days ahead "
                                  f"(until {latest.isoformat()})")
        if minor > source.daily_limit_minor:
            raise LimitExceeded(from_minor(source.daily_limit_minor), Decimal("0.00"),
                                from_minor(minor), currency)
        row = ScheduledTransferRow(
            customer_id=cid, idempotency_key=key, reference="SCH-" + secrets.token_hex(5).upper(),
            from_account_id=source.id, to_account_id=request[1], payee_id=payee.id if payee else None,
            amount_minor=minor, currency=currency, memo=memo, execute_on=execute_on, status=PENDING,
            created_at=now,
        )
        s.add(row)
        s.flush()
        append_audit(s, now, actor, cid, "transfer_scheduled", {
            "scheduled_id": row.id, "reference": row.reference, "from_account_id": source.id,
            "to_account_id": row.to_account_id, "payee_id": row.payee_id,
            "amount": from_minor(minor), "currency": currency, "execute_on": execute_on,
            "idempotency_key": key,
        })
        return _scheduled(row)

    def list_scheduled_transfers(
        self, customer_id: int, include_finished: bool = False
    ) -> list[ScheduledTransfer]:
        with self._sessions() as s:
            cid = customer_row(s, customer_id).id
            q = select(ScheduledTransferRow, TransferRow.reference).outerjoin(
                TransferRow, ScheduledTransferRow.transfer_id == TransferRow.id
            ).where(ScheduledTransferRow.customer_id == cid)
            if not include_finished:
                q = q.where(ScheduledTransferRow.status == PENDING)
            q = q.order_by(ScheduledTransferRow.execute_on, ScheduledTransferRow.id)
            return [_scheduled(row, reference) for row, reference in s.execute(q)]

    def cancel_scheduled_transfer(
        self, customer_id: int, scheduled_id: int | str, actor: str
    ) -> ScheduledTransfer:
        with write_transaction(self._sessions) as s:
            cid = customer_row(s, customer_id).id
            row = _owned(s, cid, scheduled_id)
            if row.status == "cancelled":
                return _scheduled(row)
            if row.status != PENDING:
                raise InvalidSchedule(f"scheduled transfer {row.reference} is already {row.status} "
                                      "and can no longer be cancelled")
            row.status, row.finished_at = "cancelled", self._now()
            append_audit(s, self._now(), actor, cid, "transfer_schedule_cancel",
                         {"scheduled_id": row.id, "reference": row.reference})
            return _scheduled(row)

    def run_due_transfers(self, actor: str = "scheduler", limit: int = 100) -> list[ScheduledTransfer]:
        outcomes: list[ScheduledTransfer] = []
        for _ in range(max(0, int(limit))):
            outcome = self._run_next_due(actor)
            if outcome is None:
                break
            outcomes.append(outcome)
        return outcomes

    def _run_next_due(self, actor: str) -> ScheduledTransfer | None:
        claimed: int | None = None
        try:
            with write_transaction(self._sessions) as s:
                row = s.scalars(
                    select(ScheduledTransferRow)
                    .where(ScheduledTransferRow.status == PENDING,
                           ScheduledTransferRow.execute_on <= self._now().date())
                    .order_by(ScheduledTransferRow.execute_on, ScheduledTransferRow.id).limit(1)
                    .with_for_update(skip_locked=True)
                ).first()
                if row is None:
                    return None
                claimed = row.id
                request = (row.from_account_id, row.to_account_id, row.payee_id, row.amount_minor,
                           row.currency)
                result = self._transfer(s, row.customer_id, request, f"scheduled:{row.id}", actor,
                                        row.memo)
                row.status, row.finished_at, row.transfer_id = "completed", self._now(), result.transfer_id
                append_audit(s, self._now(), actor, row.customer_id, "transfer_schedule_run", {
                    "scheduled_id": row.id, "reference": row.reference,
                    "transfer_reference": result.reference,
                })
                return _scheduled(row, result.reference)
        except BankError as exc:
            if claimed is None:
                raise
            log.info("scheduled transfer %s failed: %s", claimed, exc)
            return self._mark_failed(claimed, str(exc), actor)

    def _mark_failed(self, scheduled_id: int, reason: str, actor: str) -> ScheduledTransfer:
        with write_transaction(self._sessions) as s:
            row = s.get(ScheduledTransferRow, scheduled_id, with_for_update=True, populate_existing=True)
            if row.status == PENDING:  # another instance may have settled it meanwhile
                row.status, row.finished_at, row.failure_reason = "failed", self._now(), reason[:200]
                append_audit(s, self._now(), actor, row.customer_id, "transfer_schedule_fail", {
                    "scheduled_id": row.id, "reference": row.reference, "reason": row.failure_reason,
                })
            return _scheduled(row)


def _by_key(s: Session, cid: int, key: str) -> ScheduledTransferRow | None:
    return s.scalar(select(ScheduledTransferRow).where(
        ScheduledTransferRow.customer_id == cid, ScheduledTransferRow.idempotency_key == key))


def _owned(s: Session, cid: int, scheduled_id: int | str) -> ScheduledTransferRow:
    """By id or by reference ("SCH-..."); someone else's instruction is simply unknown."""
    ident = str(scheduled_id).strip().upper()[:32]
    q = select(ScheduledTransferRow).where(ScheduledTransferRow.customer_id == cid)
    if ident.isdecimal() and len(ident) <= 10:
        q = q.where(ScheduledTransferRow.id == int(ident))
    else:
        q = q.where(ScheduledTransferRow.reference == ident)
    row = s.scalars(q.with_for_update()).first()
    if row is None:
        raise UnknownScheduledTransfer(f"no scheduled transfer {ident!r} of yours")
    return row


def _scheduled(row: ScheduledTransferRow, transfer_reference: str | None = None,
               replayed: bool = False) -> ScheduledTransfer:
    return ScheduledTransfer(
        id=row.id, reference=row.reference, from_account_id=row.from_account_id,
        to_account_id=row.to_account_id, payee_id=row.payee_id, amount=from_minor(row.amount_minor),
        currency=row.currency, execute_on=row.execute_on, status=row.status,
        created_at=aware(row.created_at), failure_reason=row.failure_reason,
        transfer_reference=transfer_reference, replayed=replayed,
    )


def _replay(row: ScheduledTransferRow | None, request: tuple, execute_on: date) -> ScheduledTransfer:
    """Same key, same instruction: the stored one. Same key, anything different: refuse."""
    if row is None:
        raise IdempotencyConflict("this idempotency key could not be resolved; try again")
    same = (row.from_account_id, row.to_account_id, row.payee_id, row.amount_minor, row.currency,
            row.execute_on) == (*request, execute_on)
    if not same:
        raise IdempotencyConflict("this idempotency key was already used for a different transfer")
    return _scheduled(row, replayed=True)
