"""Row lookups that enforce ownership, and time/id normalisation, shared by the SQL adapter's parts.

Every customer-scoped read or write goes through these so "a customer only ever sees their own
data" is decided in one place.
"""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from bot.bankcore.money import parse_amount, to_minor
from bot.bankcore.port import (
    CurrencyMismatch,
    InvalidTransfer,
    NotOwner,
    UnknownAccount,
    UnknownCard,
    UnknownCustomer,
    UnknownPayee,
)
from bot.bankcore.sql_models import AccountRow, CardRow, CustomerRow, PayeeRow


def utcnow() -> datetime:
    return datetime.now(UTC)


def naive_utc(value: datetime) -> datetime:
    """The database stores naive UTC; aware datetimes are converted, naive ones taken as UTC."""
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC)


def as_id(value: object, error: type[Exception], what: str) -> int:
    """Ids arrive from dialogue slots as ints or digit strings; anything else is simply unknown."""
    if isinstance(value, str) and value.strip().isdecimal() and len(value.strip()) <= 10:
        value = int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31:
        return value
    raise error(f"unknown {what} {str(value)[:40]!r}")


def customer_row(s: Session, customer_id: object) -> CustomerRow:
    row = s.get(CustomerRow, as_id(customer_id, UnknownCustomer, "customer"))
    if row is None:
        raise UnknownCustomer(f"unknown customer {customer_id}")
    return row


def owned_account(s: Session, customer_id: int, account_id: object) -> AccountRow:
    """The bank's own (customer-less) clearing and equity accounts are reported as unknown."""
    row = s.get(AccountRow, as_id(account_id, UnknownAccount, "account"))
    if row is None or row.customer_id is None:
        raise UnknownAccount(f"unknown account {account_id}")
    if row.customer_id != customer_id:
        raise NotOwner(f"account {account_id} does not belong to this customer")
    return row


def owned_payee(s: Session, customer_id: int, payee_id: object) -> PayeeRow:
    row = s.get(PayeeRow, as_id(payee_id, UnknownPayee, "payee"))
    if row is None:
        raise UnknownPayee(f"unknown payee {payee_id}")
    if row.customer_id != customer_id:
        raise NotOwner(f"payee {payee_id} does not belong to this customer")
    return row


def owned_card(s: Session, customer_id: int, card_id: object) -> CardRow:
    row = s.get(CardRow, as_id(card_id, UnknownCard, "card"))
    if row is None:
        raise UnknownCard(f"unknown card {card_id}")
    if s.get(AccountRow, row.account_id).customer_id != customer_id:
        raise NotOwner(f"card {card_id} does not belong to this customer")
    return row


def transfer_request(
    from_account_id: object, to_account_id: object, payee_id: object, amount: object, currency: object
) -> tuple[int, int | None, int | None, int, str]:
    """A transfer's normalised request (ids, amount in cents, currency), the same for immediate and
    scheduled transfers so an idempotent retry compares like with like."""
    minor = to_minor(parse_amount(amount))
    if (to_account_id is None) == (payee_id is None):
        raise InvalidTransfer("a transfer needs exactly one of to_account_id or payee_id")
    return (
        as_id(from_account_id, UnknownAccount, "account"),
        None if to_account_id is None else as_id(to_account_id, UnknownAccount, "account"),
        None if payee_id is None else as_id(payee_id, UnknownPayee, "payee"),
        minor, str(currency).strip().upper(),
    )


def check_currency(currency: str, source: AccountRow, target: AccountRow) -> None:
    if currency != source.currency or currency != target.currency:
        raise CurrencyMismatch(
            f"this transfer is in {currency} but the accounts are in "
            f"{source.currency}/{target.currency}; currency conversion is not supported"
        )
