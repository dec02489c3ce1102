"""Ledger tables of the SQL bank core (all prefixed ``bank_``, on the shared ``bot.db.Base``).

Double-entry: a ``JournalEntry`` owns postings whose amounts sum to zero; an account's
``balance_minor`` is a cache of the sum of its postings, updated in the same transaction so that
balance checks can lock a single row. Money is integer minor units (cents). Customer-less system
accounts (``equity`` for opening balances, ``clearing`` for money to and from other banks) keep the
books balanced.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from bot.bankcore.audit import GENESIS_HASH
from bot.db import Base

SYSTEM_KINDS = ("equity", "clearing")


class CustomerRow(Base):
    __tablename__ = "bank_customers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_number: Mapped[str] = mapped_column(String(20), unique=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(128))
    tier: Mapped[str] = mapped_column(String(32))
    date_of_birth: Mapped[date] = mapped_column(Date)
    password_hash: Mapped[str] = mapped_column(String(200))
    pin_hash: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))


class AccountRow(Base):
    __tablename__ = "bank_accounts"
    __table_args__ = (UniqueConstraint("number", name="uq_bank_accounts_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("bank_customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(64))
    number: Mapped[str] = mapped_column(String(34))
    currency: Mapped[str] = mapped_column(String(3))
    balance_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    account_class: Mapped[str] = mapped_column(String(32), default="")
    daily_limit_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    overdraft_minor: Mapped[int] = mapped_column(BigInteger, default=0)


class CardRow(Base):
    __tablename__ = "bank_cards"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("bank_accounts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    last4: Mapped[str] = mapped_column(String(4))
    status: Mapped[str] = mapped_column(String(8))
    expiry: Mapped[date] = mapped_column(Date)
    replaces_card_id: Mapped[int | None] = mapped_column(ForeignKey("bank_cards.id"), unique=True)
    delivery_estimate: Mapped[date | None] = mapped_column(Date)


class PayeeRow(Base):
    __tablename__ = "bank_payees"
    __table_args__ = (UniqueConstraint("customer_id", "name", name="uq_bank_payees_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("bank_customers.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    bank: Mapped[str] = mapped_column(String(64))
    account_number: Mapped[str] = mapped_column(String(34))


class JournalEntryRow(Base):
    __tablename__ = "bank_journal_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    reference: Mapped[str] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class PostingRow(Base):
    __tablename__ = "bank_postings"
    __table_args__ = (Index("ix_bank_postings_account_time", "account_id", "posted_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("bank_journal_entries.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("bank_accounts.id"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    posted_at: Mapped[datetime] = mapped_column(DateTime)
    description: Mapped[str] = mapped_column(String(140))
    merchant: Mapped[str | None] = mapped_column(String(64))
    category: Mapped[str | None] = mapped_column(String(32))

    entry: Mapped[JournalEntryRow] = relationship()


class TransferRow(Base):
    """One executed transfer; the unique (customer, key) pair makes retries return the original."""

    __tablename__ = "bank_transfers"
    __table_args__ = (
        UniqueConstraint("customer_id", "idempotency_key", name="uq_bank_transfers_idem"),
        Index("ix_bank_transfers_daily", "from_account_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("bank_customers.id"))
    idempotency_key: Mapped[str] = mapped_column(String(128))
    entry_id: Mapped[int] = mapped_column(ForeignKey("bank_journal_entries.id"))
    from_account_id: Mapped[int] = mapped_column(ForeignKey("bank_accounts.id"))
    to_account_id: Mapped[int | None] = mapped_column(ForeignKey("bank_accounts.id"))
    payee_id: Mapped[int | None] = mapped_column(ForeignKey("bank_payees.id"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    reference: Mapped[str] = mapped_column(String(32))
    from_balance_after_minor: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ScheduledTransferRow(Base):
    """A future-dated transfer; ``status`` moves scheduled -> completed | failed | cancelled once.

    The scheduler claims due rows with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, executes the
    transfer with the idempotency key ``scheduled:<id>`` and sets the status in the same database
    transaction, so a row can never be executed twice.
    """

    __tablename__ = "bank_scheduled_transfers"
    __table_args__ = (
        UniqueConstraint("customer_id", "idempotency_key", name="uq_bank_scheduled_idem"),
        Index("ix_bank_scheduled_due", "status", "execute_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("bank_customers.id"), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(128))
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    from_account_id: Mapped[int] = mapped_column(ForeignKey("bank_accounts.id"))
    to_account_id: Mapped[int | None] = mapped_column(ForeignKey("bank_accounts.id"))
    payee_id: Mapped[int | None] = mapped_column(ForeignKey("bank_payees.id"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    memo: Mapped[str | None] = mapped_column(String(100))
    execute_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("bank_transfers.id"))
    failure_reason: Mapped[str | None] = mapped_column(String(200))


class DisputeRow(Base):
    __tablename__ = "bank_disputes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("bank_customers.id"), index=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("bank_postings.id"), unique=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    reason: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    opened_at: Mapped[datetime] = mapped_column(DateTime)


class OneTimeCodeRow(Base):
    __tablename__ = "bank_one_time_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("bank_customers.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(32))
    code_hash: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used: Mapped[bool] = mapped_column(Boolean, default=False)


class OutboxRow(Base):
    """Messages the demo bank "sends" (SMS); a real bank hands these to its delivery service."""

    __tablename__ = "bank_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("bank_customers.id"), index=True)
    channel: Mapped[str] = mapped_column(String(8))
    destination: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class AuditRow(Base):
    __tablename__ = "bank_audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(32))
    details: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHeadRow(Base):
    """Single row holding the chain's tip; locking it serialises appends and catches truncation."""

    __tablename__ = "bank_audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


BANK_TABLES = [
    CustomerRow.__table__, AccountRow.__table__, CardRow.__table__, PayeeRow.__table__,
    JournalEntryRow.__table__, PostingRow.__table__, TransferRow.__table__,
    ScheduledTransferRow.__table__, DisputeRow.__table__,
    OneTimeCodeRow.__table__, OutboxRow.__table__, AuditRow.__table__, AuditHeadRow.__table__,
]


def create_bank_schema(engine: Engine) -> None:
    """Create the bank tables (only these) and the audit head row if missing."""
    Base.metadata.create_all(engine, tables=BANK_TABLES)
    with Session(engine) as session, session.begin():
        if session.get(AuditHeadRow, 1) is None:
            session.add(AuditHeadRow(id=1, seq=0, hash=GENESIS_HASH))


def drop_bank_schema(engine: Engine) -> None:
    Base.metadata.drop_all(engine, tables=BANK_TABLES)
