"""Servicing on the SQL bank core: replacement cards, transaction disputes and step-up codes.

These are the bank-side halves of the customer-care skills; the base class also holds the session
factory and clock that ``SqlBankCore`` builds on. One-time codes are delivered through a demo
outbox table (standing in for an SMS gateway) that tests and the demo UI can read.
"""
from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from bot.bankcore.hashing import hash_secret, verify_secret
from bot.bankcore.money import from_minor
from bot.bankcore.policy import BankPolicy
from bot.bankcore.port import (
    Card,
    CardReplacement,
    Dispute,
    InvalidCardStatus,
    InvalidDispute,
    NoDeliveryChannel,
    NotOwner,
    OneTimeCodeChallenge,
    UnknownChallenge,
    UnknownTransaction,
)
from bot.bankcore.sql_access import (
    as_id,
    aware,
    customer_row,
    naive_utc,
    owned_card,
    utcnow,
)
from bot.bankcore.sql_ledger import append_audit
from bot.bankcore.sql_models import (
    AccountRow,
    CardRow,
    DisputeRow,
    OneTimeCodeRow,
    OutboxRow,
    PostingRow,
)
from bot.bankcore.validation import clean_text
from bot.db import write_transaction

CARD_VALID_YEARS = 4
CODE_TTL = timedelta(minutes=5)
CODE_MAX_ATTEMPTS = 3
# A 6-digit code is protected by its attempt limit and lifetime, not by key stretching; a light
# derivation keeps the write lock short while still never storing the code itself.
CODE_HASH_ITERATIONS = 1_000
_PURPOSE = re.compile(r"[a-z][a-z_]{0,31}")


@dataclass(frozen=True)
class OutboxMessage:
    """A message the demo bank "sent" (demo adapter only; a real bank uses its SMS gateway)."""

    channel: str
    destination: str
    body: str
    sent_at: datetime


def to_card(row: CardRow) -> Card:
    return Card(id=row.id, account_id=row.account_id, kind=row.kind, last4=row.last4,
                status=row.status, expiry=row.expiry)


def _business_days_after(day: date, n: int) -> date:
    while n:
        day += timedelta(days=1)
        n -= day.weekday() < 5
    return day


def _card_expiry(today: date) -> date:
    """Last day of the same month, CARD_VALID_YEARS on."""
    first_of_next = date(today.year + CARD_VALID_YEARS + today.month // 12, today.month % 12 + 1, 1)
    return first_of_next - timedelta(days=1)


class SqlServicing:
    """Servicing operations of ``BankCore`` over the SQL ledger (base of ``SqlBankCore``)."""

    def __init__(
        self, session_factory: sessionmaker, clock: Callable[[], datetime] = utcnow,
        policy: BankPolicy | None = None,
    ) -> None:
        self._sessions = session_factory
        self._clock = clock
        self._policy = policy or BankPolicy.load()

    def _now(self) -> datetime:
        return naive_utc(self._clock())

    def order_replacement_card(self, customer_id: int, card_id: int, actor: str) -> CardReplacement:
        with write_transaction(self._sessions) as s:
            cid = customer_row(s, customer_id).id
            old = owned_card(s, cid, card_id)
            new = s.scalar(select(CardRow).where(CardRow.replaces_card_id == old.id))
            if new is None:
                if old.status != "blocked":
                    raise InvalidCardStatus(
                        f"card ending {old.last4} is {old.status}; only a blocked (lost or stolen) "
                        "card can be replaced"
                    )
                today = self._now().date()
                taken = set(s.scalars(select(CardRow.last4).where(CardRow.account_id == old.account_id)))
                last4 = next(n for n in (f"{secrets.randbelow(10_000):04d}" for _ in iter(int, 1))
                             if n not in taken)
                new = CardRow(account_id=old.account_id, kind=old.kind, last4=last4, status="active",
                              expiry=_card_expiry(today), replaces_card_id=old.id,
                              delivery_estimate=_business_days_after(today, self._policy.card_delivery_business_days))
                s.add(new)
                s.flush()
                append_audit(s, self._now(), actor, cid, "card_replace", {
                    "card_id": old.id, "new_card_id": new.id, "new_last4": last4,
                    "delivery_estimate": new.delivery_estimate,
                })
            return CardReplacement(card=to_card(new), replaces_card_id=old.id,
                                   delivery_estimate=new.delivery_estimate)

    def open_dispute(
        self, customer_id: int, transaction_id: int, reason: str, actor: str
    ) -> Dispute:
        reason = clean_text(reason, what="dispute reason")
        try:
            with write_transaction(self._sessions) as s:
                cid = customer_row(s, customer_id).id
                posting = s.get(PostingRow, as_id(transaction_id, UnknownTransaction, "transaction"))
                if posting is None:
                    raise UnknownTransaction(f"unknown transaction {transaction_id}")
                account = s.get(AccountRow, posting.account_id)
                if account.customer_id != cid:
                    raise NotOwner(f"transaction {transaction_id} does not belong to this customer")
                if posting.amount_minor >= 0:
                    raise InvalidDispute("only payments out of your account can be disputed")
                row = s.scalar(select(DisputeRow).where(DisputeRow.posting_id == posting.id))
                if row is None:
                    row = DisputeRow(customer_id=cid, posting_id=posting.id, status="open",
                                     reference="DSP-" + secrets.token_hex(4).upper(),
                                     reason=reason, opened_at=self._now())
                    s.add(row)
                    s.flush()
                    append_audit(s, self._now(), actor, cid, "dispute_open", {
                        "dispute_id": row.id, "reference": row.reference,
                        "transaction_id": posting.id, "amount": from_minor(posting.amount_minor),
                    })
                return Dispute(id=row.id, reference=row.reference, transaction_id=posting.id,
                               amount=from_minor(-posting.amount_minor), currency=account.currency,
                               reason=row.reason, status=row.status, opened_at=aware(row.opened_at))
        except IntegrityError:  # the same dispute was opened concurrently: answer with that one
            return self.open_dispute(customer_id, transaction_id, reason, actor)

    def send_one_time_code(self, customer_id: int, purpose: str, actor: str) -> OneTimeCodeChallenge:
        if not isinstance(purpose, str) or not _PURPOSE.fullmatch(purpose):
            raise ValueError("purpose must be a short snake_case word such as 'add_payee'")
        code = f"{secrets.randbelow(10**6):06d}"
        with write_transaction(self._sessions) as s:
            customer = customer_row(s, customer_id)
            if not customer.phone:
                raise NoDeliveryChannel("no phone number is registered for security codes")
            now = self._now()
            row = OneTimeCodeRow(customer_id=customer.id, purpose=purpose, expires_at=now + CODE_TTL,
                                 code_hash=hash_secret(code, iterations=CODE_HASH_ITERATIONS),
                                 attempts=0, used=False)
            s.add(row)
            s.add(OutboxRow(
                customer_id=customer.id, channel="sms", destination=customer.phone, created_at=now,
                body=(f"{code} is your security code to {purpose.replace('_', ' ')}. It expires in "
                      f"{int(CODE_TTL.total_seconds() // 60)} minutes. Never share it with anyone."),
            ))
            s.flush()
            masked = f"phone ending {customer.phone[-4:]}"
            append_audit(s, now, actor, customer.id, "otp_sent",
                         {"challenge_id": row.id, "purpose": purpose, "destination": masked})
            return OneTimeCodeChallenge(id=row.id, purpose=purpose, masked_destination=masked,
                                        expires_at=aware(row.expires_at))

    def verify_one_time_code(self, customer_id: int, challenge_id: int, code: str) -> bool:
        with write_transaction(self._sessions) as s:
            cid = customer_row(s, customer_id).id
            row = s.get(OneTimeCodeRow, as_id(challenge_id, UnknownChallenge, "challenge"),
                        with_for_update=True, populate_existing=True)
            if row is None:
                raise UnknownChallenge(f"unknown security-code challenge {challenge_id}")
            if row.customer_id != cid:
                raise NotOwner(f"challenge {challenge_id} does not belong to this customer")
            live = not row.used and row.attempts < CODE_MAX_ATTEMPTS and self._now() <= row.expires_at
            ok = False
            if live:
                row.attempts += 1
                ok = isinstance(code, str) and verify_secret(code.strip()[:12], row.code_hash)
                row.used = ok
            append_audit(s, self._now(), f"customer:{cid}", cid, "otp_verify",
                         {"challenge_id": row.id, "purpose": row.purpose, "success": ok})
        return ok

    def outbox(self, customer_id: int) -> list[OutboxMessage]:
        """Demo only: what the bank "sent" this customer, newest first."""
        with self._sessions() as s:
            cid = customer_row(s, customer_id).id
            rows = s.scalars(select(OutboxRow).where(OutboxRow.customer_id == cid)
                             .order_by(OutboxRow.id.desc()))
            return [OutboxMessage(r.channel, r.destination, r.body, aware(r.created_at)) for r in rows]
