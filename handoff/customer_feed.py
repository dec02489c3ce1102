"""Turns hand-off events into what the customer's chat shows.

The gateway subscribes with ``desk.customer_events(conversation_id)`` and passes each event through
``for_customer``; anything that returns None is internal and is not shown. One mapping keeps web,
REST polling and voice wording identical.
"""
from __future__ import annotations

from typing import Any

from handoff.notices import agent_joined_notice, handed_back_notice, queue_notice
from handoff.policy import HandoffPolicy
from handoff.queue import QueueStatus

_STATUS_FIELDS = ("status", "entry_id", "position", "estimated_wait_s", "agents_online", "in_hours",
                  "agent_id")


def for_customer(event: dict[str, Any], policy: HandoffPolicy) -> dict[str, Any] | None:
    """A chat payload (``message``, ``typing``, ``notice``, ``handed_back`` or ``bot``) or None."""
    kind = event.get("type")
    if kind == "agent_message":
        return {"type": "message", "sender": "agent", "name": event["agent"], "text": event["text"],
                "id": event["id"]}
    if kind == "agent_typing":
        return {"type": "typing", "sender": "agent", "typing": bool(event["typing"])}
    if kind == "agent_joined":
        return {"type": "notice", "text": agent_joined_notice(event["agent"], policy)}
    if kind == "queue_status":
        status = QueueStatus(**{k: event[k] for k in _STATUS_FIELDS})
        return {"type": "notice", "text": queue_notice(status, policy), "position": status.position,
                "estimated_wait_s": status.estimated_wait_s}
    if kind == "agent_left":
        return {"type": "notice", "text": queue_notice(
            QueueStatus("waiting", position=1, estimated_wait_s=0.0, agents_online=1), policy)}
    if kind in ("handed_back", "resolved"):
        return {"type": "handed_back", "text": handed_back_notice(policy)}
    if kind == "bot_message":  # e.g. the satisfaction question after an agent resolved the chat
        return {"type": "bot", "text": event["text"], "custom": event.get("custom") or {}}
    return None
