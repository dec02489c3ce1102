"""``SqlBankCore``: the shipped ``BankCore`` adapter, a double-entry ledger on SQLAlchemy.

Writes run in one database transaction each (``sql_ledger.write_transaction``). On SQLite that
transaction starts with ``BEGIN IMMEDIATE`` so writers queue on the database lock; on PostgreSQL the
accounts a transfer touches are locked with ``SELECT ... FOR UPDATE`` in id order (no deadlocks),
then the audit head row is locked last, which also serialises the hash chain. Balance and daily-limit checks happen under
those locks, so concurrent transfers can never overdraw an account beyond its arranged limit.
"""
from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.bankcore.audit import verify_chain
from bot.bankcore.hashing import verify_secret
from bot.bankcore.money import CENT, from_minor, to_minor
from bot.bankcore.port import (
    CARD_STATUSES,
    Account,
    AuditRecord,
    AuditReport,
    Card,
    CardStatus,
    CurrencyMismatch,
    Customer,
    Direction,
    DuplicatePayee,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidCardStatus,
    InvalidTransfer,
    LimitExceeded,
    Payee,
    Transaction,
    TransferResult,
    mask_number,
)
from bot.bankcore.sql_access import (
    aware,
    check_currency,
    customer_row,
    naive_utc,
    owned_account,
    owned_card,
    owned_payee,
    transfer_request,
)
from bot.bankcore.sql_ledger import (
    Line,
    append_audit,
    post_entry,
    to_audit_record,
)
from bot.bankcore.sql_models import (
    AccountRow,
    AuditHeadRow,
    AuditRow,
    CardRow,
    CustomerRow,
    JournalEntryRow,
    PayeeRow,
    PostingRow,
    TransferRow,
)
from bot.bankcore.sql_scheduling import SqlScheduling
from bot.bankcore.sql_servicing import SqlServicing, to_card
from bot.bankcore.validation import (
    clean_account_number,
    clean_idempotency_key,
    clean_name,
    clean_text,
)
from bot.db import write_transaction

MAX_TRANSACTIONS = 500


class SqlBankCore(SqlScheduling, SqlServicing):
    """``BankCore`` over the SQL ledger in ``bot.bankcore.sql_models``:
    ``SqlBankCore(session_factory, clock=utcnow, policy=BankPolicy.load())``."""

    def _account(self, s: Session, row: AccountRow) -> Account:
        statement = minimum = None
        if row.kind == "credit_card":
            month_start = self._now().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
            before = s.scalar(
                select(func.coalesce(func.sum(PostingRow.amount_minor), 0)).where(
                    PostingRow.account_id == row.id, PostingRow.posted_at < month_start
                )
            )
            statement = from_minor(max(0, -int(before)))
            share = (statement * self._policy.card_minimum_share).quantize(CENT)
            minimum = min(statement, max(self._policy.card_minimum_floor, share))
        return Account(
            id=row.id, customer_id=row.customer_id, kind=row.kind, name=row.name,
            last4=row.number[-4:], currency=row.currency, balance=from_minor(row.balance_minor),
            available_balance=from_minor(row.balance_minor + row.overdraft_minor),
            account_class=row.account_class, daily_transfer_limit=from_minor(row.daily_limit_minor),
            overdraft_limit=from_minor(row.overdraft_minor),
            statement_balance=statement, minimum_payment=minimum,
        )

    # -- identity -------------------------------------------------------------------------------

    def authenticate(self, username: str, password: str) -> Customer | None:
        if not isinstance(username, str) or not isinstance(password, str):
            return None
        username, password = username.strip()[:64], password[:256]
        with self._sessions() as s:
            row = s.scalar(select(CustomerRow).where(CustomerRow.username == username))
        ok = verify_secret(password, row.password_hash if row else None) and row is not None
        with write_transaction(self._sessions) as s:
            append_audit(s, self._now(), f"login:{username}", row.id if row else None, "login",
                        {"username": username, "success": ok})
        return _customer(row) if ok and row else None

    def verify_identity(
        self, customer_number: str, date_of_birth: date | str | None = None, pin: str | None = None
    ) -> Customer | None:
        if date_of_birth is None and pin is None:
            raise ValueError("verify_identity needs a date of birth or a PIN")
        number = "".join(str(customer_number).split())[:20]
        dob = _parse_date(date_of_birth) if date_of_birth is not None else None
        with self._sessions() as s:
            row = s.scalar(select(CustomerRow).where(CustomerRow.customer_number == number))
        ok = row is not None
        if date_of_birth is not None:
            ok = ok and dob is not None and row.date_of_birth == dob
        if pin is not None:
            pin_ok = verify_secret(str(pin)[:32], row.pin_hash if row else None)
            ok = ok and pin_ok
        factors = [f for f, v in (("date_of_birth", date_of_birth), ("pin", pin)) if v is not None]
        with write_transaction(self._sessions) as s:
            append_audit(s, self._now(), f"ivr:{number[-4:]}", row.id if row else None, "verify_identity",
                        {"customer_number_last4": number[-4:], "factors": factors, "success": ok})
        return _customer(row) if ok and row else None

    def get_customer(self, customer_id: int, include_private: bool = False) -> Customer:
        with self._sessions() as s:
            return _customer(customer_row(s, customer_id), include_private)

    # -- accounts and transactions --------------------------------------------------------------

    def list_accounts(self, customer_id: int) -> list[Account]:
        with self._sessions() as s:
            cid = customer_row(s, customer_id).id
            rows = s.scalars(
                select(AccountRow).where(AccountRow.customer_id == cid).order_by(AccountRow.id)
            )
            return [self._account(s, r) for r in rows]

    def get_account(self, customer_id: int, account_id: int) -> Account:
        with self._sessions() as s:
            cid = customer_row(s, customer_id).id
            return self._account(s, owned_account(s, cid, account_id))

    def list_transactions(
        self,
        customer_id: int,
        account_id: int | None = None,
        since: date | datetime | None = None,
        until: date | datetime | None = None,
        merchant: str | None = None,
        min_amount: Decimal | None = None,
        max_amount: Decimal | None = None,
        direction: Direction | None = None,
        limit: int = 50,
    ) -> list[Transaction]:
        with self._sessions() as s:
            cid = customer_row(s, customer_id).id
            q = (
                select(PostingRow, AccountRow.currency, JournalEntryRow.reference)
                .join(AccountRow, PostingRow.account_id == AccountRow.id)
                .join(JournalEntryRow, PostingRow.entry_id == JournalEntryRow.id)
                .where(AccountRow.customer_id == cid)
            )
            if account_id is not None:
                q = q.where(PostingRow.account_id == owned_account(s, cid, account_id).id)
            if since is not None:
                q = q.where(PostingRow.posted_at >= _bound(since, end=False))
            if until is not None:
                end = _bound(until, end=True)
                q = q.where(PostingRow.posted_at < end if not isinstance(until, datetime)
                            else PostingRow.posted_at <= end)
            if merchant:
                needle = merchant.strip().lower()[:64]
                q = q.where(or_(
                    func.lower(PostingRow.merchant).contains(needle, autoescape=True),
                    func.lower(PostingRow.description).contains(needle, autoescape=True),
                ))
            magnitude = func.abs(PostingRow.amount_minor)
            if min_amount is not None:
                q = q.where(magnitude >= to_minor(Decimal(str(min_amount))))
            if max_amount is not None:
                q = q.where(magnitude <= to_minor(Decimal(str(max_amount))))
            if direction == "in":
                q = q.where(PostingRow.amount_minor > 0)
            elif direction == "out":
                q = q.where(PostingRow.amount_minor < 0)
            elif direction is not None:
                raise ValueError("direction must be 'in', 'out' or None")
            q = q.order_by(PostingRow.posted_at.desc(), PostingRow.id.desc())
            q = q.limit(max(1, min(int(limit), MAX_TRANSACTIONS)))
            return [
                Transaction(
                    id=p.id, account_id=p.account_id, posted_at=aware(p.posted_at),
                    amount=from_minor(p.amount_minor), currency=currency,
                    description=p.description, merchant=p.merchant, category=p.category,
                    reference=reference,
                )
                for p, currency, reference in s.execute(q)
            ]

    # -- cards ----------------------------------------------------------------------------------

    def list_cards(self, customer_id: int) -> list[Card]:
        with self._sessions() as s:
            cid = customer_row(s, customer_id).id
            rows = s.scalars(
                select(CardRow).join(AccountRow, CardRow.account_id == AccountRow.id)
                .where(AccountRow.customer_id == cid).order_by(CardRow.id)
            )
            return [to_card(r) for r in rows]

    def set_card_status(
        self, customer_id: int, card_id: int, status: CardStatus, actor: str, reason: str | None = None
    ) -> Card:
        if status not in CARD_STATUSES:
            raise InvalidCardStatus(f"card status must be one of {', '.join(CARD_STATUSES)}")
        with write_transaction(self._sessions) as s:
            cid = customer_row(s, customer_id).id
            row = owned_card(s, cid, card_id)
            if row.status == status:
                return to_card(row)
            if row.status == "blocked":
                raise InvalidCardStatus(
                    f"card ending {row.last4} is blocked and cannot be reactivated; order a replacement"
                )
            previous, row.status = row.status, status
            append_audit(s, self._now(), actor, cid, "card_status", {
                "card_id": row.id, "last4": row.last4, "from": previous, "to": status,
                "reason": (reason or "")[:64],
            })
            return to_card(row)

    # -- payees ---------------------------------------------------------------------------------

    def list_payees(self, customer_id: int) -> list[Payee]:
        with self._sessions() as s:
            cid = customer_row(s, customer_id).id
            rows = s.scalars(select(PayeeRow).where(PayeeRow.customer_id == cid).order_by(PayeeRow.id))
            return [_payee(r) for r in rows]

    def add_payee(
        self, customer_id: int, name: str, bank: str, account_number: str, actor: str
    ) -> Payee:
        name = clean_name(name)
        bank = clean_name(bank, what="bank name")
        number = clean_account_number(account_number)
        try:
            with write_transaction(self._sessions) as s:
                cid = customer_row(s, customer_id).id
                taken = s.scalar(select(PayeeRow.id).where(
                    PayeeRow.customer_id == cid, func.lower(PayeeRow.name) == name.lower()
                ))
                if taken is not None:
                    raise DuplicatePayee(f"you already have a payee called {name}")
                row = PayeeRow(customer_id=cid, name=name, bank=bank, account_number=number)
                s.add(row)
                s.flush()
                append_audit(s, self._now(), actor, cid, "payee_add", {
                    "payee_id": row.id, "name": name, "bank": bank, "account": mask_number(number),
                })
                return _payee(row)
        except IntegrityError:
            raise DuplicatePayee(f"you already have a payee called {name}") from None

    # -- transfers ------------------------------------------------------------------------------

    def transfer(
        self,
        customer_id: int,
        from_account_id: int,
        *,
        to_account_id: int | None = None,
        payee_id: int | None = None,
        amount: Decimal | str | int,
        currency: str,
        idempotency_key: str,
        actor: str,
        memo: str | None = None,
    ) -> TransferResult:
        request = transfer_request(from_account_id, to_account_id, payee_id, amount, currency)
        key = clean_idempotency_key(idempotency_key)
        memo = clean_text(memo, what="memo", max_len=100) if memo else None
        try:
            with write_transaction(self._sessions) as s:
                return self._transfer(s, customer_id, request, key, actor, memo)
        except IntegrityError:
            # A concurrent retry with the same key committed first: answer with its result.
            with self._sessions() as s:
                cid = customer_row(s, customer_id).id
                done = s.scalar(select(TransferRow).where(
                    TransferRow.customer_id == cid, TransferRow.idempotency_key == key
                ))
                if done is None:
                    raise
                return _replay(done, request)

    def _transfer(
        self, s: Session, customer_id: int, request: tuple, key: str, actor: str, memo: str | None
    ) -> TransferResult:
        minor, currency = request[3], request[4]
        cid = customer_row(s, customer_id).id
        source, target, payee = self._endpoints(s, cid, request)
        locked = {i: self._lock(s, i) for i in sorted({source.id, target.id})}
        source, target = locked[source.id], locked[target.id]

        done = s.scalar(select(TransferRow).where(
            TransferRow.customer_id == cid, TransferRow.idempotency_key == key
        ))
        if done is not None:
            return _replay(done, request)

        check_currency(currency, source, target)
        now = self._now()
        day_start = datetime.combine(now.date(), time.min)
        used = int(s.scalar(
            select(func.coalesce(func.sum(TransferRow.amount_minor), 0)).where(
                TransferRow.from_account_id == source.id, TransferRow.created_at >= day_start
            )
        ))
        if used + minor > source.daily_limit_minor:
            raise LimitExceeded(from_minor(source.daily_limit_minor), from_minor(used),
                                from_minor(minor), currency)
        if source.balance_minor - minor < -source.overdraft_minor:
            raise InsufficientFunds(from_minor(source.balance_minor + source.overdraft_minor),
                                    from_minor(minor), currency)

        reference = "TRF-" + secrets.token_hex(5).upper()
        to_name = payee.name if payee else target.name
        out_text = f"{'Payment' if payee else 'Transfer'} to {to_name}" + (f": {memo}" if memo else "")
        entry = post_entry(s, "transfer", reference, now, [
            Line(source, -minor, out_text, category="transfer"),
            Line(target, minor, f"Transfer from {source.name}", category="transfer"),
        ])
        s.flush()
        row = TransferRow(
            customer_id=cid, idempotency_key=key, entry_id=entry.id, from_account_id=source.id,
            to_account_id=None if payee else target.id, payee_id=payee.id if payee else None,
            amount_minor=minor, currency=currency, reference=reference,
            from_balance_after_minor=source.balance_minor, created_at=now,
        )
        s.add(row)
        s.flush()
        append_audit(s, now, actor, cid, "transfer", {
            "transfer_id": row.id, "reference": reference, "from_account_id": source.id,
            "to_account_id": row.to_account_id, "payee_id": row.payee_id,
            "amount": str(from_minor(minor)), "currency": currency, "idempotency_key": key,
        })
        return _result(row, replayed=False)

    def _endpoints(
        self, s: Session, cid: int, request: tuple
    ) -> tuple[AccountRow, AccountRow, PayeeRow | None]:
        """Source account, receiving account (the clearing account for a payee) and payee, all
        owned by the customer; refuses sending money to the same account."""
        from_account_id, to_account_id, payee_id = request[:3]
        source = owned_account(s, cid, from_account_id)
        payee = owned_payee(s, cid, payee_id) if payee_id is not None else None
        target = (
            owned_account(s, cid, to_account_id) if payee is None
            else self._clearing_account(s, source.currency)
        )
        if source.id == target.id:
            raise InvalidTransfer("cannot transfer money from an account to itself")
        return source, target, payee

    def _lock(self, s: Session, account_id: int) -> AccountRow:
        """Row lock on PostgreSQL (no-op on SQLite, which already holds the database write lock)."""
        return s.scalars(
            select(AccountRow).where(AccountRow.id == account_id).with_for_update()
            .execution_options(populate_existing=True)
        ).one()

    def _clearing_account(self, s: Session, currency: str) -> AccountRow:
        row = s.scalar(select(AccountRow).where(
            AccountRow.kind == "clearing", AccountRow.currency == currency
        ))
        if row is None:
            raise CurrencyMismatch(f"payments to other banks in {currency} are not supported")
        return row

    # -- audit ----------------------------------------------------------------------------------

    def list_audit(self, customer_id: int | None = None, limit: int = 100) -> list[AuditRecord]:
        """The most recent records (oldest first), optionally only one customer's."""
        with self._sessions() as s:
            q = select(AuditRow).order_by(AuditRow.seq.desc()).limit(max(1, min(int(limit), 1000)))
            if customer_id is not None:
                q = q.where(AuditRow.customer_id == customer_id)
            return [to_audit_record(r) for r in reversed(s.scalars(q).all())]

    def audit_verify(self) -> AuditReport:
        with self._sessions() as s:
            head = s.get(AuditHeadRow, 1)
            rows = s.scalars(select(AuditRow).order_by(AuditRow.seq).execution_options(yield_per=1000))
            return verify_chain(
                (to_audit_record(r) for r in rows), (head.seq, head.hash) if head else None
            )


# -- row -> port mapping ------------------------------------------------------------------------

def _customer(row: CustomerRow, include_private: bool = False) -> Customer:
    return Customer(
        id=row.id, customer_number=row.customer_number, username=row.username,
        full_name=row.full_name, tier=row.tier,
        date_of_birth=row.date_of_birth if include_private else None,
    )


def _payee(row: PayeeRow) -> Payee:
    return Payee(id=row.id, customer_id=row.customer_id, name=row.name, bank=row.bank,
                 masked_account=mask_number(row.account_number))


def _result(row: TransferRow, replayed: bool) -> TransferResult:
    return TransferResult(
        transfer_id=row.id, reference=row.reference, status="completed",
        from_account_id=row.from_account_id, to_account_id=row.to_account_id,
        payee_id=row.payee_id, amount=from_minor(row.amount_minor), currency=row.currency,
        created_at=aware(row.created_at), from_balance_after=from_minor(row.from_balance_after_minor),
        replayed=replayed,
    )


def _replay(row: TransferRow, request: tuple) -> TransferResult:
    """Same key, same request: the original result. Same key, different request: refuse."""
    from_account_id, to_account_id, payee_id, minor, currency = request
    same = (row.from_account_id, row.to_account_id, row.payee_id, row.amount_minor,
            row.currency) == (from_account_id, to_account_id, payee_id, minor, currency)
    if not same:
        raise IdempotencyConflict("this idempotency key was already used for a different transfer")
    return _result(row, replayed=True)


def _parse_date(value: date | str) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _bound(value: date | datetime, end: bool) -> datetime:
    """Query bound in naive UTC; a date means the start of that day (or of the next, for ``until``)."""
    if isinstance(value, datetime):
        return naive_utc(value)
    start = datetime.combine(value, time.min)
    return start + timedelta(days=1) if end else start
