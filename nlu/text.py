"""Make arbitrary user text safe and bounded before it reaches the encoder."""
from __future__ import annotations

import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")


def clean_text(text: str, max_chars: int) -> str:
    """Turn control characters into spaces, drop invisible/unassigned ones, collapse whitespace,
    and cut to ``max_chars``.

    Truncating before tokenising keeps the latency of a 10,000-character message bounded.
    """
    text = text[: max_chars * 2]
    kept = "".join(_clean_char(ch) for ch in text)
    return _WHITESPACE.sub(" ", kept).strip()[:max_chars].rstrip()


def _clean_char(ch: str) -> str:
    category = unicodedata.category(ch)
    if category == "Cc":
        return " "
    return "" if category[0] == "C" else ch


def has_words(text: str) -> bool:
    """True when there is at least one letter or digit (emoji or punctuation alone are not words)."""
    return any(ch.isalnum() for ch in text)
