"""Dates and date ranges resolved to ISO against "today": "last Friday", "since March",
"past two weeks", "last month", "3 days ago", "between the 1st and the 5th of May"."""
from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from nlu.entities.numbers import words_to_number
from nlu.entities.spans import Claimed, Entity

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
_MONTH = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?:" + "|".join(WEEKDAYS) + r")"
_COUNT = r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|couple of|few)"
_UNIT = r"(?:day|week|month|year)s?"
_DAYNUM = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"

Range = tuple[date, date]


def _count(text: str) -> int:
    text = text.lower()
    if text.isdigit():
        return int(text)
    if text in ("couple of",):
        return 2
    if text == "few":
        return 3
    value = words_to_number(text)
    return int(value) if value else 1


def _shift(day: date, unit: str, n: int) -> date:
    """``day`` moved back by ``n`` units (months/years clamp to the month's last day)."""
    unit = unit.rstrip("s")
    if unit == "day":
        return day - timedelta(days=n)
    if unit == "week":
        return day - timedelta(weeks=n)
    months = n * (12 if unit == "year" else 1)
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(y, m + 1, min(day.day, calendar.monthrange(y, m + 1)[1]))


def _month_range(year: int, month: int) -> Range:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _past_month(today: date, month: int, year: int | None) -> Range:
    """A month name means its latest occurrence up to now unless a year is given."""
    if year is None:
        year = today.year if month <= today.month else today.year - 1
    return _month_range(year, month)


def _day_of(today: date, day: int, month: int | None, year: int | None) -> date | None:
    try:
        if month is None:
            candidate = date(today.year, today.month, day)
            return candidate if candidate <= today else _shift(candidate, "month", 1)
        if year is None:
            candidate = date(today.year, month, day)
            return candidate if candidate <= today + timedelta(days=31) else date(today.year - 1, month, day)
        return date(year, month, day)
    except ValueError:
        return None


def _weekday(today: date, name: str, which: str) -> date:
    target = WEEKDAYS.index(name.lower())
    if which == "next":
        return today + timedelta(days=(target - today.weekday() - 1) % 7 + 1)
    if which == "this":
        return today - timedelta(days=today.weekday()) + timedelta(days=target)
    back = (today.weekday() - target) % 7 or 7  # "last Friday"/"on Friday": the latest past one
    return today - timedelta(days=back)


def _period(today: date, which: str, unit: str) -> Range:
    unit = unit.lower()
    if unit == "week":
        monday = today - timedelta(days=today.weekday())
        start = monday + timedelta(weeks={"last": -1, "this": 0, "next": 1}[which])
        return start, start + timedelta(days=6)
    if unit == "month":
        y, m = divmod(today.year * 12 + today.month - 1 + {"last": -1, "this": 0, "next": 1}[which], 12)
        return _month_range(y, m + 1)
    year = today.year + {"last": -1, "this": 0, "next": 1}[which]
    return date(year, 1, 1), date(year, 12, 31)


_DAY_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "tenth": 10, "fifteenth": 15,
              "twentieth": 20}
_DAY_OF_MONTH = rf"(?:the\s+)?(?:{_DAYNUM}|{'|'.join(_DAY_WORDS)})\s+of\s+(?:the\s+)?(?:(?:next|this|coming)\s+)?month"


def _day_of_month(expr: str, today: date) -> date | None:
    """"the first of next month", "the 15th of this month", "the 1st of the month" (the next one)."""
    m = re.fullmatch(rf"(?:the\s+)?(\d{{1,2}}|{'|'.join(_DAY_WORDS)})(?:st|nd|rd|th)?\s+of\s+(?:the\s+)?"
                     rf"(?:(next|this|coming)\s+)?month", expr)
    if not m:
        return None
    day = _DAY_WORDS.get(m.group(1)) or int(m.group(1))
    year, month = today.year, today.month
    if m.group(2) in ("next", "coming") or (m.group(2) is None and day <= today.day):
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _point(expr: str, today: date) -> Range | None:
    """Resolve one date expression (no range words) to a (start, end) pair; None if unknown."""
    e = expr.lower().strip()
    if (d := _day_of_month(e, today)) is not None:
        return d, d
    if e in ("today", "this morning", "this afternoon", "this evening", "tonight", "now"):
        return today, today
    if e == "yesterday":
        return (d := today - timedelta(days=1)), d
    if e in ("the day before yesterday",):
        return (d := today - timedelta(days=2)), d
    if e == "tomorrow":
        return (d := today + timedelta(days=1)), d
    if e in ("recently", "lately"):
        return today - timedelta(days=30), today
    if m := re.fullmatch(rf"(?:(last|this|next|on)\s+)?(?:week\s+)?({_WEEKDAY})", e):
        d = _weekday(today, m.group(2), m.group(1) or "last")
        return d, d
    if m := re.fullmatch(rf"({_COUNT})\s+({_UNIT})\s+ago", e):
        d = _shift(today, m.group(2), _count(m.group(1)))
        return d, d
    if m := re.fullmatch(r"(last|this|next|previous|current)\s+(week|month|year)", e):
        which = {"previous": "last", "current": "this"}.get(m.group(1), m.group(1))
        return _period(today, which, m.group(2))
    if m := re.fullmatch(rf"(?:the\s+)?(?:past|last)\s+({_COUNT})?\s*({_UNIT})", e):
        n = _count(m.group(1)) if m.group(1) else 1
        return _shift(today, m.group(2), n), today
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", e):
        d = _day_of(today, int(m.group(3)), int(m.group(2)), int(m.group(1)))
        return (d, d) if d else None
    if m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", e):
        d = _day_of(today, int(m.group(2)), int(m.group(1)), int(m.group(3)))  # US order
        return (d, d) if d else None
    if m := re.fullmatch(rf"(?:the\s+)?(\d{{1,2}})(?:st|nd|rd|th)?(?:\s+of)?\s+({_MONTH})(?:,?\s+(\d{{4}}))?", e):
        d = _day_of(today, int(m.group(1)), MONTHS[m.group(2).rstrip(".")], _int(m.group(3)))
        return (d, d) if d else None
    if m := re.fullmatch(rf"({_MONTH})\s+(?:the\s+)?(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?", e):
        d = _day_of(today, int(m.group(2)), MONTHS[m.group(1).rstrip(".")], _int(m.group(3)))
        return (d, d) if d else None
    if m := re.fullmatch(r"(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)", e):
        d = _day_of(today, int(m.group(1)), None, None)
        return (d, d) if d else None
    if m := re.fullmatch(rf"(?:(last|this)\s+)?({_MONTH})(?:\s+(\d{{4}}))?", e):
        month = MONTHS[m.group(2).rstrip(".")]
        year = _int(m.group(3)) or (today.year - 1 if m.group(1) == "last" and month >= today.month else None)
        return _past_month(today, month, year)
    if m := re.fullmatch(r"(?:in\s+|during\s+)?((?:19|20)\d{2})", e):
        year = int(m.group(1))
        return date(year, 1, 1), date(year, 12, 31)
    return None


def _int(text: str | None) -> int | None:
    return int(text) if text else None


_POINT = (rf"(?:{_DAY_OF_MONTH}"
          rf"|the\s+day\s+before\s+yesterday|today|yesterday|tomorrow|tonight|this\s+(?:morning|afternoon|evening)"
          rf"|recently|lately"
          rf"|(?:(?:last|this|next|on)\s+)?(?:week\s+)?{_WEEKDAY}"
          rf"|{_COUNT}\s+{_UNIT}\s+ago"
          rf"|(?:last|this|next|previous|current)\s+(?:week|month|year)"
          rf"|(?:the\s+)?(?:past|last)\s+(?:{_COUNT}\s+)?{_UNIT}"
          rf"|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}/\d{{1,2}}/\d{{4}}"
          rf"|(?:the\s+)?{_DAYNUM}(?:\s+of)?\s+{_MONTH}(?:,?\s+\d{{4}})?"
          rf"|{_MONTH}\s+(?:the\s+)?{_DAYNUM}(?:,?\s+\d{{4}})?"
          rf"|(?:the\s+)?(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)"
          rf"|(?:(?:last|this)\s+)?{_MONTH}(?:\s+\d{{4}})?"
          rf"|(?:in|during)\s+(?:19|20)\d{{2}})")
_RANGE = re.compile(
    rf"\b(?:(?P<between>between|from)\s+(?P<a>{_POINT})\s+(?:and|to|until|till)\s+(?P<b>{_POINT})"
    rf"|(?P<since>since|after|from)\s+(?P<c>{_POINT})"
    rf"|(?P<until>until|till|before|up\s+to)\s+(?P<d>{_POINT})"
    rf"|(?P<single>{_POINT}))\b", re.IGNORECASE)
_PERIOD_WORDS = re.compile(r"week|month|year|past|recent|lately|during|^(?:last|this)?\s*" + _MONTH + r"(\s+\d{4})?$",
                           re.IGNORECASE)


def _iso(span: Range) -> str:
    start, end = span
    return start.isoformat() if start == end else f"{start.isoformat()}/{end.isoformat()}"


def extract_dates(text: str, today: date, claimed: Claimed) -> list[Entity]:
    """``date`` (one day, ISO) and ``date_range`` ("start/end" ISO interval) entities."""
    found = []
    for m in _RANGE.finditer(text):
        if not claimed.free(m.start(), m.end()):
            continue
        if m.group("between"):
            a, b = _point(m.group("a"), today), _point(m.group("b"), today)
            span = (a[0], b[1]) if a and b else None
        elif m.group("since"):
            a = _point(m.group("c"), today)
            span = (a[0], today) if a else None
        elif m.group("until"):
            b = _point(m.group("d"), today)
            span = (b[0] - timedelta(days=365), b[0] - timedelta(days=1)) if b else None
            if m.group("until").lower() not in ("before",) and b:
                span = (b[1] - timedelta(days=365), b[1])
        else:
            single = m.group("single")
            if re.fullmatch(rf"{_MONTH}", single.lower()) and single.lower() in ("may", "mar", "jan", "jun", "aug", "dec", "sept", "sep", "oct", "nov", "feb", "apr", "jul") and not single[0].isupper():
                continue  # "may" the verb, "mar" the word: lowercase short forms are not months
            span = _point(single, today)
            if span and span[0] == span[1] and (not _PERIOD_WORDS.search(single)
                                                or _day_of_month(single.lower().strip(), today)):
                claimed.take(m.start(), m.end())
                found.append(Entity("date", span[0].isoformat(), m.start(), m.end()))
                continue
        if span is None:
            continue
        claimed.take(m.start(), m.end())
        found.append(Entity("date_range", _iso((min(span), max(span))) if span[0] != span[1]
                            else f"{span[0].isoformat()}/{span[1].isoformat()}", m.start(), m.end()))
    return found


def resolve_date(expr: str, today: date) -> date | None:
    """One calendar day written any way the extractor understands ("12 April 1988", "1988-04-12")."""
    span = _point(expr.strip(" .,!?"), today)
    return span[0] if span and span[0] == span[1] else None
