"""Rasa tracker events for pausing and resuming the bot around a hand-off.

Appended with the gateway's ``RasaClient.add_events`` (``POST /conversations/{id}/tracker/events``):
paused, Rasa never answers in parallel with the agent; resumed, it continues with the slots the
agent set.
"""
from __future__ import annotations

from typing import Any


def pause_events() -> list[dict[str, Any]]:
    return [{"event": "pause"}]


def resume_events(slots: dict[str, Any]) -> list[dict[str, Any]]:
    """Resume first, then one ``slot`` event per value the agent left."""
    return [{"event": "resume"}] + [{"event": "slot", "name": k, "value": v} for k, v in slots.items()]
