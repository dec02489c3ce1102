"""Validation of free text that customers type into bank records (payee names, account numbers).

Names are restricted to letters, digits and a little punctuation so that nothing surprising ends up
in statements; SQL-looking text is refused by these rules, and anything that passes is still only
ever bound as a query parameter.
"""
from __future__ import annotations

import re

from bot.bankcore.port import InvalidPayee, InvalidRequest, InvalidTransfer

_NAME = re.compile(r"[^\W_][\w .,'&()/-]*", re.UNICODE)
_ACCOUNT_NUMBER = re.compile(r"\d{6,20}")
_IDEMPOTENCY_KEY = re.compile(r"[\w.:-]{1,128}", re.ASCII)


def clean_name(value: object, what: str = "payee name", max_len: int = 64) -> str:
    """Trimmed, single-spaced name of 1..max_len allowed characters."""
    if not isinstance(value, str):
        raise InvalidPayee(f"{what} must be text")
    name = " ".join(value.split())
    if not name:
        raise InvalidPayee(f"{what} must not be empty")
    if len(name) > max_len:
        raise InvalidPayee(f"{what} must be at most {max_len} characters")
    if not _NAME.fullmatch(name) or "--" in name:
        raise InvalidPayee(
            f"{what} may only contain letters, digits, spaces and . , ' & ( ) / -"
        )
    return name


def clean_text(value: object, what: str, max_len: int = 200) -> str:
    """Free text (a dispute reason): printable, single-spaced, 1..max_len characters."""
    if not isinstance(value, str):
        raise InvalidRequest(f"{what} must be text")
    text = " ".join("".join(ch for ch in value if ch.isprintable() or ch.isspace()).split())
    if not text:
        raise InvalidRequest(f"{what} must not be empty")
    if len(text) > max_len:
        raise InvalidRequest(f"{what} must be at most {max_len} characters")
    return text


def clean_account_number(value: object) -> str:
    """6-20 digits; spaces and dashes people type between groups are dropped."""
    if not isinstance(value, str):
        raise InvalidPayee("account number must be text")
    digits = re.sub(r"[\s-]", "", value)
    if not _ACCOUNT_NUMBER.fullmatch(digits):
        raise InvalidPayee("account number must be 6 to 20 digits")
    return digits


def clean_idempotency_key(value: object) -> str:
    if not isinstance(value, str) or not _IDEMPOTENCY_KEY.fullmatch(value):
        raise InvalidTransfer("idempotency key must be 1-128 characters of letters, digits, . : _ -")
    return value
