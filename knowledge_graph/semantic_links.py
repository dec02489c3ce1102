"""Semantic fallback for linking: when the exact aliases find nothing to answer, compare the
question's embedding with the embeddings of every attribute's and procedure's alias phrases.

Customers word things in ways no alias list foresees ("cash machine", "the most I could borrow",
"stop an app from seeing my data"). The phrases are embedded once at build time with the encoder
the FAQ index uses and persisted next to it; a question is encoded only when the exact linker left
it unanswered, and that one vector is then shared with the FAQ search.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np

from knowledge_graph.faq_index import encode
from knowledge_graph.graph import KnowledgeGraph

# Cosine a phrase must reach to link; chosen by leave-one-set-out cross-validation on the older
# graph QA sets with the matching aliases masked (bench/graph_semantic_tune.py), never on holdout4+.
ATTRIBUTE_THRESHOLD = 0.525  # among the attributes of a product the question names
NODE_THRESHOLD = 0.825  # among all procedures and fees, when the question names no product
# How far the chosen phrase must lead the nearest phrase of any other target (and, for an attribute,
# the nearest procedure or fee): two candidates about as close are two readings of the question, and
# a confident answer to the wrong one misleads more than the FAQ's answer. Same cross-validation.
MARGIN = 0.03
NODE_TYPES = ("procedure", "fee")  # nodes a question can name without naming a product
_NOT_LINKED = {"steps", "description", "purpose"}  # answered by other templates
_FILES = ("graph_phrases.npy", "graph_phrases.json")


@dataclass(frozen=True)
class Link:
    """The nearest target(s) and their cosine, and the cosine of the nearest other target."""

    targets: tuple[str, ...]
    score: float
    runner_up: float  # -1.0 when there is no other target


@dataclass(frozen=True)
class Phrase:
    kind: str  # "attribute" | "node"
    target: str  # attribute key or node id
    text: str


def graph_phrases(kg: KnowledgeGraph) -> list[Phrase]:
    """What the encoder compares questions with: attribute labels and aliases, procedure and fee names
    and aliases. Aliases with a "..." gap (a product goes there) are left out: the gap has no meaning."""
    result = []
    for key, spec in kg.schema.attributes.items():
        if key in _NOT_LINKED:
            continue
        for text in dict.fromkeys([spec.label.lower(), *spec.aliases]):
            if "..." not in text:
                result.append(Phrase("attribute", key, text))
    for node_type in NODE_TYPES:
        for node in kg.of_type(node_type):
            for text in dict.fromkeys([kg.name(node).lower(), *kg.node(node)["aliases"]]):
                result.append(Phrase("node", node, text))
    return result


class SemanticLinker:
    """Nearest phrase by cosine, among the phrases a caller allows."""

    def __init__(self, phrases: list[Phrase], vectors: np.ndarray,
                 attribute_threshold: float = ATTRIBUTE_THRESHOLD, node_threshold: float = NODE_THRESHOLD,
                 margin: float = MARGIN):
        self.phrases, self.vectors = phrases, vectors
        self.attribute_threshold, self.node_threshold, self.margin = attribute_threshold, node_threshold, margin
        self.exclude: Callable[[Phrase], bool] = lambda p: False  # the tuning bench masks known phrases

    @classmethod
    def build(cls, kg: KnowledgeGraph, encoder: Any) -> SemanticLinker:
        phrases = graph_phrases(kg)
        return cls(phrases, encode(encoder, [p.text for p in phrases]))

    def save(self, folder: Path) -> None:
        np.save(folder / _FILES[0], self.vectors)
        (folder / _FILES[1]).write_text(json.dumps([[p.kind, p.target, p.text] for p in self.phrases]))

    @classmethod
    def load(cls, folder: Path) -> SemanticLinker | None:
        """None for an artifact folder built before phrases were persisted (the next build adds them)."""
        if not all((folder / f).exists() for f in _FILES):
            return None
        phrases = [Phrase(*row) for row in json.loads((folder / _FILES[1]).read_text())]
        return cls(phrases, np.load(folder / _FILES[0]))

    def best(self, query: np.ndarray, kind: str, targets: Iterable[str]) -> Link | None:
        """The allowed targets with the closest phrase, that cosine, and the best cosine of any other
        target. Several targets share the top when they share the phrase ("interest rate" is both ends
        of the loans' rate range); they are one reading, not rivals."""
        allowed = set(targets)
        rows = [i for i, p in enumerate(self.phrases) if p.kind == kind and p.target in allowed and not self.exclude(p)]
        if not rows:
            return None
        scores = self.vectors[rows] @ query.reshape(-1)
        top = float(scores.max())
        text = self.phrases[rows[int(np.argmax(scores))]].text
        tied = sorted({self.phrases[r].target for r, s in zip(rows, scores) if self.phrases[r].text == text and s >= top - 1e-6})
        others = [float(s) for r, s in zip(rows, scores) if self.phrases[r].target not in tied]
        return Link(tuple(tied), top, max(others, default=-1.0))

    def clear(self, link: Link, threshold: float, rival: float = -1.0) -> bool:
        """Close enough, and ahead of every other target (and of ``rival``, the best of another kind)
        by at least the margin."""
        return link.score >= threshold and link.score - max(link.runner_up, rival) >= self.margin


class QueryVector:
    """The question's embedding, computed at most once and shared by the graph and the FAQ search."""

    def __init__(self, encoder: Any, text: str):
        self.encoder, self.text, self._vector = encoder, text, None
        self._others: dict[str, np.ndarray] = {}

    def get(self) -> np.ndarray:
        if self._vector is None:
            self._vector = encode(self.encoder, [self.text])[0]
        return self._vector

    def without(self, text: str) -> np.ndarray:
        """The embedding of the question with the product's name taken out: a name ("Class III account")
        pulls the question towards every phrase that repeats it ("open a Class III account"), away
        from what is asked about it ("take cash out")."""
        if text not in self._others:
            self._others[text] = encode(self.encoder, [text])[0]
        return self._others[text]
