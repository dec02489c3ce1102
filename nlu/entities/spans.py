"""The shared entity record and span bookkeeping, so extractors never claim the same characters."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

EXTRACTOR = "BankbotRuleExtractor"


@dataclass(frozen=True)
class Entity:
    """One extracted entity; ``to_rasa`` gives Rasa's dict (entity, value, start, end, extractor)."""

    entity: str
    value: str
    start: int
    end: int
    role: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_rasa(self, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {"entity": self.entity, "value": self.value, "start": self.start,
                               "end": self.end, "text": text[self.start:self.end],
                               "confidence_entity": 1.0, "extractor": EXTRACTOR}
        if self.role:
            out["role"] = self.role
        if self.extra:
            out["additional_info"] = self.extra
        return out


class Claimed:
    """Character ranges already taken by an earlier (more specific) extractor."""

    def __init__(self) -> None:
        self._ranges: list[tuple[int, int]] = []

    def free(self, start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in self._ranges)

    def take(self, start: int, end: int) -> None:
        self._ranges.append((start, end))
