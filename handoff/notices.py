"""What the customer is told while a human takes over, from the templates in ``policy.yml``.

The gateway (or the Rasa action that escalates) sends these so every channel words the queue the
same way: the reason, the position and wait, and a callback offer when nobody can answer now.
"""
from __future__ import annotations

import math

from handoff.policy import HandoffPolicy
from handoff.queue import QueueStatus


def _reason(reason: str, policy: HandoffPolicy) -> str:
    return policy.customer_messages.get("reasons", {}).get(reason, "")


def queue_notice(status: QueueStatus, policy: HandoffPolicy, reason: str = "") -> str:
    """The message for the customer's current queue status; ``reason`` is a trigger reason code,
    left empty for later position updates."""
    msgs = policy.customer_messages
    why = _reason(reason, policy)
    if status.status == "assigned":
        return why
    if not status.in_hours:
        hours = policy.hours.describe() if policy.hours else ""
        return msgs["closed"].format(reason=why, hours=hours).strip()
    if status.estimated_wait_s is None:
        return msgs["no_agents"].format(reason=why).strip()
    if status.estimated_wait_s == 0:
        return msgs["next"].format(reason=why).strip()
    minutes = max(1, math.ceil(status.estimated_wait_s / 60))
    return msgs["waiting"].format(reason=why, position=status.position, minutes=minutes).strip()


def agent_joined_notice(agent_name: str, policy: HandoffPolicy) -> str:
    return policy.customer_messages["assigned"].format(agent=agent_name)


def callback_notice(preferred_time: str, policy: HandoffPolicy) -> str:
    when = f" ({preferred_time})" if preferred_time else ""
    return policy.customer_messages["callback"].format(when=when)


def handed_back_notice(policy: HandoffPolicy) -> str:
    return policy.customer_messages["handed_back"]
