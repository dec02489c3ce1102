"""The day a transfer should go out, from the NLU's ``date`` entity.

The entity extractor resolves dates for statement searches, so a bare "the 5th", "on Friday" or
"March 3rd" means the latest one that has passed. For a payment the customer means the next one;
only an explicit year or a word like "last" or "yesterday" keeps a date in the past (and is then
refused plainly).
"""
from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

_PAST_WORDS = re.compile(r"\b(?:last|ago|yesterday|previous|before)\b", re.I)
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_WEEKDAY = re.compile(r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b", re.I)
_MONTH = re.compile(r"\b(?:" + "|".join(m.lower() for m in calendar.month_abbr if m) + r")[a-z]*\b", re.I)


def transfer_day(said: str, resolved: str, today: date) -> date | None:
    """The day meant by ``said`` (the entity's text), which the NLU resolved to ``resolved`` (ISO)."""
    try:
        day = date.fromisoformat(resolved)
    except ValueError:
        return None
    if day >= today or _YEAR.search(said) or _PAST_WORDS.search(said):
        return day
    if _WEEKDAY.search(said):
        return day + timedelta(weeks=-(-(today - day).days // 7))
    if _MONTH.search(said):
        return _same_day(day.year + 1, day.month, day.day)
    month = day.month % 12 + 1
    return _same_day(day.year + (day.month == 12), month, day.day)


def _same_day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:  # 29 February or the 31st of a short month
        return None


def date_problem(day: date, today: date, days_ahead: int) -> str | None:
    """Why a transfer cannot go out on ``day`` (None when it can): the past, or later than the
    bank schedules (``days_ahead``, from the bank policy)."""
    if day < today:
        return f"{spoken_date(day, today)} has already passed."
    latest = today + timedelta(days=days_ahead)
    if day > latest:
        return f"I can schedule transfers up to a year ahead, so no later than {spoken_date(latest, today)}."
    return None


def spoken_date(day: date, today: date) -> str:
    """"today", "tomorrow, Wednesday 25 November 2026" or "Friday 4 December 2026"."""
    if day == today:
        return "today"
    long = f"{day:%A} {day.day} {day:%B %Y}"
    return f"tomorrow, {long}" if day == today + timedelta(days=1) else long


def when(day: date, today: date) -> str:
    """The date as the end of a sentence: "today", "tomorrow, ..." or "on Friday 4 December 2026"."""
    spoken = spoken_date(day, today)
    return spoken if day <= today + timedelta(days=1) else f"on {spoken}"
