"""Entity linking: find graph nodes, attributes and product-type nouns mentioned in a question.

Everything is matched against aliases from the data (node aliases, attribute aliases, type nouns),
longest match first, so "Class II account" never links to "Class I". Words are compared by their
Snowball stems, so an alias written "pay off early" also links "paying off early", and "close my
account" links "closing my account": alias lists then need no inflected copies.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable

import snowballstemmer

from knowledge_graph.graph import KnowledgeGraph

_SYNONYMS = [
    (re.compile(r"\b(e[\s-]?cny|e[\s-]?rmb|digital (?:yuan|rmb|renminbi|currency))\b"), "e-cny"),
    (re.compile(r"\b(vs\.?|versus)\b"), "vs"),
    (re.compile(r"\bfx\b"), "fx"),
    (re.compile(r"\boverseas\b"), "abroad"),
    # "CNY 5,000 or less" is "at most CNY 5,000" (and "or more" is "at least"), the order comparators are read in
    (re.compile(r"\b((?:cny )?[\d,]+(?:\.\d+)?k?(?: yuan| rmb)?) or (?:less|under|below|fewer)\b"), r"at most \1"),
    (re.compile(r"\b((?:cny )?[\d,]+(?:\.\d+)?k?(?: yuan| rmb)?) or (?:more|over|above|higher)\b"), r"at least \1"),
    # a foreign place is "abroad" to a bank in mainland China ("my son studying in London")
    (re.compile(r"\b(?:in|to|from) (?:the )?(?:uk|united kingdom|england|britain|london|usa|us|united states|america|"
                r"new york|canada|australia|sydney|japan|tokyo|korea|seoul|singapore|germany|france|paris|europe|"
                r"hong kong|macau|taiwan|thailand|malaysia|new zealand|italy|spain)\b"), "abroad"),
]


def normalize(text: str) -> str:
    """Lower-case, drop punctuation that is not part of a word, unify e-CNY spellings."""
    text = text.lower().replace("’", "'")
    text = re.sub(r"[^\w\s'%.,-]", " ", text)
    text = re.sub(r"(?<!\d)[.,]|[.,](?!\d)|'s\b", " ", text)  # "1.5%" and "100,000" keep theirs; "tier 4." does not
    for pattern, repl in _SYNONYMS:
        text = pattern.sub(repl, text)
    return re.sub(r"\s+", " ", text).strip()


_STEMMER = snowballstemmer.stemmer("english")
_MIN_TYPO_LEN = 5
_TYPO_SIMILARITY = 0.85  # difflib ratio: one swapped, dropped or extra letter in a word of 5+ letters
_COMPARED = re.compile(r"\b([a-z]+) (?:more than|over|above|less than|under|below|at least|at most|up to) (?:cny )?\d")


# irregular past forms Snowball leaves alone; aliases are written in the present ("pay back over")
_IRREGULAR = {"paid": "pay", "stole": "steal", "stolen": "steal", "sent": "send", "spent": "spend", "took": "take",
              "taken": "take", "gave": "give", "given": "give", "bought": "buy", "got": "get", "gotten": "get",
              "lost": "lose", "made": "make", "kept": "keep", "withdrew": "withdraw", "withdrawn": "withdraw"}


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball stem of one normalized word ("closing" and "close" are both "close"; "paid" is "pay")."""
    return _STEMMER.stemWord(_IRREGULAR.get(word, word))


def stems(text: str) -> tuple[str, ...]:
    """Stems of a normalized text's words."""
    return tuple(stem(w) for w in text.split())


@dataclass(frozen=True)
class Mention:
    """A span of the normalized question linked to something in the graph."""

    kind: str  # "node" | "attribute" | "type"
    targets: tuple[str, ...]  # node id, attribute keys, or node type
    start: int
    end: int
    alias: str


class EntityLinker:
    """Alias tables built once from the graph; ``link`` is then a pure function of the text."""

    def __init__(self, kg: KnowledgeGraph, known_words: frozenset[str] = frozenset()):
        """``known_words``: real words (the FAQ's) that are never taken for a typo of an alias word."""
        self.kg = kg
        table: dict[str, tuple[str, set[str]]] = {}
        for node_id, data in kg.graph.nodes(data=True):
            for alias in {*data["aliases"], data["name"].lower()}:
                table[normalize(alias)] = ("node", {node_id})
        for key, spec in kg.schema.attributes.items():
            for alias in (a for a in spec.aliases if "..." not in a):
                kind, keys = table.setdefault(normalize(alias), ("attribute", set()))
                if kind == "attribute":
                    keys.add(key)
        for key, node_type in kg.schema.node_types.items():
            for noun in node_type.nouns:
                table.setdefault(normalize(noun), ("type", {key}))
        self._table = {a: (k, tuple(sorted(t))) for a, (k, t) in table.items() if a}
        # the same table keyed by stems; of aliases that stem alike, the first (nodes, then attributes,
        # then type nouns) names the target, as in the table above; attribute keys are merged
        self._by_stems: dict[tuple[str, ...], tuple[str, tuple[str, ...]]] = {}
        for alias, (kind, targets) in self._table.items():
            key = stems(alias)
            old_kind, old_targets = self._by_stems.setdefault(key, (kind, targets))
            if kind == old_kind == "attribute":
                self._by_stems[key] = (kind, tuple(sorted(set(old_targets) | set(targets))))
        self._longest = max(map(len, self._by_stems), default=0)
        # each node's name and aliases as stems, in that order (graph_qa matches them in other words too)
        self.alias_stems = {n: [stems(normalize(a)) for a in dict.fromkeys([d["name"].lower(), *d["aliases"]])]
                            for n, d in kg.graph.nodes(data=True)}
        # a node alias inside another same-type node's name ("debit card" in "global debit card") is a kind
        self._kinds = {key for key, (kind, targets) in self._by_stems.items() if kind == "node" and any(
            other != targets[0] and kg.node(other)["type"] == kg.node(targets[0])["type"]
            and any(_contains(longer, key) for longer in self.alias_stems[other]) for other in self.alias_stems)}
        # "borrow up to" is an alias, so "borrow more than 250,000" names the same attribute
        self._up_to = {key[:-2]: self._by_stems[key] for key in self._by_stems
                       if key[-2:] == ("up", "to") and len(key) > 2 and self._by_stems[key][0] == "attribute"}
        self._frames = _frames(kg)
        self._after_name: dict[str, set[str]] = {}
        for key, spec in kg.schema.attributes.items():
            for word in spec.after_name:
                self._after_name.setdefault(normalize(word), set()).add(key)
        self.vocabulary = {w for alias in self._table for w in alias.split()}
        self.vocabulary |= {w for spec in kg.schema.attributes.values() for a in (*spec.aliases, *spec.after_name)
                            for w in normalize(a).split()}
        self._known = self.vocabulary | known_words
        self._by_initial: dict[str, list[str]] = {}
        for word in sorted(w for w in self.vocabulary if len(w) >= _MIN_TYPO_LEN and w.isalpha()):
            self._by_initial.setdefault(word[0], []).append(word)
        self._fix = lru_cache(maxsize=8192)(self._nearest)  # bounded: questions may carry any words

    def prepare(self, text: str) -> str:
        """The text ``link`` reads: normalized, with customers' typos of alias words corrected."""
        return self.corrected(normalize(text))

    def corrected(self, norm: str) -> str:
        """``norm`` with each unknown word that is one typo from an alias word replaced by it
        ("platnium" -> "platinum", "mortage" -> "mortgage"). Words of five letters or more only, the
        first letter kept, and never a word the FAQ uses: customers' typos, not other words."""
        return " ".join(self._fix(w) for w in norm.split())

    def _nearest(self, word: str) -> str:
        if len(word) < _MIN_TYPO_LEN or word in self._known or not word.isalpha():
            return word
        near = [w for w in self._by_initial.get(word[0], ()) if abs(len(w) - len(word)) <= 2]
        match = difflib.get_close_matches(word, near, n=1, cutoff=_TYPO_SIMILARITY)
        return match[0] if match else word

    def link(self, norm: str, entities: Iterable[dict[str, Any]] | None = None) -> list[Mention]:
        """Non-overlapping mentions in text order, plus nodes named by NLU entities. ``norm`` is the
        question as ``prepare`` returns it; the mentions' spans index into it."""
        found = self._with_frames(norm, self._scan(norm))
        found = sorted(found + self._compared(norm, found) + self._ellipsis(norm, found), key=lambda m: m.start)
        found = sorted(found + self._named_attributes(norm, found), key=lambda m: m.start)
        if not any(m.kind == "attribute" for m in found):
            found = sorted(found + self._split_attributes(norm, found), key=lambda m: m.start)
        seen = {m.targets for m in found if m.kind == "node"}
        for ent in entities or []:
            value = normalize(str(ent.get("value", "")))
            kind, targets = self._table.get(value, ("", ()))
            if kind == "node" and targets not in seen:
                found.append(Mention("node", targets, len(norm), len(norm), value))
                seen.add(targets)
        return found

    def as_written(self, mention: Mention) -> bool:
        """Whether the mention is an alias as written, not another inflection of one."""
        return mention.alias in self._table

    def _ellipsis(self, norm: str, found: list[Mention]) -> list[Mention]:
        """"a domestic transfer and an international one": "<word> one" after a product is that word
        with the product's noun, when that names another product of the same kind."""
        types = {self.kg.node(m.targets[0])["type"] for m in found if m.kind == "node"}
        result = []
        for match in re.finditer(r"\b([a-z0-9-]+) one\b", norm):
            if any(m.start < match.end() and match.start() < m.end for m in found):
                continue
            for noun in (n for t in types for n in self.kg.schema.node_types[t].nouns):
                kind, targets = self._by_stems.get(stems(f"{match.group(1)} {normalize(noun)}"), ("", ()))
                if kind == "node" and self.kg.node(targets[0])["type"] in types:
                    result.append(Mention(kind, targets, match.start(), match.end(), match.group(0)))
                    break
        return result

    def _compared(self, norm: str, found: list[Mention]) -> list[Mention]:
        """A verb with a number compared ("hold more than CNY 15,000") where "<verb> up to" is an alias."""
        result = []
        for match in _COMPARED.finditer(norm):
            key = stems(match.group(1))
            if key in self._up_to and not any(m.start < match.end(1) and match.start(1) < m.end for m in found):
                kind, targets = self._up_to[key]
                result.append(Mention(kind, targets, match.start(1), match.end(1), match.group(1)))
        return result

    def _with_frames(self, norm: str, found: list[Mention]) -> list[Mention]:
        """Attribute aliases with the product inside them ("how much can ... hold", "open ... remotely").

        A frame counts only with a product's name in its gap ("open an account in the app" wants the
        procedure, not a yes/no). It is more specific than the short aliases it spans ("how much"), so
        those are dropped; the product named inside it stays linked.
        """
        frames = []
        for pattern, keys in self._frames:
            for match in pattern.finditer(norm):
                if any(self._names_product(gap) for gap in match.groups()):
                    frames.append(Mention("attribute", keys, match.start(), match.end(), match.group(0)))
        spans = [(f.start, f.end) for f in frames]
        return [m for m in found if m.kind != "attribute"
                or not any(lo <= m.start and m.end <= hi for lo, hi in spans)] + frames

    def _names_product(self, text: str) -> bool:
        """Whether ``text`` names a product or channel (even inside a procedure's name: "open a class 1 account")."""
        return any(m.kind == "node" and self.kg.node(m.targets[0])["type"] != "procedure"
                   for m in self._scan(text.strip()))

    def _named_attributes(self, norm: str, found: list[Mention]) -> list[Mention]:
        """Words that name an attribute right after a product's name: "phone banking number".

        Only after a name of two or more words, and not after "my": "my phone number" is the
        customer's own number, not the phone banking line's.
        """
        result = []
        taken = {m.start for m in found}
        for m in found:
            if m.kind != "node" or " " not in m.alias or norm[:m.start].endswith("my "):
                continue
            attrs = self.kg.attrs(m.targets[0])
            for words, keys in self._after_name.items():
                start = m.end + 1
                end = start + len(words)
                if norm[start:end] == words and (end == len(norm) or not norm[end].isalnum()) and start not in taken:
                    owned = tuple(sorted(k for k in keys if k in attrs))
                    if owned:
                        result.append(Mention("attribute", owned, start, end, words))
                        taken.add(start)
        return result

    def _split_attributes(self, norm: str, found: list[Mention]) -> list[Mention]:
        """Attributes split by a product name: "maximum mortgage amount" reads as "maximum loan amount".

        Each node mention is replaced by its type's noun and the text is scanned again; the
        attribute mentions found are placed at the start of the node they wrapped.
        """
        nodes = [m for m in found if m.kind == "node"]
        if not nodes:
            return []
        parts, cursor, anchors = [], 0, []
        for m in nodes:
            noun = (self.kg.schema.node_types[self.kg.node(m.targets[0])["type"]].nouns or ("",))[0]
            parts.append(norm[cursor:m.start])
            at = sum(map(len, parts))
            anchors.append((at, at + len(noun), m.start))
            parts.append(noun)
            cursor = m.end
        reduced = "".join(parts) + norm[cursor:]
        result = []
        for m in self._scan(reduced):
            inside_noun = any(lo <= m.start and m.end <= hi for lo, hi, _ in anchors)
            if m.kind == "attribute" and not inside_noun:
                at = max((orig for lo, _, orig in anchors if lo <= m.end), default=0)
                result.append(Mention("attribute", m.targets, at, at, m.alias))
        return result

    def _scan(self, norm: str) -> list[Mention]:
        """Greedy longest-first matching so overlapping aliases resolve to the most specific one.

        Two limits on matching by stem: the plural of a name that other products' names contain
        lists the kind ("debit cards" is not the Classic Debit Card, while "SWIFT transfers" is the
        one SWIFT service), and one inflected word ("require" for "requirements") gives way when
        another attribute is named as written.
        """
        # most words first; of as many words, a product's name before an attribute ("car loan rate" is
        # the car loan's rate, not a "loan rate" of nothing), then the longer text
        kinds = {"node": 0, "attribute": 1, "type": 2}
        spans = sorted(set(self._all_spans(norm)), key=lambda s: (-len(s[2]), kinds[self._by_stems[s[2]][0]],
                                                                   -(s[1] - s[0]), s[0]))
        taken: list[tuple[int, int]] = []
        result = []
        for start, end, key in spans:
            kind, targets = self._by_stems[key]
            surface = norm[start:end]
            if kind == "node" and surface not in self._table and surface.endswith("s") and key in self._kinds:
                continue
            if any(start < e and s < end for s, e in taken):
                continue
            taken.append((start, end))
            result.append(Mention(kind, targets, start, end, surface))
        exact = any(m.kind == "attribute" and m.alias in self._table for m in result)
        return sorted((m for m in result if not (exact and m.kind == "attribute" and m.alias not in self._table
                                                 and " " not in m.alias)), key=lambda m: m.start)

    def _all_spans(self, norm: str) -> Iterable[tuple[int, int, tuple[str, ...]]]:
        """Every run of whole words whose stems are an alias's stems, including runs nested inside
        longer ones: (start, end, stems)."""
        words = [(m.start(), m.end(), stem(m.group())) for m in re.finditer(r"\S+", norm)]
        for i in range(len(words)):
            for j in range(i + 1, min(len(words), i + self._longest) + 1):
                key = tuple(w[2] for w in words[i:j])
                if key in self._by_stems:
                    yield words[i][0], words[j - 1][1], key


def _frames(kg: KnowledgeGraph) -> list[tuple[re.Pattern[str], tuple[str, ...]]]:
    """Compile attribute aliases written with "..." (where the product's name goes) into patterns.

    The gap takes one to six words, so a frame never spans a whole unrelated sentence.
    """
    keys_of: dict[str, set[str]] = {}
    for key, spec in kg.schema.attributes.items():
        for alias in spec.aliases:
            if "..." in alias:
                keys_of.setdefault(alias, set()).add(key)
    result = []
    for alias, keys in keys_of.items():
        parts = [normalize(p) for p in alias.split("...")]
        gap = r"((?: [^\s]+){1,6}?) "
        body = gap.join(re.escape(p) for p in parts if p)
        result.append((re.compile(rf"(?<![\w-]){body}(?![\w-])"), tuple(sorted(keys))))
    return result


def _contains(words: tuple[str, ...], part: tuple[str, ...]) -> bool:
    """``part`` occurs in ``words`` as a run of whole words and is shorter."""
    return len(part) < len(words) and any(words[i:i + len(part)] == part for i in range(len(words) - len(part) + 1))
