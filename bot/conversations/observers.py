"""What the turn pipeline tells the parts that watch it (metrics, response times, complaint
recognition): one ``TurnRecord`` per customer message, after it was handled. The pipeline takes a
list of observers, so the gateway never imports them and they never import the gateway."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class TurnRecord:
    conversation_id: str
    channel: str
    text: str  # as the transcript keeps it: a secret answer is its placeholder
    parse: dict[str, Any] | None  # Rasa's parse of the message; None when the dialogue did not run
    replies: list[dict[str, Any]]
    seconds: float
    failed: bool = False  # the turn raised; nothing else here is meaningful


class TurnObserver(Protocol):
    async def turn_done(self, record: TurnRecord) -> None: ...
