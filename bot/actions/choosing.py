"""Turn what the customer said ("savings", "ending 0002", "jane") into their own accounts,
cards and payees. Only the customer's own records are ever candidates."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from decimal import Decimal

from bot.bankcore.port import Account, BankCore, Card, Payee
from nlu.entities.payees import match_payee

KIND_WORDS = {"checking": "checking", "current": "checking", "savings": "savings", "saving": "savings",
              "credit_card": "credit_card", "credit card": "credit_card"}


def find_account(accounts: list[Account], said: str | None) -> Account | None:
    """By kind, last 4 digits or a word of the account's name; None when unknown or ambiguous."""
    if not said:
        return None
    said = said.strip().lower()
    kind = KIND_WORDS.get(said)
    matches = [a for a in accounts if (kind and a.kind == kind) or a.last4 == said
               or (len(said) > 3 and said in a.name.lower())]
    return matches[0] if len(matches) == 1 else None


def find_card(cards: list[Card], said: str | None) -> Card | None:
    if not said:
        return None
    said = said.strip().lower()
    matches = [c for c in cards if re.search(rf"\b(?:{c.last4}|{c.kind})\b", said)]
    return matches[0] if len(matches) == 1 else None


def find_payee(payees: list[Payee], said: str | None) -> Payee | None:
    """Exact or fuzzy (typos, first name only) match against the customer's saved payees."""
    if not said:
        return None
    cleaned = said.strip().removeprefix("to ").strip()
    name = match_payee(cleaned, [p.name for p in payees])
    return next((p for p in payees if p.name == name), None)


def describe_account(account: Account) -> str:
    return f"{account.name} ({account.masked_number})"


def sent_today(bank: BankCore, customer_id: int, account_id: int) -> Decimal:
    """Money that already left the account today (UTC), for the daily limit check."""
    today = datetime.now(timezone.utc).date()
    rows = bank.list_transactions(customer_id, account_id=account_id, since=today,
                                  direction="out", limit=500)
    return sum((-t.amount for t in rows), Decimal("0"))


def largest_recent_payment(bank: BankCore, customer_id: int, since: date) -> Decimal:
    """The customer's biggest single outgoing payment since ``since`` (0 with no history)."""
    rows = bank.list_transactions(customer_id, since=since, direction="out", limit=1000)
    return max((-t.amount for t in rows), default=Decimal("0"))
