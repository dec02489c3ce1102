"""Rewrite reply text the way a person would say it, before TTS (and for scoring ASR output).

Amounts, dates, masked account/card numbers, percentages and long reference numbers are spelled
out; everything else is left to the synthesiser.
"""
from __future__ import annotations

import re

from speech.numbers import cardinal, digits, ordinal, year

CURRENCIES = {"$": ("dollar", "dollars", "cent", "cents"), "£": ("pound", "pounds", "penny", "pence"),
              "€": ("euro", "euros", "cent", "cents")}
CODES = {"USD": "$", "GBP": "£", "EUR": "€"}
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]

_AMOUNT = re.compile(r"(?P<sym>[$£€])\s?(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d{1,2}))?\b")
_CODE_AMOUNT = re.compile(r"\b(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d{1,2}))?\s?(?P<code>USD|GBP|EUR)\b")
_MASKED = re.compile(r"(?:[*xX•#]{2,}[\s-]?)+(?P<digits>\d{2,6})\b")
_ENDING = re.compile(r"\b(?P<lead>ending(?: in)?|last (?:four|4)(?: digits)?(?: are| of)?)\s+(?P<digits>\d{2,6})\b", re.I)
_ISO_DATE = re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b")
_MONTH_DATE = re.compile(
    r"\b(?P<mon>" + "|".join(sorted(MONTHS + [m[:3] for m in MONTHS], key=len, reverse=True))
    + r")\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<y>\d{4}))?\b")
_PERCENT = re.compile(r"\b(?P<int>\d+)(?:\.(?P<frac>\d+))?\s?%")
_LONG_DIGITS = re.compile(r"\b\d{5,}\b")
_NUMBER = re.compile(r"\b\d{1,3}(?:,\d{3})+\b|\b\d+\b")


def amount_words(whole: str, frac: str | None, symbol: str = "$") -> str:
    """("1,200", "50") → "one thousand two hundred dollars and fifty cents"."""
    unit, units, sub, subs = CURRENCIES[symbol]
    major = int(whole.replace(",", ""))
    minor = int(frac.ljust(2, "0")) if frac else 0
    parts = []
    if major or not minor:
        parts.append(f"{cardinal(major)} {unit if major == 1 else units}")
    if minor:
        parts.append(f"{cardinal(minor)} {sub if minor == 1 else subs}")
    return " and ".join(parts)


def _date(y: int | None, m: int, d: int) -> str | None:
    if not (1 <= m <= 12 and 1 <= d <= 31):
        return None
    spoken = f"{MONTHS[m - 1]} {ordinal(d)}"
    return f"{spoken}, {year(y)}" if y else spoken


def _iso(match: re.Match) -> str:
    return _date(int(match["y"]), int(match["m"]), int(match["d"])) or match[0]


def _month(match: re.Match) -> str:
    m = [x[:3].lower() for x in MONTHS].index(match["mon"][:3].lower()) + 1
    return _date(int(match["y"]) if match["y"] else None, m, int(match["d"])) or match[0]


def _percent(match: re.Match) -> str:
    frac = f" point {digits(match['frac'])}" if match["frac"] else ""
    return f"{cardinal(int(match['int']))}{frac} percent"


def normalize_for_speech(text: str) -> str:
    """"$1,200.50 from the account ending 4321" →
    "one thousand two hundred dollars and fifty cents from the account ending four three two one"."""
    text = _MASKED.sub(lambda m: f"ending {digits(m['digits'])}", text)
    text = _ENDING.sub(lambda m: f"{m['lead']} {digits(m['digits'])}", text)
    text = _AMOUNT.sub(lambda m: amount_words(m["int"], m["frac"], m["sym"]), text)
    text = _CODE_AMOUNT.sub(lambda m: amount_words(m["int"], m["frac"], CODES[m["code"]]), text)
    text = _ISO_DATE.sub(_iso, text)
    text = _MONTH_DATE.sub(_month, text)
    text = _PERCENT.sub(_percent, text)
    text = _LONG_DIGITS.sub(lambda m: digits(m[0]), text)
    text = _NUMBER.sub(lambda m: cardinal(int(m[0].replace(",", ""))), text)
    return re.sub(r"\s+", " ", text).strip()
