"""Merchants: names from ``merchants.txt`` anywhere in the text, and "at X"/"from X" names."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from nlu.entities.spans import Claimed, Entity

MERCHANT_FILE = Path(__file__).with_name("merchants.txt")
_AT_NAME = re.compile(r"\b(?:at|@|with|from)\s+(?P<name>[A-Z][\w&'.+-]*(?:\s+[A-Z][\w&'.+-]*){0,2})")


@lru_cache(maxsize=1)
def known_merchants() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(canonical name, pattern) pairs, longest first so "Uber Eats" wins over "Uber"."""
    names = [line.strip() for line in MERCHANT_FILE.read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    names.sort(key=len, reverse=True)
    return tuple((n, re.compile(r"(?<!\w)" + re.escape(n).replace("'", "['\u2019]?") + r"(?!\w)",
                                re.IGNORECASE)) for n in names)


def extract_known_merchants(text: str, claimed: Claimed) -> list[Entity]:
    """Names from the merchant list, normalised to the list's spelling."""
    found = []
    for name, pattern in known_merchants():
        for m in pattern.finditer(text):
            if claimed.free(m.start(), m.end()):
                claimed.take(m.start(), m.end())
                found.append(Entity("merchant", name, m.start(), m.end()))
    return found


def extract_named_merchants(text: str, claimed: Claimed) -> list[Entity]:
    """Capitalised names after "at"/"with"/"from" that no other extractor claimed."""
    found = []
    for m in _AT_NAME.finditer(text):
        start, end = m.start("name"), m.end("name")
        if claimed.free(start, end) and m.group("name").lower() not in ("i", "my", "the"):
            claimed.take(start, end)
            found.append(Entity("merchant", m.group("name"), start, end))
    return found
