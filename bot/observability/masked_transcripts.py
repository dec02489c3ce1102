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


class MaskedTranscripts:
    """Wraps a transcript store; text, entities and reply metadata come back masked."""

    def __init__(self, source: TranscriptSource) -> None:
        self._source = source

    def turns(self, conversation_id: str) -> list[Turn]:
        return [replace(t, text=mask_pii(t.text), nlu=mask_value(t.nlu), meta=mask_value(t.meta))
                for t in self._source.turns(conversation_id)]
