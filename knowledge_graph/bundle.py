"""Read and validate every knowledge file at once: graph, not-offered list, FAQ, retrieval settings."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from knowledge_graph.errors import DataIssue, KnowledgeDataError
from knowledge_graph.faq_corpus import FaqEntry, load_faq
from knowledge_graph.faq_index import Weights
from knowledge_graph.followups import FollowUpCues
from knowledge_graph.graph import KnowledgeGraph, load_graph
from knowledge_graph.marked_yaml import MarkedDict, load_marked
from knowledge_graph.offerings import NotOffered, load_not_offered


@dataclass(frozen=True)
class RetrievalConfig:
    threshold: float
    intent_bonus: float
    top_k: int
    clarify_candidates: int
    lexical_weight: float
    answer_weight: float
    decline_below: float  # no FAQ this close: a question the bot cannot answer is not about banking

    @property
    def weights(self) -> Weights:
        return Weights(self.intent_bonus, self.lexical_weight, self.answer_weight)


@dataclass
class KnowledgeBundle:
    graph: KnowledgeGraph
    not_offered: list[NotOffered]
    faq: list[FaqEntry]
    retrieval: RetrievalConfig
    follow_up: FollowUpCues


def load_bundle(knowledge_dir: Path) -> KnowledgeBundle:
    """Everything the answerer needs; raises KnowledgeDataError (file, line, reason) on bad data."""
    kg = load_graph(knowledge_dir)
    return KnowledgeBundle(
        kg,
        load_not_offered(knowledge_dir / "not_offered.yaml", kg),
        load_faq(knowledge_dir, kg),
        load_retrieval_config(knowledge_dir / "retrieval.yaml"),
        FollowUpCues.load(knowledge_dir / "language" / "en.yaml"),
    )


def load_retrieval_config(path: Path) -> RetrievalConfig:
    raw = load_marked(path)
    if not isinstance(raw, MarkedDict):
        raise KnowledgeDataError([DataIssue(path, 1, "expected a mapping")])
    issues = []
    keys = (("threshold", float), ("intent_bonus", float), ("top_k", int), ("clarify_candidates", int),
            ("lexical_weight", float), ("answer_weight", float), ("decline_below", float))
    for key, kind in keys:
        value = raw.get(key)
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0 or (kind is int and value < 1):
            issues.append(DataIssue(path, raw.line_of(key), f"{key} must be a positive number, got {value!r}"))
    if issues:
        raise KnowledgeDataError(issues)
    return RetrievalConfig(float(raw["threshold"]), float(raw["intent_bonus"]), int(raw["top_k"]),
                           int(raw["clarify_candidates"]), float(raw["lexical_weight"]), float(raw["answer_weight"]),
                           float(raw["decline_below"]))
