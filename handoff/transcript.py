"""The one thing hand-off needs from the gateway's transcript store: read a conversation's turns.

A Protocol rather than an import keeps ``handoff`` independent of the gateway; any store whose
``turns(conversation_id)`` returns mappings or objects with the fields below fits.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Protocol, runtime_checkable

TURN_FIELDS = ("sender", "text", "intent", "confidence", "entities", "sentiment", "frustration",
               "timestamp", "action")


@runtime_checkable
class TranscriptReader(Protocol):
    """Reads one conversation's turns, oldest first (``sender`` is user, bot or agent)."""

    def turns(self, conversation_id: str) -> Iterable[Any]: ...


def turn_field(turn: Any, name: str, default: Any = None) -> Any:
    """A turn's field whether the store returns mappings or attribute objects."""
    if isinstance(turn, Mapping):
        return turn.get(name, default)
    return getattr(turn, name, default)


def as_dict(turn: Any) -> dict[str, Any]:
    """A JSON-ready view of one turn with the fields the console shows."""
    return {name: turn_field(turn, name) for name in TURN_FIELDS}
