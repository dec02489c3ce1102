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


def _digits(value: object) -> str:
    return "".join(ch for ch in str(value) if ch.isdigit())


def mask_turn(turn: Turn) -> Turn:
    """The turn with personal data masked in its text, NLU result and reply metadata. An entity
    read from a part of the text that masking hid ("my CVV is 123" read as the amount 123) is
    hidden too: its digits must not survive in the NLU result beside the masked text."""
    text = mask_pii(turn.text)
    nlu = mask_value(turn.nlu)
    if isinstance(nlu, dict) and text != turn.text:
        shown = _digits(text)
        nlu["entities"] = [
            {**e, "value": "[masked]", "text": "[masked]"}
            if isinstance(e, dict) and (d := _digits(e.get("text") or e.get("value") or "")) and d not in shown
            else e
            for e in nlu.get("entities") or []]
    return replace(turn, text=text, nlu=nlu, meta=mask_value(turn.meta))


class MaskedTranscripts:
    """Wraps a transcript store; text, entities and reply metadata come back masked."""

    def __init__(self, source: TranscriptSource) -> None:
        self._source = source

    def turns(self, conversation_id: str) -> list[Turn]:
        return [mask_turn(turn) for turn in self._source.turns(conversation_id)]
