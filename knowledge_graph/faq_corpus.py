"""Load the FAQ corpus from ``data/knowledge/faq/*.yaml`` and derive product overviews from the graph.

Answers may embed graph values as ``{node_id:attribute}`` so a fee changed in the graph changes
every FAQ that quotes it; an unknown reference fails validation with file and line.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from knowledge_graph.errors import DataIssue, KnowledgeDataError
from knowledge_graph.graph import KnowledgeGraph
from knowledge_graph.marked_yaml import MarkedDict, MarkedList, load_marked

FAQ_ID = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
INTENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_?]*$")
PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*\.[a-z0-9_]+):([a-z_0-9]+)\}")
OVERVIEW_TYPES = ("account_class", "card", "loan", "wallet_tier", "transfer_service")


@dataclass(frozen=True)
class FaqEntry:
    id: str
    question: str
    answer: str
    tags: list[str] = field(default_factory=list)
    intents: list[str] = field(default_factory=list)
    source: str = ""  # file:line, or "graph" for generated overviews
    alternatives: list[str] = field(default_factory=list)  # other ways customers ask it, also indexed

    def to_dict(self) -> dict:
        return asdict(self)


def load_faq(knowledge_dir: Path, kg: KnowledgeGraph) -> list[FaqEntry]:
    """All FAQ entries: hand-written files first, then one overview per product node."""
    issues: list[DataIssue] = []
    entries: list[FaqEntry] = []
    seen: dict[str, str] = {}
    files = sorted((knowledge_dir / "faq").glob("*.yaml"))
    if not files:
        raise KnowledgeDataError([DataIssue(knowledge_dir / "faq", 0, "no FAQ files found")])
    for path in files:
        for entry in _file_entries(path, kg, issues):
            if entry.id in seen:
                issues.append(DataIssue(path, int(entry.source.rsplit(":", 1)[1]),
                                        f"duplicate FAQ id {entry.id!r} (first at {seen[entry.id]})"))
                continue
            seen[entry.id] = entry.source
            entries.append(entry)
    if issues:
        raise KnowledgeDataError(issues)
    return entries + overview_entries(kg)


def overview_entries(kg: KnowledgeGraph) -> list[FaqEntry]:
    """'What is the X?' for every product, so free-form questions about a product find its facts."""
    result = []
    for node_type in OVERVIEW_TYPES:
        for node in kg.of_type(node_type):
            attrs = kg.attrs(node)
            facts = [f"{kg.schema.attributes[k].label} {kg.fmt(node, k)}"
                     for k in attrs if k not in ("description", "purpose", "eligibility", "steps")][:6]
            answer = f"{attrs.get('description', kg.name(node))} Key facts: {'; '.join(facts)}."
            result.append(FaqEntry(f"graph.{node}", f"What is the {kg.name(node)}?", answer,
                                   [node_type, "product"], [], "graph"))
    return result


def _file_entries(path: Path, kg: KnowledgeGraph, issues: list[DataIssue]) -> list[FaqEntry]:
    raw = load_marked(path)
    groups = raw.get("groups") if isinstance(raw, MarkedDict) else None
    if not isinstance(groups, MarkedList):
        issues.append(DataIssue(path, getattr(raw, "line", 1), "file must be a mapping with a 'groups' list"))
        return []
    entries = []
    for group in groups:
        if not isinstance(group, MarkedDict) or not isinstance(group.get("faqs"), MarkedList):
            issues.append(DataIssue(path, getattr(group, "line", groups.line), "each group needs a 'faqs' list"))
            continue
        for item in group["faqs"]:
            entry = _entry(path, group, item, kg, issues)
            if entry:
                entries.append(entry)
    return entries


def _entry(path: Path, group: MarkedDict, item: object, kg: KnowledgeGraph,
           issues: list[DataIssue]) -> FaqEntry | None:
    if not isinstance(item, MarkedDict):
        issues.append(DataIssue(path, group.line, "each FAQ must be a mapping"))
        return None
    n = len(issues)
    for key in set(item) - {"id", "question", "alternatives", "answer", "tags", "intents"}:
        issues.append(DataIssue(path, item.line_of(key), f"unknown FAQ field {key!r}"))
    faq_id, question, answer = item.get("id"), item.get("question"), item.get("answer")
    if not isinstance(faq_id, str) or not FAQ_ID.match(faq_id):
        issues.append(DataIssue(path, item.line_of("id"), f"FAQ id must look like 'topic.name', got {faq_id!r}"))
    for key, value in (("question", question), ("answer", answer)):
        if not isinstance(value, str) or not value.strip():
            issues.append(DataIssue(path, item.line_of(key) if key in item else item.line, f"{faq_id}: {key} must be non-empty text"))
    alternatives = item.get("alternatives", [])
    if not isinstance(alternatives, list) or not all(isinstance(a, str) and a.strip() for a in alternatives):
        issues.append(DataIssue(path, item.line_of("alternatives"), f"{faq_id}: alternatives must be a list of non-empty texts"))
    tags = list(group.get("tags", [])) + list(item.get("tags", []))
    intents = list(group.get("intents", [])) + list(item.get("intents", []))
    for intent in intents:
        if not isinstance(intent, str) or not INTENT.match(intent):
            issues.append(DataIssue(path, item.line, f"{faq_id}: bad intent name {intent!r}"))
    if len(issues) > n:
        return None
    answer = _fill(answer, kg, path, item.line_of("answer"), issues)
    return FaqEntry(faq_id, question.strip(), answer.strip(), list(dict.fromkeys(tags)),
                    list(dict.fromkeys(intents)), f"{path}:{item.line}",
                    list(dict.fromkeys(a.strip() for a in alternatives)))


def _fill(answer: str, kg: KnowledgeGraph, path: Path, line: int, issues: list[DataIssue]) -> str:
    """Replace ``{node:attr}`` with the graph's formatted value."""
    def sub(match: re.Match) -> str:
        node, key = match.groups()
        if node not in kg.graph or key not in kg.attrs(node):
            issues.append(DataIssue(path, line, f"answer quotes unknown graph value {{{node}:{key}}}"))
            return match.group(0)
        return kg.fmt(node, key)
    return PLACEHOLDER.sub(sub, answer)
