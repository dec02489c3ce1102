"""Money conversions: integer minor units (cents) in the database, ``Decimal`` at the port.

Keeping the ledger in integers means sums are exact in SQL on every backend; every amount that
enters from outside goes through ``parse_amount`` so bad input is refused before anything is written.
"""
from __future__ import annotations

from decimal import ROUND_DOWN, Decimal, InvalidOperation

from bot.bankcore.port import InvalidAmount

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("1000000.00")


def to_minor(amount: Decimal) -> int:
    """Exact Decimal (at most 2 places) to cents."""
    return int(amount.quantize(CENT) * 100)


def from_minor(minor: int) -> Decimal:
    return (Decimal(minor) / 100).quantize(CENT)


def parse_amount(value: object, max_amount: Decimal = MAX_AMOUNT) -> Decimal:
    """A positive amount with at most two decimal places and no more than ``max_amount``."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, float, str)):
        raise InvalidAmount(f"amount must be a number, got {type(value).__name__}")
    text = str(value).strip()
    if len(text) > 32:
        raise InvalidAmount("amount is too long to be a real amount")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(text)
    except InvalidOperation:
        raise InvalidAmount(f"amount {value!r} is not a number") from None
    if not amount.is_finite():
        raise InvalidAmount("amount must be a finite number")
    if amount <= 0:
        raise InvalidAmount("amount must be greater than zero")
    if amount > max_amount:
        raise InvalidAmount(f"amount must not exceed {max_amount}")
    if amount != amount.quantize(CENT, rounding=ROUND_DOWN):
        raise InvalidAmount("amount can have at most two decimal places")
    return amount.quantize(CENT)
