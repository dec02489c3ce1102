"""The ``BankCore`` port: the only way the bot reaches the bank's systems.

A real bank replaces the adapter (``SqlBankCore`` is the shipped one), never the bot, so everything
the dialogue needs is expressed here as plain frozen dataclasses, domain exceptions and one
``Protocol``. Money is ``Decimal`` at this boundary; every call is scoped to a ``customer_id`` and
refuses data that customer does not own.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, Protocol, get_args

AccountKind = Literal["checking", "savings", "credit_card"]
CardKind = Literal["debit", "credit"]
CardStatus = Literal["active", "frozen", "blocked"]
Direction = Literal["in", "out"]

CARD_STATUSES: tuple[str, ...] = get_args(CardStatus)


def mask_number(number: str) -> str:
    """Show only the last four digits: the bot must never read out a full account or card number."""
    return "****" + number[-4:]


@dataclass(frozen=True)
class Customer:
    """A bank customer. ``date_of_birth`` is only filled when explicitly asked for (PII)."""

    id: int
    customer_number: str
    username: str
    full_name: str
    tier: str
    date_of_birth: date | None = field(default=None, repr=False, compare=False)

    @property
    def first_name(self) -> str:
        return self.full_name.split()[0] if self.full_name else ""


@dataclass(frozen=True)
class Account:
    """A customer account. Balances are signed: a credit card that is owed money is negative.

    ``overdraft_limit`` is the arranged overdraft for checking and the credit limit for cards;
    ``available_balance`` = balance + overdraft_limit. ``statement_balance``/``minimum_payment`` are
    only set for credit cards (amount owed at the last statement, and the minimum due on it).
    """

    id: int
    customer_id: int
    kind: AccountKind
    name: str
    last4: str
    currency: str
    balance: Decimal
    available_balance: Decimal
    account_class: str
    daily_transfer_limit: Decimal
    overdraft_limit: Decimal
    statement_balance: Decimal | None = None
    minimum_payment: Decimal | None = None

    @property
    def masked_number(self) -> str:
        return "****" + self.last4


@dataclass(frozen=True)
class Card:
    id: int
    account_id: int
    kind: CardKind
    last4: str
    status: CardStatus
    expiry: date

    @property
    def masked_number(self) -> str:
        return "**** **** **** " + self.last4


@dataclass(frozen=True)
class CardReplacement:
    """A new card ordered for a blocked one; it is usable once it arrives."""

    card: Card
    replaces_card_id: int
    delivery_estimate: date


@dataclass(frozen=True)
class Dispute:
    id: int
    reference: str
    transaction_id: int
    amount: Decimal
    currency: str
    reason: str
    status: str
    opened_at: datetime


@dataclass(frozen=True)
class OneTimeCodeChallenge:
    """A step-up code was sent; the code itself only ever travels to the customer's phone."""

    id: int
    purpose: str
    masked_destination: str
    expires_at: datetime


@dataclass(frozen=True)
class Payee:
    id: int
    customer_id: int
    name: str
    bank: str
    masked_account: str


@dataclass(frozen=True)
class Transaction:
    """One line on an account statement; ``amount`` is negative for money leaving the account."""

    id: int
    account_id: int
    posted_at: datetime
    amount: Decimal
    currency: str
    description: str
    merchant: str | None
    category: str | None
    reference: str


@dataclass(frozen=True)
class TransferResult:
    """Outcome of a transfer; ``replayed`` is True when an idempotent retry returned the original."""

    transfer_id: int
    reference: str
    status: str
    from_account_id: int
    to_account_id: int | None
    payee_id: int | None
    amount: Decimal
    currency: str
    created_at: datetime
    from_balance_after: Decimal
    replayed: bool = False


ScheduleStatus = Literal["scheduled", "completed", "failed", "cancelled"]


@dataclass(frozen=True)
class ScheduledTransfer:
    """A transfer instruction for a later day. The bank executes it once on or after
    ``execute_on``, checking balance and limit again then; ``failure_reason`` says why it did not
    go out, ``transfer_reference`` names the posting when it did."""

    id: int
    reference: str
    from_account_id: int
    to_account_id: int | None
    payee_id: int | None
    amount: Decimal
    currency: str
    execute_on: date
    status: ScheduleStatus
    created_at: datetime
    failure_reason: str | None = None
    transfer_reference: str | None = None
    replayed: bool = False


@dataclass(frozen=True)
class AuditRecord:
    """One link of the hash-chained audit log."""

    seq: int
    at: str
    actor: str
    customer_id: int | None
    action: str
    details: dict[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class AuditProblem:
    seq: int
    kind: Literal["modified", "deleted"]
    message: str


@dataclass(frozen=True)
class AuditReport:
    ok: bool
    records_checked: int
    problems: tuple[AuditProblem, ...] = ()

    def summary(self) -> str:
        """Human-readable verdict for ``bankbot audit verify`` (which exits non-zero unless ok)."""
        if self.ok:
            return f"audit log OK: {self.records_checked} records, hash chain intact"
        head = f"audit log TAMPERED: {len(self.problems)} problem(s) in {self.records_checked} records"
        return "\n".join([head, *(f"  - {p.message}" for p in self.problems)])


class BankError(Exception):
    """Base of every domain error; ``code`` is stable for callers, the message is human-readable."""

    code = "bank_error"


class UnknownCustomer(BankError):
    code = "unknown_customer"


class UnknownAccount(BankError):
    code = "unknown_account"


class UnknownCard(BankError):
    code = "unknown_card"


class UnknownPayee(BankError):
    code = "unknown_payee"


class NotOwner(BankError):
    code = "not_owner"


class InvalidAmount(BankError):
    code = "invalid_amount"


class InvalidTransfer(BankError):
    code = "invalid_transfer"


class CurrencyMismatch(InvalidTransfer):
    code = "currency_mismatch"


class InsufficientFunds(BankError):
    code = "insufficient_funds"

    def __init__(self, available: Decimal, requested: Decimal, currency: str) -> None:
        super().__init__(
            f"insufficient funds: {requested} {currency} requested, {available} {currency} available"
        )
        self.available, self.requested, self.currency = available, requested, currency


class LimitExceeded(BankError):
    code = "limit_exceeded"

    def __init__(self, limit: Decimal, used: Decimal, requested: Decimal, currency: str) -> None:
        remaining = max(limit - used, Decimal("0.00"))
        super().__init__(
            f"daily transfer limit exceeded: limit {limit} {currency}, {used} {currency} already "
            f"sent today, {remaining} {currency} remaining, {requested} {currency} requested"
        )
        self.limit, self.used, self.requested, self.currency = limit, used, requested, currency
        self.remaining = remaining


class InvalidPayee(BankError):
    code = "invalid_payee"


class DuplicatePayee(InvalidPayee):
    code = "duplicate_payee"


class InvalidCardStatus(BankError):
    code = "invalid_card_status"


class InvalidRequest(BankError):
    code = "invalid_request"


class UnknownTransaction(BankError):
    code = "unknown_transaction"


class InvalidDispute(BankError):
    code = "invalid_dispute"


class UnknownChallenge(BankError):
    code = "unknown_challenge"


class NoDeliveryChannel(BankError):
    code = "no_delivery_channel"


class IdempotencyConflict(BankError):
    code = "idempotency_conflict"


class InvalidSchedule(InvalidTransfer):
    code = "invalid_schedule"


class UnknownScheduledTransfer(BankError):
    code = "unknown_scheduled_transfer"


class BankCore(Protocol):
    """What the bot may ask of a bank. Every customer-scoped call raises ``NotOwner`` for data of
    another customer, ``UnknownCustomer``/``UnknownAccount``/... for ids that do not exist, and
    changes nothing when it raises."""

    def authenticate(self, username: str, password: str) -> Customer | None:
        """App login; ``None`` for a wrong username or password (audited either way)."""

    def verify_identity(
        self, customer_number: str, date_of_birth: date | str | None = None, pin: str | None = None
    ) -> Customer | None:
        """Voice/anonymous identification: every factor given must match, at least one is needed."""

    def get_customer(self, customer_id: int, include_private: bool = False) -> Customer: ...

    def list_accounts(self, customer_id: int) -> list[Account]: ...

    def get_account(self, customer_id: int, account_id: int) -> Account: ...

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
        """Newest first. ``until`` as a date is inclusive; amount bounds apply to the absolute amount;
        ``merchant`` is a case-insensitive substring match on merchant or description."""

    def list_cards(self, customer_id: int) -> list[Card]: ...

    def set_card_status(
        self, customer_id: int, card_id: int, status: CardStatus, actor: str, reason: str | None = None
    ) -> Card:
        """active <-> frozen; anything -> blocked (lost/stolen, final)."""

    def order_replacement_card(self, customer_id: int, card_id: int, actor: str) -> CardReplacement:
        """For a blocked card only; asking twice returns the same replacement."""

    def open_dispute(
        self, customer_id: int, transaction_id: int, reason: str, actor: str
    ) -> Dispute:
        """Dispute a payment out of the customer's account; asking twice returns the open case."""

    def send_one_time_code(self, customer_id: int, purpose: str, actor: str) -> OneTimeCodeChallenge:
        """Step-up verification: deliver a short-lived code to the customer's registered phone."""

    def verify_one_time_code(self, customer_id: int, challenge_id: int, code: str) -> bool:
        """True once for the right code before expiry; a few wrong tries burn the challenge."""

    def list_payees(self, customer_id: int) -> list[Payee]: ...

    def add_payee(
        self, customer_id: int, name: str, bank: str, account_number: str, actor: str
    ) -> Payee: ...

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
        """Move money to one of the customer's own accounts or to a payee, exactly once per
        ``idempotency_key``."""

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
        """Store a transfer for a later day (tomorrow up to a year ahead), exactly once per
        ``idempotency_key``; nothing moves until ``run_due_transfers`` executes it."""

    def list_scheduled_transfers(
        self, customer_id: int, include_finished: bool = False
    ) -> list[ScheduledTransfer]:
        """Soonest first; only pending ones unless ``include_finished``."""

    def cancel_scheduled_transfer(
        self, customer_id: int, scheduled_id: int | str, actor: str
    ) -> ScheduledTransfer:
        """Cancel a pending instruction (by id or reference); cancelling twice is harmless, a
        completed or failed one cannot be cancelled."""

    def run_due_transfers(self, actor: str = "scheduler", limit: int = 100) -> list[ScheduledTransfer]:
        """Execute pending instructions due today or earlier, each exactly once even with several
        callers at the same time; one that fails validation is marked failed with its reason. An
        adapter whose bank runs them itself returns ``[]``."""

    def list_audit(self, customer_id: int | None = None, limit: int = 100) -> list[AuditRecord]: ...

    def audit_verify(self) -> AuditReport:
        """Recompute the audit hash chain; report modified or deleted records by sequence number."""
