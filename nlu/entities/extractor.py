"""Run every extractor in a fixed order (most specific first) and return Rasa entity dicts."""
from __future__ import annotations

from datetime import date
from typing import Any

from nlu.entities.accounts import extract_accounts_and_cards
from nlu.entities.amounts import extract_amounts
from nlu.entities.dates import extract_dates
from nlu.entities.merchants import extract_known_merchants, extract_named_merchants
from nlu.entities.payees import extract_known_payees, extract_payees
from nlu.entities.spans import Claimed, Entity

MAX_CHARS = 1000  # entities in a 10,000-character message are not worth the regex time


def find_entities(text: str, today: date | None = None, payees: list[str] | None = None) -> list[Entity]:
    """Typed entities in text order. Dates and account/card digits go first so "ending 4321" or
    "the 5th" never become amounts; known merchants before payees so "pay Netflix" is a merchant."""
    text = text[:MAX_CHARS]
    today = today or date.today()
    claimed = Claimed()
    found: list[Entity] = []
    found += extract_accounts_and_cards(text, claimed)
    found += extract_dates(text, today, claimed)
    found += extract_amounts(text, claimed)
    found += extract_known_payees(text, payees or [], claimed)
    found += extract_known_merchants(text, claimed)
    found += extract_payees(text, claimed, payees)
    found += extract_named_merchants(text, claimed)
    return sorted(found, key=lambda e: (e.start, e.entity))


def extract_entities(text: str, today: date | None = None,
                     payees: list[str] | None = None) -> list[dict[str, Any]]:
    """Rasa-format entity dicts for ``text``; relative dates resolve against ``today``."""
    if not isinstance(text, str) or not text.strip():
        return []
    return [entity.to_rasa(text) for entity in find_entities(text, today, payees)]
