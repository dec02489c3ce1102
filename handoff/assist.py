"""Agent assist: the best knowledge answers to the customer's latest message, as suggestions.

Depends only on something with ``answer(text, intent, entities)`` returning an answer with
``text``, ``sources``, ``kind`` and ``candidates`` (``knowledge_graph.KnowledgeAnswerer`` fits), so
hand-off needs no knowledge code of its own.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Protocol

ANSWER_KINDS = ("graph", "faq")  # clarifying questions and refusals are not suggestions


class KnowledgeSource(Protocol):
    def answer(self, text: str, intent: str | None = None,
               entities: Iterable[dict[str, Any]] | None = None) -> Any: ...


@dataclass(frozen=True)
class Suggestion:
    """A reply the agent can send with one click, with the question it answers and its sources."""

    text: str
    question: str
    kind: str
    sources: tuple[str, ...]


def suggest(knowledge: KnowledgeSource, text: str, intent: str | None = None,
            entities: Iterable[dict[str, Any]] | None = None, limit: int = 3) -> list[Suggestion]:
    """The direct answer (if confident) plus answers to the closest FAQ questions, deduplicated."""
    first = knowledge.answer(text, intent, list(entities or []))
    out: list[Suggestion] = []
    if first.kind in ANSWER_KINDS:
        out.append(Suggestion(first.text, text, first.kind, tuple(first.sources)))
    for candidate in getattr(first, "candidates", []) or []:
        if len(out) >= limit:
            break
        answer = knowledge.answer(candidate.question, intent)
        if answer.kind in ANSWER_KINDS and all(s.text != answer.text for s in out):
            out.append(Suggestion(answer.text, candidate.question, answer.kind,
                                  tuple(answer.sources)))
    return out
