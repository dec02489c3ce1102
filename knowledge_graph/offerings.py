"""Decide when a question is about a product the bank does not offer, so we never invent one.

Two signals: a list in ``not_offered.yaml`` (joint accounts, crypto, and whole kinds written with a
wildcard: "* insurance", "business {product}") and, in a question about a product, a name in
front of a product noun that is unknown ("the Diamond card") or belongs to another kind of product
("the Gold loan" - Gold is a card).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from knowledge_graph.errors import DataIssue, KnowledgeDataError
from knowledge_graph.graph import KnowledgeGraph
from knowledge_graph.linking import normalize
from knowledge_graph.marked_yaml import MarkedDict, load_marked

NOUN_TYPES = {"card": "card", "account": "account_class", "loan": "loan", "mortgage": "loan", "wallet": "wallet_tier"}
PRODUCT_NOUNS = r"(card|account|loan|mortgage|wallet)s?"
_FILLER = {
    "a", "an", "the", "my", "your", "this", "that", "new", "old", "any", "of", "on", "for", "to",
    "with", "in", "about", "which", "what", "one", "same", "other", "another", "second", "first",
    "own", "his", "her", "their", "our", "is", "it", "and", "or", "do", "you", "have", "get",
}
_PRODUCT_QUESTION = re.compile(
    r"\b(do you (offer|have|sell|provide)|can i (get|open|apply)|apply for|sign up|tell me about|"
    r"fee|fees|rate|interest|limit|limits|benefits|rewards|cost|price|eligib\w*)\b"
)


@dataclass(frozen=True)
class NotOffered:
    """One entry of not_offered.yaml. A term with "*" (any one word) or "{product}" (a product noun)
    names a kind of product ("{product}" takes one word before the noun: "business credit card");
    ``say`` may then hold "{}" for the words the customer used."""

    term: str
    say: str
    instead: str | None

    @property
    def wildcard(self) -> bool:
        return "*" in self.term or "{product}" in self.term

    def pattern(self) -> re.Pattern[str]:
        body = (re.escape(self.term).replace(r"\*", r"([a-z][a-z-]*)")
                .replace(r"\{product\}", rf"(?:[a-z-]+ )?{PRODUCT_NOUNS}"))
        return re.compile(rf"(?<![\w-]){body}{'' if self.wildcard else '(?:e?s)?'}(?![\w-])")  # "safe deposit boxes"


def load_not_offered(path: Path, kg: KnowledgeGraph) -> list[NotOffered]:
    """Read not_offered.yaml; an ``instead`` that names no node is a data error."""
    if not path.exists():
        return []
    raw = load_marked(path)
    items = raw.get("not_offered") if isinstance(raw, MarkedDict) else None
    if not isinstance(items, list):
        raise KnowledgeDataError([DataIssue(path, getattr(raw, "line", 1), "expected a 'not_offered' list")])
    result, issues = [], []
    for item, line in zip(items, items.item_lines):
        get = item.get if isinstance(item, dict) else (lambda key: None)
        instead, say = get("instead"), get("say")
        terms = get("terms") if get("terms") is not None else [get("term")]  # `terms`: one kind, many words
        if not isinstance(terms, list) or not terms or not all(isinstance(t, str) and t.strip() for t in terms):
            issues.append(DataIssue(path, line, "each entry needs a non-empty 'term' or 'terms' list"))
        elif instead is not None and instead not in kg.graph:
            issues.append(DataIssue(path, line, f"'instead' names unknown node {instead!r}"))
        elif get("terms") is not None and not say:
            issues.append(DataIssue(path, line, "an entry with 'terms' needs 'say' (how to name the kind)"))
        else:
            for term in terms:
                wild = "*" in term or "{product}" in term  # kept as written: normalize() would drop "*" and braces
                result.append(NotOffered(term.lower().strip() if wild else normalize(term),
                                         str(say or ("{}" if wild else term)), instead))
    if issues:
        raise KnowledgeDataError(issues)
    return result


class OfferChecker:
    """Flags questions about products that are not in the graph."""

    def __init__(self, kg: KnowledgeGraph, not_offered: list[NotOffered], known_words: set[str],
                 known_text: str = ""):
        """``known_text``: what else we can talk about (the FAQ); a kind-of-product match found in it
        ("deposit insurance") is something we answer, not something we lack."""
        self.kg = kg
        self.not_offered = [(item, item.pattern()) for item in not_offered]
        self.known_words = known_words | _FILLER
        aliases = [a for _, d in kg.graph.nodes(data=True) for a in [d["name"], *d["aliases"]]]
        aliases += [a for spec in kg.schema.attributes.values() for a in spec.aliases]
        self.known_text = " | ".join(normalize(t) for t in [*aliases, known_text])
        self.word_types: dict[str, set[str]] = {}
        for _, data in kg.graph.nodes(data=True):
            if data["type"] not in set(NOUN_TYPES.values()):
                continue  # only product names can name "another kind of product"
            for alias in [data["name"].lower(), *data["aliases"]]:
                for word in normalize(alias).split():
                    self.word_types.setdefault(word, set()).add(data["type"])

    def check(self, text: str, linked_types: set[str]) -> tuple[str, str | None] | None:
        """Return (how to name what was asked about, suggested node id) when we do not offer it."""
        norm = normalize(text)
        for item, pattern in self.not_offered:
            for match in pattern.finditer(norm):
                phrase = match.group(0)
                if item.wildcard and (set(match.groups()) & _FILLER
                                      or re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", self.known_text)):
                    continue  # "any insurance", "travel insurance" (a card feature) are not unknown kinds
                return item.say.replace("{}", phrase), item.instead
        if not _PRODUCT_QUESTION.search(norm):
            return None
        # within one sentence: "I travel a lot. Which cards ..." does not ask about "lot cards"
        phrases = (m for sentence in re.split(r"[.!?;]+(?:\s+|$)", text)
                   for m in re.finditer(rf"\b((?:[a-z][a-z-]+ ){{1,2}}){PRODUCT_NOUNS}\b", normalize(sentence)))
        for match in phrases:
            noun_type = NOUN_TYPES[match.group(2)]
            words = _name_before(match.group(1).split())
            if noun_type in linked_types or not words:
                continue
            odd = [w for w in words if w not in self.known_words
                   or self.word_types.get(w) and noun_type not in self.word_types[w]]
            if odd:
                phrase = " ".join(words[words.index(odd[0]):] + [match.group(2)])
                return f"{'an' if phrase[0] in 'aeiou' else 'a'} {phrase}", None
        return None


def _name_before(words: list[str]) -> list[str]:
    """The words right before a product noun that could be its name: the run after the last filler
    word ("a lot, which cards" names none; "the diamond rewards card" names "diamond rewards")."""
    run: list[str] = []
    for word in reversed(words):
        if word in _FILLER:
            break
        run.insert(0, word)
    return run
