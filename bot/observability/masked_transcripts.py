"""The transcript as staff see it: the same turns with personal data masked.

The customer reads their own transcript unmasked (``/api/conversations/{id}/transcript``); agents,
supervisors and analytics read through this wrapper (``app.state.transcripts``).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from bot.conversations.store import Turn
from bot.observability.pii import mask_pii, mask_value


class TranscriptSource(Protocol):
    def turns(self, conversation_id: str) -> list[Turn]: ...


def mask_turn(turn: Turn) -> Turn:
    """The turn with personal data masked in its text, NLU result and reply metadata."""
    return replace(turn, text=mask_pii(turn.text), nlu=mask_value(turn.nlu), meta=mask_value(turn.meta))


class MaskedTranscripts:
    """Wraps a transcript store; text, entities and reply metadata come back masked."""

    def __init__(self, source: TranscriptSource) -> None:
        self._source = source

    def turns(self, conversation_id: str) -> list[Turn]:
        return [mask_turn(turn) for turn in self._source.turns(conversation_id)]
