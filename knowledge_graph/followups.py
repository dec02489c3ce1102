"""Follow-up questions: "how much can I spend from it in a day?", "and for the gold card?", "what
about per year?" after an answer about a product are rewritten into self-contained questions about
that product, so the graph answers them as if the customer had named it again.

A ``Topic`` is what an answer was about (products, attributes, the question). ``rewrites`` returns
candidate questions, best first; the answerer keeps the first the graph answers about the product.
The words that signal a follow-up are data (``data/knowledge/language/<lang>.yaml``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from knowledge_graph.graph import KnowledgeGraph
from knowledge_graph.linking import EntityLinker

PRODUCT_TYPES = frozenset({"account_class", "card", "loan", "wallet_tier", "transfer_service"})
TOPIC_TYPES = PRODUCT_TYPES | {"procedure", "fee"}


@dataclass(frozen=True)
class Topic:
    """What a knowledge answer was about, kept by the dialogue for the next question."""

    products: tuple[str, ...]
    attributes: tuple[str, ...] = ()
    question: str = ""

    def to_slot(self) -> dict[str, Any]:
        return {"products": list(self.products), "attributes": list(self.attributes), "question": self.question}

    @classmethod
    def from_slot(cls, value: Any) -> Topic | None:
        if not isinstance(value, dict) or not value.get("products"):
            return None
        return cls(tuple(str(p) for p in value["products"]), tuple(str(a) for a in value.get("attributes") or ()),
                   str(value.get("question") or ""))


@dataclass(frozen=True)
class FollowUpCues:
    pronouns: re.Pattern[str]
    openers: re.Pattern[str]
    question: str
    of: str
    for_: str
    and_: str

    @classmethod
    def load(cls, path: Path) -> FollowUpCues:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))["follow_up"]

        def words(cues: list[str]) -> str:
            return "|".join(re.escape(c) for c in sorted(cues, key=len, reverse=True))
        return cls(re.compile(rf"\b(?:{words(doc['pronouns'])})\b"), re.compile(rf"^(?:{words(doc['openers'])})\b"),
                   doc["question"], doc["of"], doc["for"], doc["and"])


class FollowUps:
    """Rewrites follow-ups using the graph's names and the linker's reading of the question."""

    def __init__(self, kg: KnowledgeGraph, linker: EntityLinker, cues: FollowUpCues) -> None:
        self.kg, self.linker, self.cues = kg, linker, cues

    def topic_of(self, question: str, sources: list[str], attributes: list[str]) -> Topic | None:
        """What an answer to ``question`` was about: the products the customer named, else those
        the answer is about (a list's products, a procedure)."""
        norm = self.linker.prepare(question)
        named = [m.targets[0] for m in self.linker.link(norm) if m.kind == "node"
                 and self.kg.node(m.targets[0])["type"] in PRODUCT_TYPES]
        answered = [self._owner(s) for s in sources if s in self.kg.graph and self.kg.node(s)["type"] in TOPIC_TYPES]
        products = tuple(dict.fromkeys(named or answered))
        return Topic(products, tuple(attributes), question) if products else None

    def _owner(self, node: str) -> str:
        """A procedure only one product has stands for that product ("open a Class III account":
        "how much can I keep in it?" is about the account); anything else stands for itself."""
        if self.kg.node(node)["type"] != "procedure":
            return node
        owners = [n for t in PRODUCT_TYPES for n in self.kg.of_type(t) if node in self.kg.targets(n, "has_procedure")]
        return owners[0] if len(owners) == 1 else node

    def rewrites(self, text: str, topic: Topic | None) -> list[str]:
        """Self-contained versions of ``text`` about ``topic``, best first; [] when it stands alone."""
        if topic is None:
            return []
        norm = self.linker.prepare(text)
        mentions = self.linker.link(norm)
        named = [m.targets[0] for m in mentions if m.kind == "node"
                 and self.kg.node(m.targets[0])["type"] in TOPIC_TYPES - {"fee"}]
        asked = [m for m in mentions if m.kind == "attribute"]
        opener = bool(self.cues.openers.search(norm))
        pronoun = self.cues.pronouns.search(norm)
        if named:  # "and for the gold card?": the previous attribute, of the product now named
            if asked or not topic.attributes or not (opener or len(norm.split()) <= 6):
                return []
            alias = " and ".join(self.kg.schema.attributes[a].aliases[0] for a in topic.attributes
                                 if self.kg.schema.attributes[a].aliases)
            names = f" {self.cues.and_} ".join(self.kg.name(n) for n in dict.fromkeys(named))
            return [f"{self.cues.question} {alias} {self.cues.of} {names}"] if alias else []
        if not (pronoun or opener or asked):
            return []
        names = f" {self.cues.and_} ".join(self.kg.name(p) for p in topic.products)
        candidates = []
        if pronoun:
            candidates.append(f"{norm[:pronoun.start()]}the {names}{norm[pronoun.end():]}")
        candidates.append(f"{norm} {self.cues.for_} {names}")
        heads = [self.kg.schema.attributes[a].label.split()[-1] for a in topic.attributes]
        if opener and heads and not asked:  # "what about per year?" after a daily limit: "per year limit"
            candidates.append(f"{norm} {heads[0]} {self.cues.for_} {names}")
        if opener and topic.question:
            candidates.append(f"{topic.question} {text}")
        return candidates
