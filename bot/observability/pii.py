"""Mask personal data in free text before anyone but the customer sees it (logs, agents, analytics).

Contextual patterns run first ("my PIN is 1234": four digits are only a secret next to a keyword),
then shape-based ones (card, IBAN, sort code, SSN, NI number, phone, long digit runs). Card and
account numbers keep their last four digits, which staff need to tell products apart.
"""
from __future__ import annotations

import re
from collections.abc import Callable


def _digits(lo: int, hi: int) -> str:
    """Between ``lo`` and ``hi`` digits, optionally separated by single spaces or dashes."""
    return rf"\d(?:[ -]?\d){{{lo - 1},{hi - 1}}}"


def _last4(label: str) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group("secret"))
        return match.group(0)[: match.start("secret") - match.start(0)] + f"[{label} ****{digits[-4:]}]"
    return replace


def _token(label: str) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        if "secret" not in match.groupdict():
            return f"[{label}]"
        return match.group(0)[: match.start("secret") - match.start(0)] + f"[{label}]"
    return replace


def _phone(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return "[phone]" if 9 <= len(digits) <= 15 else match.group(0)


_IS = r"(?:\s*(?:is|was|=|:|-|\#)\s*|\s+)"
_RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"\b\d{2}-\d{2}-\d{2}\b"), _token("sort code")),
    # "PIN is 1234", "pin: 4 8 2 1"
    (re.compile(rf"\bpin(?:\s*(?:number|code))?(?:'s)?{_IS}(?P<secret>{_digits(4, 6)})\b", re.I),
     _token("pin")),
    # one-time / verification / security codes, OTP, CVV
    (re.compile(r"\b(?:one[- ]?time\s*(?:pass)?code|otp|passcode|verification\s*code|security\s*code|"
                r"confirmation\s*code|auth(?:entication|orisation|orization)?\s*code|cvv2?|cvc|code)"
                rf"(?:'s)?{_IS}(?P<secret>{_digits(3, 8)})\b", re.I), _token("code")),
    # national identifiers named as such
    (re.compile(r"\b(?:national\s*(?:id|identity|insurance)|social\s*security|ssn|passport|tax\s*id|nino)"
                rf"(?:\s*(?:number|no\.?|card))?{_IS}(?P<secret>[A-Z0-9](?:[ -]?[A-Z0-9]){{5,14}})\b",
                re.I), _token("national id")),
    # account numbers named as such
    (re.compile(rf"\b(?:account|acct|a/c)(?:\s*(?:number|no\.?|num))?{_IS}(?P<secret>{_digits(6, 18)})\b",
                re.I), _last4("account")),
    (re.compile(r"\b\d{3}-\d{2}-\d{4}\b"), _token("national id")),                      # US SSN
    (re.compile(r"\b[A-CEGHJ-PR-TW-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b", re.I), _token("national id")),
    # IBAN: upper case, or lower case typed in groups (so hex ids like conversation ids stay intact)
    (re.compile(r"\b(?P<secret>[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?)\b"), _last4("account")),
    (re.compile(r"\b(?P<secret>[a-z]{2}\d{2}(?: [a-z0-9]{4}){2,7}(?: [a-z0-9]{1,3})?)\b"), _last4("account")),
    (re.compile(rf"\b(?P<secret>{_digits(13, 19)})\b"), _last4("card")),
    (re.compile(r"(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,5}\)?){2,5}(?!\w)"), _phone),
    (re.compile(r"(?<!\w)\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4}\b"), _phone),
    (re.compile(r"\b0\d{2,4}[ -]?\d{3,4}[ -]?\d{3,4}\b"), _phone),
    (re.compile(r"\b(?P<secret>\d{8,18})\b"), _last4("account")),
]


def mask_pii(text: str) -> str:
    """Return ``text`` with card, account, PIN, one-time-code, national-id and phone numbers masked."""
    for pattern, replace in _RULES:
        text = pattern.sub(replace, text)
    return text


def mask_value(value: object) -> object:
    """Mask every string inside a JSON-like value (entities, meta) the same way."""
    if isinstance(value, str):
        return mask_pii(value)
    if isinstance(value, list):
        return [mask_value(v) for v in value]
    if isinstance(value, dict):
        return {k: mask_value(v) for k, v in value.items()}
    return value
