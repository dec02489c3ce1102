"""Money amounts with their currency: "$1,200.50", "fifty quid", "1.2k", "50 bucks", "£30"."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from nlu.entities.numbers import WORD_NUMBER_RE, words_to_number
from nlu.entities.spans import Claimed, Entity

SYMBOLS = {"$": "USD", "£": "GBP", "€": "EUR"}
CURRENCY_WORDS = {
    "usd": "USD", "dollar": "USD", "dollars": "USD", "bucks": "USD", "buck": "USD",
    "gbp": "GBP", "pound": "GBP", "pounds": "GBP", "quid": "GBP", "sterling": "GBP",
    "eur": "EUR", "euro": "EUR", "euros": "EUR",
}
_CUR_WORD = "|".join(sorted(CURRENCY_WORDS, key=len, reverse=True))
_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?|\.\d{1,2}"
_SCALE = r"\s?(?:k|grand|thousand|m\b|million)"
_NUMERIC = re.compile(
    rf"(?P<sym>[$£€])?\s?(?P<num>{_DIGITS})(?P<scale>{_SCALE})?(?:\s?(?P<sym2>[€$£]))?"
    rf"(?:\s?(?P<cur>{_CUR_WORD})\b)?", re.IGNORECASE)
_SCALES = {"k": 1000, "grand": 1000, "thousand": 1000, "m": 1_000_000, "million": 1_000_000}
# a bare number followed by one of these counts things or time, it is not money
_NOT_MONEY_AFTER = re.compile(
    r"\s*(?::\d|\d|ish\b|to\s+\d|%|percent|transactions?|payments?|purchases?|times?|days?|weeks?|months?|years?|"
    r"hours?|minutes?|am\b|pm\b|a\.m|p\.m|st\b|nd\b|rd\b|th\b|digits?|items?|cards?|accounts?|"
    r"o'clock|people|kids|rooms)", re.IGNORECASE)
_NOT_MONEY_BEFORE = re.compile(
    r"(?:ending(?:\s+in)?|ends\s+(?:in|with)|last|past|number|no\.?|#|code|pin|top|first|next|"
    r"card|account|in|on|at|since|until|from|of|the|be|pin|address|is)\s*$", re.IGNORECASE)
_MONEY_BEFORE = re.compile(
    r"(?:send|transfer|pay|move|wire|give|put|deposit|withdraw|of|over|under|above|below|than|"
    r"make\s+it|it'?s|was|about|around|for|only|just|to|spent?|charged?|costs?|owe|with|"
    r"exceeding|between|and)\s*$", re.IGNORECASE)


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


def _entity(start: int, end: int, value: Decimal, currency: str | None) -> Entity:
    extra = {"currency": currency} if currency else {}
    return Entity("amount", f"{value.quantize(Decimal('0.01'))}", start, end, extra=extra)


def _numeric(text: str, claimed: Claimed) -> list[Entity]:
    found = []
    for m in _NUMERIC.finditer(text):
        start = m.start("sym") if m.group("sym") else m.start("num")
        end = m.end()
        if not claimed.free(start, end) or (start > 0 and text[start - 1].isalnum()):
            continue
        if end < len(text) and text[end].isalnum() and not m.group("cur"):
            continue
        value = _decimal(m.group("num"))
        if value is None:
            continue
        scale = (m.group("scale") or "").strip().lower()
        value *= _SCALES.get(scale, 1)
        symbol = m.group("sym") or m.group("sym2")
        word = (m.group("cur") or "").lower()
        currency = SYMBOLS.get(symbol or "") or CURRENCY_WORDS.get(word)
        if not currency and not scale and not _bare_number_is_money(text, start, end):
            continue
        # drop trailing whitespace the optional groups may have eaten
        while end > start and text[end - 1].isspace():
            end -= 1
        found.append(_entity(start, end, value, currency))
    return found


def _bare_number_is_money(text: str, start: int, end: int) -> bool:
    """A number without a currency is money only where the words around it say so."""
    if _NOT_MONEY_AFTER.match(text[end:]):
        return False
    if len(re.sub(r"\D", "", text[start:end].split(".")[0])) >= 7:
        return False  # customer and account numbers, not amounts
    before = text[:start]
    if _MONEY_BEFORE.search(before):
        return True
    if _NOT_MONEY_BEFORE.search(before):
        return False
    return not before.strip() or text[end:].strip(" ?!.").lower() in ("", "please", "pls")


def _words(text: str, claimed: Claimed) -> list[Entity]:
    found = []
    for m in WORD_NUMBER_RE.finditer(text):
        start, end = m.start(), m.end()
        value = words_to_number(m.group(0))
        if value is None or not claimed.free(start, end):
            continue
        after = re.match(rf"\s*(?:({_CUR_WORD})\b)?", text[end:], re.IGNORECASE)
        currency_word = after.group(1) if after else None
        before_symbol = re.search(r"([$£€])\s*$", text[:start])
        currency = CURRENCY_WORDS.get((currency_word or "").lower()) or (
            SYMBOLS[before_symbol.group(1)] if before_symbol else None)
        if currency_word and after:
            end += after.end()
        elif not currency and (value < 2 or not _bare_number_is_money(text, start, end)):
            continue
        if before_symbol:
            start = before_symbol.start(1)
        found.append(_entity(start, end, value, currency))
    return found


def extract_amounts(text: str, claimed: Claimed) -> list[Entity]:
    """Amounts not overlapping already-claimed spans; the value is a 2-decimal string."""
    found = []
    for entity in [*_numeric(text, claimed), *_words(text, claimed)]:
        if claimed.free(entity.start, entity.end):
            claimed.take(entity.start, entity.end)
            found.append(entity)
    return found
