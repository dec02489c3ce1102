"""Low-level ledger writes shared by the adapter and the seeder.

Three things must be done the same way everywhere money or the audit log is touched: take the write
lock (``bot.db.write_transaction``), post a journal entry whose postings balance, and append a
hash-chained audit record.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from bot.bankcore.audit import GENESIS_HASH, canonical_json, record_hash
from bot.bankcore.port import AuditRecord
from bot.bankcore.sql_models import (
    AccountRow,
    AuditHeadRow,
    AuditRow,
    JournalEntryRow,
    PostingRow,
)


@dataclass(frozen=True)
class Line:
    """One side of a journal entry, as it will appear on the account's statement."""

    account: AccountRow
    amount_minor: int
    description: str
    merchant: str | None = None
    category: str | None = None


def post_entry(s: Session, kind: str, reference: str, at: datetime, lines: list[Line]) -> JournalEntryRow:
    """Write a balanced journal entry and move the accounts' cached balances with it.

    Nothing is flushed here, so a seeder can post thousands of entries in one batched flush."""
    if sum(line.amount_minor for line in lines) != 0 or len(lines) < 2:
        raise ValueError("a journal entry needs at least two postings that sum to zero")
    entry = JournalEntryRow(kind=kind, reference=reference, created_at=at)
    s.add(entry)
    for line in lines:
        s.add(PostingRow(
            entry=entry, account_id=line.account.id, amount_minor=line.amount_minor,
            posted_at=at, description=line.description[:140], merchant=line.merchant,
            category=line.category,
        ))
        line.account.balance_minor += line.amount_minor
    return entry


def append_audit(
    s: Session, at: datetime, actor: str, customer_id: int | None, action: str,
    details: dict[str, Any],
) -> None:
    """Chain one record onto the head; locking the head row serialises appends on PostgreSQL."""
    head = s.get(AuditHeadRow, 1, with_for_update=True, populate_existing=True)
    if head is None:
        head = AuditHeadRow(id=1, seq=0, hash=GENESIS_HASH)
        s.add(head)
    seq, stamp = head.seq + 1, at.isoformat()
    details = {k: str(v) if isinstance(v, (Decimal, date, datetime)) else v for k, v in details.items()}
    actor = str(actor)[:64]
    digest = record_hash(seq, stamp, actor, customer_id, action, details, head.hash)
    s.add(AuditRow(
        seq=seq, at=stamp, actor=actor, customer_id=customer_id, action=action,
        details=canonical_json(details), prev_hash=head.hash, hash=digest,
    ))
    head.seq, head.hash = seq, digest


def to_audit_record(row: AuditRow) -> AuditRecord:
    return AuditRecord(seq=row.seq, at=row.at, actor=row.actor, customer_id=row.customer_id,
                       action=row.action, details=json.loads(row.details),
                       prev_hash=row.prev_hash, hash=row.hash)
