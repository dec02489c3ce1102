"""Accounts (checking/savings/credit card, or last 4 digits) and cards (debit/credit, last 4).

A preceding "from"/"to"/"into" becomes the entity's role (also across a name: "to my Wealth
Reserve"), so a transfer form can tell the account money leaves from the one it goes to; someone
else's account ("Alice Morgan's checking account", "her savings") gets the role "other": it is
neither the customer's source nor one of their own accounts.
"""
from __future__ import annotations

import re

from nlu.entities.spans import Claimed, Entity

_ACCOUNT_KINDS = [
    (r"(?:checking|chequing|current|everyday|main|debit)(?:\s+account)?", "checking"),
    (r"(?:savings?|saver|rainy\s+day|reserve)(?:\s+account|\s+pot)?", "savings"),
    (r"credit\s*card(?:\s+account)?|cc\b", "credit_card"),
]
_CARD_KINDS = [
    (r"debit\s*card|debit|bank\s*card|atm\s*card", "debit"),
    (r"credit\s*card|credit|visa|mastercard|amex", "credit"),
]
_LAST4 = re.compile(
    r"\b(?P<noun>card|account)?\s*(?:ending|ends|finishing)\s*(?:in|with)?\s*(?P<d>\d{4})\b"
    r"|\b(?:last\s+(?:4|four)(?:\s+digits)?(?:\s+(?:are|is))?)\s*(?P<d2>\d{4})\b", re.IGNORECASE)
_ROLE = re.compile(r"\b(from|out\s+of|to|into|in)\s+(?:my|the|our)?\s*"
                   r"(?:(?!(?:from|out|to|into|in)\b)[A-Za-z]+\s+){0,2}$", re.IGNORECASE)
_OTHERS = re.compile(r"(?:\b[A-Z][\w-]*(?:\s+[A-Z][\w-]*){0,3}'s|\b(?:his|her|their|someone else's))\s+$")


def _role(text: str, start: int) -> str | None:
    if _OTHERS.search(text[:start]):
        return "other"
    m = _ROLE.search(text[:start])
    if not m:
        return None
    return "from" if m.group(1).lower() in ("from", "out of") else "to" if m.group(1).lower() != "in" else None


def _noun_near(text: str, start: int, end: int) -> str | None:
    window = text[max(0, start - 25):end + 10].lower()
    if "card" in window:
        return "card"
    if "account" in window:
        return "account"
    return None


def extract_accounts_and_cards(text: str, claimed: Claimed) -> list[Entity]:
    """``account`` values: checking | savings | credit_card | 4 digits; ``card``: debit | credit | 4 digits."""
    found: list[Entity] = []
    for m in _LAST4.finditer(text):
        digits = m.group("d") or m.group("d2")
        start, end = m.start("d") if m.group("d") else m.start("d2"), m.end()
        noun = (m.group("noun") or "").lower() or _noun_near(text, m.start(), end)
        kinds = [noun] if noun in ("card", "account") else ["card", "account"]
        for kind in kinds:
            found.append(Entity(kind, digits, start, end, role=_role(text, m.start())))
        claimed.take(start, end)
    for pattern, value in _CARD_KINDS:
        for m in re.finditer(rf"\b(?:{pattern})\b", text, re.IGNORECASE):
            if not claimed.free(m.start(), m.end()):
                continue
            phrase = m.group(0).lower()
            card_after = re.match(r"\s*card", text[m.end():], re.IGNORECASE)
            if "card" in phrase or phrase in ("visa", "mastercard", "amex") or card_after:
                end = m.end() + (card_after.end() if "card" not in phrase and card_after else 0)
                found.append(Entity("card", value, m.start(), end))
                if value == "credit" and "credit" in phrase:
                    found.append(Entity("account", "credit_card", m.start(), end, role=_role(text, m.start())))
                claimed.take(m.start(), end)
    for pattern, value in _ACCOUNT_KINDS:
        for m in re.finditer(rf"\b(?:{pattern})\b", text, re.IGNORECASE):
            if claimed.free(m.start(), m.end()):
                found.append(Entity("account", value, m.start(), m.end(), role=_role(text, m.start())))
                claimed.take(m.start(), m.end())
    return found
