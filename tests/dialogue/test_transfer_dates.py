"""The day a transfer goes out, from what the customer said and what the NLU resolved it to."""
from __future__ import annotations

from datetime import date

import pytest

from bot.actions.transfer_dates import date_problem, transfer_day, when
from nlu.entities import extract_entities

TUESDAY = date(2026, 11, 24)


def said_and_resolved(message: str) -> tuple[str, str]:
    [entity] = [e for e in extract_entities(message, today=TUESDAY) if e["entity"] == "date"]
    return message[entity["start"]:entity["end"]], entity["value"]


@pytest.mark.parametrize("message, expected", [
    ("send 50 to Bob next Friday", date(2026, 11, 27)),
    ("send 50 to Bob on Friday", date(2026, 11, 27)),          # the NLU reads it as last Friday
    ("pay Jane on the 1st of December", date(2026, 12, 1)),
    ("pay Jane on the 5th", date(2026, 12, 5)),                # the NLU reads it as 5 November
    ("pay Jane on March 3rd", date(2027, 3, 3)),               # the NLU reads it as March 2026
    ("send it tomorrow", date(2026, 11, 25)),
    ("send it today", TUESDAY),
    ("pay Jane on 3 March 2020", date(2020, 3, 3)),            # an explicit year stays in the past
    ("send it last Friday", date(2026, 11, 20)),
])
def test_a_payment_date_means_the_next_such_day_unless_the_customer_says_otherwise(message, expected):
    assert transfer_day(*said_and_resolved(message), TUESDAY) == expected


def test_a_day_that_does_not_exist_next_month_is_not_guessed():
    assert transfer_day("the 31st", "2026-10-31", TUESDAY) is None


def test_past_and_far_dates_get_a_reason_and_the_window_in_between_does_not():
    assert "already passed" in date_problem(date(2020, 3, 3), TUESDAY, 365)
    assert "up to a year ahead" in date_problem(date(2027, 11, 25), TUESDAY, 365)
    assert date_problem(date(2027, 11, 24), TUESDAY, 365) is None
    assert date_problem(TUESDAY, TUESDAY, 365) is None


def test_dates_read_back_in_words():
    assert when(TUESDAY, TUESDAY) == "today"
    assert when(date(2026, 11, 25), TUESDAY) == "tomorrow, Wednesday 25 November 2026"
    assert when(date(2026, 12, 4), TUESDAY) == "on Friday 4 December 2026"
