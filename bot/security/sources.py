"""Where the message a conversation is processing came from, for the identification lock-out
per source address. Rasa's REST channel drops message metadata, so the gateway records the
address here while Rasa processes the turn, and the identity action, which runs in this
same process as Rasa's action server, reads it back."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator


class TurnSources:
    def __init__(self) -> None:
        self._current: dict[str, str] = {}

    @contextlib.contextmanager
    def during(self, conversation_id: str, source: str | None) -> Iterator[None]:
        """Record ``source`` for the conversation while its turn is processed."""
        if source is None:
            yield
            return
        self._current[conversation_id] = source
        try:
            yield
        finally:
            if self._current.get(conversation_id) == source:
                del self._current[conversation_id]

    def of(self, conversation_id: str) -> str | None:
        return self._current.get(conversation_id)
