"""What the customer is told: reason, position and wait, callback when nobody can answer."""
from __future__ import annotations

from handoff.notices import (
    agent_joined_notice,
    callback_notice,
    handed_back_notice,
    queue_notice,
)
from handoff.queue import QueueStatus
from handoff.rasa_events import pause_events, resume_events


def test_waiting_customer_hears_reason_position_and_wait(policy):
    text = queue_notice(QueueStatus("waiting", 1, 3, 250.0, 2, True), policy, "risk")
    assert text.startswith("This is something one of our specialists should handle personally.")
    assert "number 3 in the queue" in text and "about 5 minute(s)" in text and "callback" in text


def test_next_in_line(policy):
    assert "in a moment" in queue_notice(QueueStatus("waiting", 1, 1, 0.0, 1, True), policy)


def test_nobody_online_or_out_of_hours_offers_a_callback(policy):
    none = queue_notice(QueueStatus("waiting", 1, 1, None, 0, True), policy, "human_request")
    assert "no colleague is available" in none and "callback" in none
    closed = queue_notice(QueueStatus("waiting", 1, 1, 60.0, 1, False), policy)
    assert "Mon-Sat 08:00-20:00" in closed and "callback" in closed


def test_other_notices(policy):
    assert agent_joined_notice("Alex", policy) == "Alex has joined the conversation."
    assert "(after 5pm)" in callback_notice("after 5pm", policy)
    assert "virtual assistant" in handed_back_notice(policy)


def test_rasa_pause_and_resume_events():
    assert pause_events() == [{"event": "pause"}]
    assert resume_events({"card_frozen": True}) == [
        {"event": "resume"}, {"event": "slot", "name": "card_frozen", "value": True}]


def test_opening_hours_come_from_the_policy(policy):
    from datetime import datetime, timezone

    at = lambda day, hour: datetime(2026, 11, day, hour, tzinfo=timezone.utc)  # noqa: E731
    assert policy.hours.is_open(at(23, 9))  # Monday morning
    assert not policy.hours.is_open(at(23, 21))  # Monday night
    assert not policy.hours.is_open(at(22, 12))  # Sunday
