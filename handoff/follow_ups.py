"""Hand-offs a bot action asks for after finishing its own part (a dispute case is opened, then a
specialist takes it over).

The action marks its reply with ``custom.follow_up`` (``{"reason": "dispute", "detail": ...}``);
the gateway records the reply's payload in the transcript and, after that bot turn, hands off
when the reason is one of the policy's ``follow_ups``.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from handoff.policy import HandoffPolicy
from handoff.triggers import HandoffDecision

FOLLOW_UP_KEY = "follow_up"


class TranscriptTurn(Protocol):
    """What is read of a transcript turn (the gateway's ``Turn`` has it)."""

    @property
    def speaker(self) -> str: ...
    @property
    def meta(self) -> dict[str, Any] | None: ...


def follow_up_marker(reason: str, detail: str) -> dict[str, Any]:
    """The ``json_message`` an action sends with its reply to ask for a specialist."""
    return {FOLLOW_UP_KEY: {"reason": reason, "detail": detail[:200]}}


def specialist_follow_up(transcript: Sequence[TranscriptTurn], policy: HandoffPolicy,
                         language: str = "en") -> HandoffDecision | None:
    """The hand-off a bot reply of the latest turn asked for, if the policy knows its reason.

    Only replies after the last customer message count, so a conversation handed back to the
    bot is not handed off again for the same case.
    """
    for turn in reversed(transcript):
        if turn.speaker == "customer":
            return None
        marker = ((turn.meta or {}).get("custom") or {}).get(FOLLOW_UP_KEY) if turn.speaker == "bot" else None
        if not isinstance(marker, dict) or marker.get("reason") not in policy.follow_ups:
            continue
        rule = policy.follow_ups[marker["reason"]]
        skills = tuple(dict.fromkeys([*rule.skills, f"lang:{language}"]))
        return HandoffDecision(marker["reason"], skills, rule.boost, str(marker.get("detail", ""))[:200],
                               language)
    return None
