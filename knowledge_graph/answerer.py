"""One entry point for the bot: ``KnowledgeAnswerer.answer(text, intent, entities) -> Answer``.

Graph first (structured facts, exact and citable), then the FAQ index; when no FAQ is close
enough the customer gets a clarifying question with the nearest candidates, never a guess. A
question that refers back to the previous answer's ``Topic`` ("and for the gold card?") is first
rewritten into a self-contained one (followups.py).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Literal

from knowledge_graph.build import artifact_dir, build_knowledge, read_manifest
from knowledge_graph.bundle import KnowledgeBundle, load_bundle
from knowledge_graph.errors import KnowledgeDataError
from knowledge_graph.faq_index import FaqIndex
from knowledge_graph.followups import FollowUps, Topic
from knowledge_graph.graph_qa import GraphAnswer, GraphQA
from knowledge_graph.lexical import tokens
from knowledge_graph.linking import EntityLinker, normalize
from knowledge_graph.offerings import OfferChecker
from knowledge_graph.semantic_links import QueryVector, SemanticLinker
from nlu.config import NluSettings
from nlu.encoder import load_encoder

log = logging.getLogger(__name__)
AnswerKind = Literal["graph", "faq", "clarify", "not_offered"]
MIN_CONTENT_WORDS = 2  # "what's the fee", "transfer": one content word names a topic, not a question


def too_vague(text: str) -> bool:
    """A question with fewer than two content words gets candidates, however close the best FAQ is."""
    return len(tokens(text)) < MIN_CONTENT_WORDS


@dataclass(frozen=True)
class Candidate:
    id: str
    question: str
    score: float


@dataclass
class Answer:
    text: str
    sources: list[str]
    kind: AnswerKind
    candidates: list[Candidate] = field(default_factory=list)
    result: list[str] = field(default_factory=list)  # bare facts of a graph answer
    path: list[str] = field(default_factory=list)  # graph path(s) the answer followed
    topic: Topic | None = None  # what a graph answer was about, for the next question's follow-up


class KnowledgeAnswerer:
    """Answers banking questions from the graph and the FAQ, always with source ids."""

    def __init__(self, bundle: KnowledgeBundle, index: FaqIndex, semantic: SemanticLinker | None = None):
        self.bundle, self.index = bundle, index
        faq_words = {w for e in bundle.faq for w in normalize(e.question).split()}
        faq_text = " ".join(t for e in bundle.faq for t in [e.question, *e.alternatives, e.answer])
        linker = EntityLinker(bundle.graph, frozenset(normalize(faq_text).split()))
        offers = OfferChecker(bundle.graph, bundle.not_offered, linker.vocabulary | faq_words, faq_text)
        self.graph_qa = GraphQA(bundle.graph, linker, offers, semantic)
        self.follow_ups = FollowUps(bundle.graph, linker, bundle.follow_up)

    @classmethod
    def from_folder(cls, folder: Path, encoder_name: str) -> KnowledgeAnswerer:
        """Load built artifacts (the snapshot of the data they were built from, plus the index)."""
        bundle = load_bundle(folder / "source")
        return cls(bundle, FaqIndex.load(folder, load_encoder(encoder_name)), SemanticLinker.load(folder))

    @classmethod
    def load(cls, settings: NluSettings, rebuild: bool = True) -> KnowledgeAnswerer:
        """Start-up path: rebuild if data changed; on bad data keep serving the last good build."""
        folder = artifact_dir(settings)
        if rebuild or read_manifest(folder) is None:
            try:
                build_knowledge(settings)
            except KnowledgeDataError as exc:
                if read_manifest(folder) is None:
                    raise
                log.error("knowledge data is invalid; serving the last good build:\n%s", exc)
        return cls.from_folder(folder, read_manifest(folder)["encoder"])

    def answer(self, text: str, intent: str | None = None,
               entities: Iterable[dict[str, Any]] | None = None, topic: Topic | None = None) -> Answer:
        """The answer to ``text``; ``topic`` is what the previous answer was about, if anything."""
        text = (text or "").strip()
        if not text:
            return Answer("What would you like to know? You can ask about accounts, cards, loans, "
                          "transfers, fees or the e-CNY wallet.", [], "clarify")
        for rewritten in self.follow_ups.rewrites(text, topic):
            graph = self.graph_qa.answer(rewritten, None, QueryVector(self.index.encoder, rewritten), intent)
            if graph and graph.kind == "graph" and set(graph.sources) & set(self._products(rewritten, topic)):
                return self._from_graph(graph, rewritten)
        query = QueryVector(self.index.encoder, text)  # encoded once, only if the exact linker finds nothing
        graph = self.graph_qa.answer(text, entities, query, intent)
        if graph:
            return self._from_graph(graph, text)
        cfg = self.bundle.retrieval
        hits = self.index.search(text, cfg.top_k, intent, cfg.weights, query_vector=query.get())
        candidates = [Candidate(h.entry.id, h.entry.question, round(h.score, 4)) for h in hits]
        if hits and hits[0].score >= cfg.threshold and not too_vague(text):
            return Answer(hits[0].entry.answer, [hits[0].entry.id], "faq", candidates,
                          topic=self.follow_ups.topic_of(text, [], []))
        offered = candidates[:cfg.clarify_candidates]
        if not offered:
            return Answer("What would you like to know? You can ask about accounts, cards, loans, "
                          "transfers, fees or the e-CNY wallet.", [], "clarify")
        options = "\n".join(f"{i}. {c.question}" for i, c in enumerate(offered, 1))
        return Answer(f"I'm not sure I understood. Did you mean one of these?\n{options}",
                      [c.id for c in offered], "clarify", offered)

    def _from_graph(self, graph: GraphAnswer, question: str) -> Answer:
        topic = self.follow_ups.topic_of(question, graph.sources, graph.attributes)
        return Answer(graph.text, graph.sources, graph.kind, [], graph.result, graph.path, topic)

    def _products(self, rewritten: str, topic: Topic | None) -> list[str]:
        """The products a rewritten follow-up is about: the topic's, or those it now names."""
        norm = self.graph_qa.linker.prepare(rewritten)
        named = [m.targets[0] for m in self.graph_qa.linker.link(norm) if m.kind == "node"]
        return [*(topic.products if topic else ()), *named]
