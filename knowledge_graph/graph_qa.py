"""Answer structured questions from the graph with templates, citing the nodes and path used.

Tried in order: a product we don't offer, then (unless it is a "why" question, which needs the
FAQ's explanation) documents for a product/procedure, procedure steps, what a channel can do,
comparison of two products, a product's procedure, filter/list over a product type, attribute
lookup, product overview. A "how do I" that names no procedure takes the one its NLU intent names.
When the exact aliases lead to none of these, the question is linked by meaning (semantic_links.py)
and routed once more; anything else returns None so the FAQ index can take it.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from knowledge_graph.graph import KnowledgeGraph
from knowledge_graph.linking import EntityLinker, Mention, normalize, stems
from knowledge_graph.offerings import NOUN_TYPES, OfferChecker
from knowledge_graph.semantic_links import NODE_TYPES, Link, QueryVector, SemanticLinker

_DOCS = re.compile(r"\b(documents?|docs?|paperwork|papers|bring|proof|provide|submit|hand in|what do i need)\b")
_HOW = re.compile(r"\b(how|steps?|process|procedure|what should i do|what do i do|walk me through|i want to|i need to|can i|help me)\b")
_COMPARE = re.compile(r"\b(compare|comparison|difference|differences|differ|different|vs|better|worse|cheaper|dearer|between|or"
                      r"|(lower|higher|longer|shorter|bigger|smaller|larger|greater|more|less)(?: \S+){0,3} than)\b")  # with two products named
_LIST_BEFORE = re.compile(r"\b(which|what|list|show|all)\b(?: \S+){0,3}$|\bwhich of (your|the)(?: \S+){0,3}$|\bany of (your|the)(?: \S+){0,2}$|\bany(?: \S+)?$")  # "which of your credit cards", "do any of your mastercard credit cards"
_OFFER_AFTER = re.compile(r"\s*(do you (have|offer|sell|provide)|are (there|available|on offer)|can i (get|open|choose|apply for))")
_WHICH_ONE = re.compile(r"\bwhich (ones?|of them)\b")  # "a Visa card with no annual fee - which one?"
_WITH_AFTER = re.compile(r"\s+(with|that|which|having)\b")  # "credit cards with ...", "cards that have ..."
_OFFER_BEFORE = re.compile(r"\b(do you (have|offer)|list (all )?(of )?your|show me (all )?your)(?: \S+){0,2}$")
_TASKS = re.compile(r"\bwhat (else )?can (i|you) (do|sort out|arrange|manage|handle|get done|help with)\b|\bwhat (services|tasks|things)\b")
_YEARLY = re.compile(r"\b(per|a|each|every) year\b|\bannual(ly)?\b|\byearly\b")
_WHY = re.compile(r"(^|\s)why\b")
# a complaint ("bad rate on the cash I withdrew") needs the FAQ's explanation, not a bare fact
_COMPLAINT = re.compile(r"\b(bad|wrong|incorrect|unfair|overcharged|ripped off|too (high|much)|didn't|did not|hasn't|has not|still not|never arrived|not working)\b")
_VALUE = re.compile(r"\b(how much|cost|costs|fee|fees|charge|charged|price|markup|what is|what|whats)\b")  # normalize() makes "what's" "what"
_OVERVIEW = re.compile(r"^(what is|what's|whats|what are|tell me about|describe|explain)\b")
_NOT_VIA = re.compile(r"\b(without|no|not|never|avoid|no need to|don't|dont|instead of|rather than|can't|cannot|cant|unable to)\b(?: \S+){0,3} $")
_EXCLUDED = re.compile(r"\b(leaving aside|aside from|apart from|excluding|not counting|not including|other than|except|except for|besides|on top of)\b(?: \S+){0,2} $")  # "... leaving aside the cable fee"
_NEG = re.compile(r"\b(no|without|zero|not|free of|don't|doesn't|dont|doesnt|never|can't|cannot|cant|won't|isn't|aren't)\b")
_BELOW = ("under", "below", "less than", "lower than", "shorter than", "smaller than", "fewer than", "cheaper than")
_ABOVE = ("over", "above", "more than", "longer than", "greater than", "higher than", "bigger than", "larger than")
_CMP = re.compile(rf"\b({'|'.join(_BELOW + _ABOVE)}|at most|up to|at least)\s+(?:an? )?(?:cny\s*)?([\d,]+(?:\.\d+)?)\s*(k)?(?:\s*(?:yuan|rmb|cny)\b)?(?:\s*(years?|yrs?)\b)?")
_CMP_FILLER = re.compile(r"^(?:(?:of|is|are|to|that is|which is)\s+)?")
_SPECIAL_ATTRS = {"steps", "description"}
_GENERIC_ATTRS = {"amount", "rate", "fee", "fee_rate"}  # what "how much" / "cost" / "fee" link when nothing more is said
_DESCRIPTION_STOP = {"i", "is", "are", "can", "do", "how", "what", "much", "money", "and", "or", "plus", "just", "use", "open"}
_FUNCTION_WORDS = {"a", "an", "the", "my", "me", "from", "to", "of", "for", "it", "on", "in", "with"}  # not required of a paraphrase
_NOTHING = {"", "none", "no", "free", "nil", "n/a", "not applicable"}
_JOINED = re.compile(r"\b(and|or)\b|,")
_PRODUCT_TYPES = {"account_class", "card", "loan", "wallet_tier", "transfer_service"}


@dataclass
class GraphAnswer:
    """A templated answer; ``result`` holds the bare facts (values or node ids) for evaluation."""

    kind: str  # "graph" | "not_offered"
    text: str
    sources: list[str]
    result: list[str] = field(default_factory=list)
    path: list[str] = field(default_factory=list)
    attributes: list[str] = field(default_factory=list)  # what was asked of the products (follow-ups reuse it)


class GraphQA:
    """Routes a linked question to one of the templates below."""

    def __init__(self, kg: KnowledgeGraph, linker: EntityLinker, offers: OfferChecker,
                 semantic: SemanticLinker | None = None):
        self.kg, self.linker, self.offers, self.semantic = kg, linker, offers, semantic
        # a channel products are had through is a list condition ("which loans can I get at a branch"); the ATM is not
        self._sold_via = {c for t in _PRODUCT_TYPES for n in kg.of_type(t) for c in kg.targets(n, "available_via")}
        # the words of each product's text values, for products a question describes instead of naming
        self._value_words = {n: set(stems(normalize(" ".join(
            str(v) for k, v in kg.attrs(n).items() if kg.schema.attributes[k].kind == "text" and k not in _SPECIAL_ATTRS))))
            for t in _PRODUCT_TYPES for n in kg.of_type(t)}

    def answer(self, text: str, entities: Iterable[dict[str, Any]] | None = None,
               query: QueryVector | None = None, intent: str | None = None) -> GraphAnswer | None:
        """Exact aliases first; only when they answer nothing is the question encoded (``query``) and
        linked by meaning to an attribute of the product it names, or to a procedure or fee. The NLU
        ``intent`` names a procedure (its ``intents`` in the data) for a "how do I" that names none."""
        norm = self.linker.prepare(text)
        mentions = self._asked_last(text, norm, self.linker.link(norm, entities))
        found = self._route(text, norm, mentions, intent)
        if found is None and self.semantic is not None and query is not None and not _wants_reason(norm):
            extra = self._semantic_mentions(norm, mentions, query)
            if extra:
                found = self._route(text, norm, mentions + extra, intent)
        return found

    def _asked_last(self, text: str, norm: str, mentions: list[Mention]) -> list[Mention]:
        """In several sentences the last one asks: attributes named before it are context ("I opened a
        Class II account in the app. How much can I spend from it in a year?" does not ask whether it
        opens in the app), unless the last names only a bare fee or cost and the earlier one a value
        ("The Gold card's annual fee. How much is it?")."""
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s.strip()]
        tail = self.linker.prepare(sentences[-1]) if len(sentences) > 1 else ""
        if not tail or not norm.endswith(tail):
            return mentions
        start = len(norm) - len(tail)
        later = [m for m in mentions if m.kind == "attribute" and m.start >= start]
        if not later:
            return mentions
        bare = all(set(m.targets) <= _GENERIC_ATTRS for m in later)
        specs = self.kg.schema.attributes
        return [m for m in mentions if m.kind != "attribute" or m.start >= start
                or bare and not any(specs[k].kind == "bool" for k in m.targets)]

    def _semantic_mentions(self, norm: str, mentions: list[Mention], query: QueryVector) -> list[Mention]:
        """The attribute (of the named product, or of the listed kind of product) or the procedure/fee
        whose alias phrases are closest in meaning to the question, if close enough. It has no span
        in the text (alias ""), so conditions on it read the whole question."""
        nodes = [m.targets[0] for m in mentions if m.kind == "node"]
        products = [n for n in nodes if self.kg.node(n)["type"] in _PRODUCT_TYPES]
        listed = [t.targets[0] for t in mentions if t.kind == "type" and t.targets[0] in _PRODUCT_TYPES]
        pool = products[:1] or [n for t in listed[:1] for n in self.kg.of_type(t)]
        if not pool:  # "how recent must my employment certificate be": a document's attribute
            pool = [n for n in nodes if self.kg.node(n)["type"] == "document"][:1]
        # the closest procedure or fee: linked when no product is named, and a rival to the product's
        # attributes otherwise ("pay in stores with my virtual card" is nearer getting a card than its fee)
        named = [m for m in mentions if m.kind == "node" and m.end > m.start
                 and self.kg.node(m.targets[0])["type"] in _PRODUCT_TYPES]  # a channel ("cash machine") is kept
        vector = query.without(_cut(norm, named)) if named else query.get()
        node = self.semantic.best(vector, "node", [n for t in NODE_TYPES for n in self.kg.of_type(t)])
        if not pool:
            if node and self.semantic.clear(node, self.semantic.node_threshold) and \
                    not any(self.kg.node(n)["type"] == "procedure" for n in nodes):
                return [Mention("node", node.targets[:1], len(norm), len(norm), "")]
            return []
        if any(m.kind == "attribute" and any(k in self.kg.attrs(n) for n in pool for k in m.targets) for m in mentions):
            return []  # an attribute of the product is named; a word like "how much" that fits none is no answer
        keys = {k for n in pool for k in self.kg.attrs(n)} - _SPECIAL_ATTRS - {"purpose"}
        if _CMP.search(norm):  # "which loans let me borrow more than CNY 250,000": a number, compared
            specs = self.kg.schema.attributes
            keys = {k for k in keys if specs[k].kind in ("money", "int", "percent")}
            keys = set(_bound(norm, [Mention("attribute", tuple(sorted(keys)), 0, 0, "")], specs)[0].targets) if keys else keys
            # the names and the number pull away from the verb that says which attribute ("hold", "borrow")
            bare = query.without(_CMP.sub(" ", _cut(norm, [m for m in mentions if m.end > m.start])))
            vector = max((vector, bare), key=lambda v: self._strength(self.semantic.best(v, "attribute", keys)))
        best = self.semantic.best(vector, "attribute", keys)
        # a list question ("which cards ...") lists products: a fee or procedure is no rival reading
        rival = node.score if node and products else -1.0
        if best and self.semantic.clear(best, self.semantic.attribute_threshold, rival) \
                and not _asks_for_several(_cut(norm, mentions), best.targets, keys, self.kg.schema.attributes):
            return [Mention("attribute", best.targets, len(norm), len(norm), "")]
        if node and self.semantic.clear(node, self.semantic.node_threshold, best.score if best else -1.0):
            return [Mention("node", node.targets[:1], len(norm), len(norm), "")]  # "another bank's cash machine"
        return []

    def _strength(self, link: Link | None) -> tuple[bool, float]:
        """Orders links: clear ones first, then by cosine."""
        return (bool(link) and self.semantic.clear(link, self.semantic.attribute_threshold), link.score if link else -1.0)

    def _route(self, text: str, norm: str, mentions: list[Mention], intent: str | None = None) -> GraphAnswer | None:
        nodes = list(dict.fromkeys(m.targets[0] for m in mentions if m.kind == "node"))
        attrs = _asked(norm, [m for m in mentions if m.kind == "attribute" and not set(m.targets) & _SPECIAL_ATTRS
                              and not _EXCLUDED.search(norm[:m.start])], self.kg.schema.attributes)
        types = [m for m in mentions if m.kind == "type"]
        products = [n for n in nodes if self.kg.node(n)["type"] in _PRODUCT_TYPES | {"channel", "fee", "bank"}]
        # a procedure named in another inflection ("you blocked my card") is news, not a request for
        # its steps, unless the question asks how
        procedures = [m.targets[0] for m in mentions if m.kind == "node" and self.kg.node(m.targets[0])["type"] == "procedure"
                      and (self.linker.as_written(m) or _HOW.search(norm) or _DOCS.search(norm))]
        attrs = _counted(norm, _bound(norm, attrs, self.kg.schema.attributes), self.kg.schema.attributes)
        if not products and not procedures and attrs:  # "how recent must my employment certificate be"
            products = [n for n in nodes if self.kg.node(n)["type"] == "document"]
        channels = [n for n in products if self.kg.node(n)["type"] == "channel"]
        if len(channels) == len(products) and not procedures and _HOW.search(norm):  # "a budgeting app" is not our app
            procedures = self._named_in_other_words(norm, {"procedure"}, min_words=2, in_order=False)
        if not products and not procedures and intent and (_HOW.search(norm) or _DOCS.search(norm)):
            # "my new card came in the post, how do I switch it on": the NLU reads activate_my_card
            procedures = [n for n in self.kg.of_type("procedure") if intent in self.kg.node(n)["intents"]][:1]
        # a bare noun ("the diamond mortgage" links "mortgage") does not vouch for the name in front of it
        named = {m.targets[0] for m in mentions if m.kind == "node" and m.alias not in NOUN_TYPES}
        missing = self.offers.check(text, {self.kg.node(n)["type"] for n in products + procedures if n in named})
        if missing:
            return self._not_offered(*missing)
        if _wants_reason(norm):
            return None
        askable = [n for n in products if self.kg.node(n)["type"] in _PRODUCT_TYPES] + procedures
        if (_DOCS.search(norm) or any(t.targets == ("document",) for t in types)) and askable:
            return self._documents(procedures[0] if procedures else askable[0], norm)
        if procedures and not attrs:
            return self._procedure(procedures[0])
        own = [m for m in attrs if any(k in self.kg.attrs(procedures[0]) for k in m.targets)] if procedures else []
        if own:  # "how long does it take to open a Class II account in the app": the procedure's duration
            return self._lookup(procedures[:1], own)
        if channels and not attrs and not procedures and _TASKS.search(norm):  # "what can I sort out by phone banking"
            return self._tasks(channels[0])
        same_type = self._same_type_pair(products)
        if same_type and _COMPARE.search(norm):  # before "can I": "can I borrow for longer with a or b"
            return self._compare(same_type, attrs)
        if products and _HOW.search(norm) and not attrs:
            proc = self._pick_procedure(products[0], norm, strict=True)
            if proc:
                return self._procedure(proc, via=products[0])
            # "send money to my landlord's bank account in Germany": a procedure of no product named
            named = self._named_in_other_words(norm, {"procedure"}, min_words=3, in_order=False)
            if named:
                return self._procedure(named[0])
        listed = self._listed_type(norm, types, bool(attrs) or any(n in self._sold_via for n in products))
        if listed and not any(self.kg.node(p)["type"] == listed.targets[0] for p in products):
            return self._filter(listed, attrs, norm, [m for m in mentions if m.kind == "node"])
        if attrs and not products and procedures:  # "minimum age to open a Class II account"
            products = [n for n in self.kg.graph if any(p in self.kg.targets(n, "has_procedure") for p in procedures)
                        and any(k in self.kg.attrs(n) for m in attrs for k in m.targets)]
        keys = {k for m in attrs for k in m.targets}
        if attrs and not any(k in self.kg.attrs(n) for n in products for k in keys):
            # "a transfer between my own Jade River accounts" names "transfer between my accounts"
            products = [n for n in self._named_in_other_words(norm, _PRODUCT_TYPES, min_words=3, in_order=True)
                        if keys & set(self.kg.attrs(n))] or products
        if attrs and not any(self.kg.node(n)["type"] in _PRODUCT_TYPES for n in products):
            # "my wallet, opened with only my phone number": the tier that value describes
            products = self._described(norm, [t.targets[0] for t in types if t.targets[0] in _PRODUCT_TYPES],
                                       [m for m in mentions if m.kind != "node"]) or products
        if attrs and not products:
            products = [n for n in self.kg.of_type("bank") if any(k in self.kg.attrs(n) for m in attrs for k in m.targets)]
        if attrs and not products:  # an attribute only one product has names it (the FX quota, the cable fee)
            owners = [[n for n in self.kg.graph if set(m.targets) & set(self.kg.attrs(n))] for m in attrs]
            products = next((o for o in owners if len(o) == 1), [])
        if attrs and products and not any(k in self.kg.attrs(n) for n in products for k in keys):
            # "once I've applied for a car loan, how long until I hear back": the application's duration
            proc = self._pick_procedure(products[0], norm, strict=True)
            if proc and keys & set(self.kg.attrs(proc)):
                return self._lookup([proc], attrs)
        if products and attrs:
            found = self._lookup(products, attrs, bool(_YEARLY.search(norm)))
            if found:
                return found
        # the first product whose kind answers a bare "how much" (a fee, not "the app" named before it)
        priced = next((p for p in products if self.kg.schema.node_types[self.kg.node(p)["type"]].default_attributes), None)
        defaults = self.kg.schema.node_types[self.kg.node(priced)["type"]].default_attributes if priced else ()
        if defaults and _VALUE.search(norm):
            found = self._lookup([priced], [Mention("attribute", defaults, 0, 0, "")])
            if found:
                return found
        if products and (_OVERVIEW.search(norm) or any("description" in m.targets for m in mentions)):
            return self._overview(products[0])
        return None

    def _described(self, norm: str, node_types: list[str], mentions: list[Mention]) -> list[str]:
        """The one product of the named kind whose text values share at least two content words with
        the question (linked words aside), two more than any other product of that kind."""
        words = set(stems(_cut(norm, mentions))) - _FUNCTION_WORDS - _DESCRIPTION_STOP
        scored = sorted(((len(words & self._value_words[n]), n) for t in node_types[:1] for n in self.kg.of_type(t)),
                        reverse=True)
        if scored and scored[0][0] >= 2 and (len(scored) == 1 or scored[0][0] - scored[1][0] >= 2):
            return [scored[0][1]]
        return []

    def _listed_type(self, norm: str, types: list[Mention], has_conditions: bool) -> Mention | None:
        """The product type a list question asks about: "which credit cards ...", "what loans do you offer"."""
        for t in types:
            if t.targets[0] not in _PRODUCT_TYPES | {"fee", "channel"}:
                continue
            before = " ".join(norm[:t.start].split()[-5:])
            after = norm[t.end:t.end + 25]
            if has_conditions and (_LIST_BEFORE.search(before) or _WITH_AFTER.match(after) or _WHICH_ONE.search(norm)):
                return t
            if _LIST_BEFORE.search(before) and _OFFER_AFTER.match(after) or _OFFER_BEFORE.search(before):
                return t
        return None

    # --- templates -------------------------------------------------------------------------
    def _not_offered(self, term: str, instead: str | None) -> GraphAnswer:
        text = f"Sorry, {self.kg.schema.bank_name} doesn't offer {term}."
        if instead:
            text += f" You might be interested in the {self.kg.name(instead)} instead."
        return GraphAnswer("not_offered", text, [instead] if instead else [], [])

    def _documents(self, node_id: str, norm: str) -> GraphAnswer:
        path_nodes = [node_id]
        docs = self.kg.targets(node_id, "requires_document")
        paths = [f"{node_id} -requires_document-> {d}" for d in docs]
        if self.kg.node(node_id)["type"] != "procedure":
            proc = self._pick_procedure(node_id, norm, strict=False)
            if proc:
                path_nodes.append(proc)
                proc_docs = self.kg.targets(proc, "requires_document")
                paths += [f"{node_id} -has_procedure-> {proc} -requires_document-> {d}" for d in proc_docs]
                docs = list(dict.fromkeys(proc_docs + docs))
        proc_name = next((self.kg.name(n) for n in path_nodes if self.kg.node(n)["type"] == "procedure"), None)
        what = f"To {proc_name[0].lower()}{proc_name[1:]}" if proc_name else f"For the {self.kg.name(node_id)}"
        if not docs:
            text = f"{what}, you don't need any documents."
        else:
            text = f"{what}, you need:\n" + "\n".join(f"- {self.kg.name(d)}" for d in docs)
        return GraphAnswer("graph", _cite(text, path_nodes + docs), path_nodes + docs, sorted(docs), paths)

    def _procedure(self, proc: str, via: str | None = None) -> GraphAnswer:
        attrs = self.kg.attrs(proc)
        steps = "\n".join(f"{i}. {s}" for i, s in enumerate(attrs.get("steps", []), 1))
        text = f"{self.kg.name(proc)}:\n{steps}"
        if "duration" in attrs:
            text += f"\nHow long it takes: {attrs['duration']}."
        channels = self.kg.targets(proc, "available_via")
        if channels:
            text += "\nWhere: " + ", ".join(self.kg.name(c) for c in channels) + "."
        docs = self.kg.targets(proc, "requires_document")
        if docs:
            text += "\nBring: " + "; ".join(self.kg.name(d) for d in docs) + "."
        sources = ([via] if via else []) + [proc] + channels + docs
        path = [f"{via} -has_procedure-> {proc}"] if via else [proc]
        return GraphAnswer("graph", _cite(text, sources), sources, [proc], path)

    def _tasks(self, channel: str) -> GraphAnswer:
        procs = [p for p in self.kg.of_type("procedure") if channel in self.kg.targets(p, "available_via")]
        text = f"Through {self.kg.name(channel)} you can:\n" + "\n".join(f"- {self.kg.name(p)}" for p in procs)
        return GraphAnswer("graph", _cite(text, [channel, *procs]), [channel, *procs], sorted(procs),
                           [f"{p} -available_via-> {channel}" for p in procs])

    def _compare(self, pair: list[str], attrs: list[Mention]) -> GraphAnswer:
        a, b = pair
        wanted = [k for m in attrs for k in m.targets]
        keys = [k for k in self.kg.schema.attributes if k not in _SPECIAL_ATTRS | {"purpose"}
                and (k in self.kg.attrs(a) or k in self.kg.attrs(b))
                and (not wanted or k in wanted)]
        rows = []
        for key in keys:
            va, vb = (self._value(n, key) for n in pair)
            if va != vb or wanted:
                rows.append(f"- {self.kg.schema.attributes[key].label}: {va} vs {vb}")
        head = f"{self.kg.name(a)} vs {self.kg.name(b)}:"
        text = head + ("\n" + "\n".join(rows) if rows else " they are the same on every attribute we hold.")
        return GraphAnswer("graph", _cite(text, pair), pair, sorted(pair), [f"{a} <-> {b}"], wanted)

    def _filter(self, type_mention: Mention, attrs: list[Mention], norm: str,
                linked: list[Mention]) -> GraphAnswer | None:
        node_type = type_mention.targets[0]
        pool = self.kg.of_type(node_type)
        word = norm[:type_mention.start].split()[-1:] or [""]
        narrowed = [n for n in pool if word[0] and word[0] in self.kg.name(n).lower().split()]
        label = self.kg.schema.node_types[node_type].label
        if narrowed and len(narrowed) < len(pool):
            pool, label = narrowed, f"{word[0]} {label}"
        # an attribute none of these products has ("charge" in "cards that charge no FX fee") is no condition
        used = [m for m in attrs if any(k in self.kg.attrs(n) for n in pool for k in m.targets)]
        conditions = [(m, self._condition(m, norm, used)) for m in used]
        for m in (m for m in linked if self.kg.node(m.targets[0])["type"] == "channel"):
            c = m.targets[0]  # "loans I can apply for in the app": product -available_via-> channel
            if not any(c in self.kg.targets(n, "available_via") for n in pool):
                continue  # no card is had "via the ATM": the ATM is where it is used, not a condition
            if _NOT_VIA.search(norm[:m.start]):  # "without going to a branch": through some other channel
                conditions.append((Mention("node", (c,), 0, 0, f"no need to visit the {self.kg.name(c)}"),
                                   lambda n, c=c: any(x != c for x in self.kg.targets(n, "available_via"))))
            else:
                conditions.append((Mention("node", (c,), 0, 0, f"via the {self.kg.name(c)}"),
                                   lambda n, c=c: c in self.kg.targets(n, "available_via")))
        matches = [n for n in pool if all(test(n) for _, test in conditions)]
        if any(not m.alias and all(test(n) for n in pool if set(m.targets) & set(self.kg.attrs(n)))
               for m, test in conditions):
            return None  # an attribute linked by meaning that rules out none of the products that have it was not what was asked
        described = " and ".join(m.alias if m.kind == "node" else self._describe(m, norm, used) for m, _ in conditions)
        if not matches:
            text = f"None of our {label}s {('have ' + described) if described else 'match'}."
        else:
            intro = f"Our {label}s{' with ' + described if described else ''}:"
            text = intro + "\n" + "\n".join(f"- {self.kg.name(n)}" for n in matches)
        return GraphAnswer("graph", _cite(text, matches), matches, sorted(matches), [f"type={node_type}"],
                           [k for m, _ in conditions if m.kind == "attribute" for k in m.targets])

    def _lookup(self, products: list[str], attrs: list[Mention], yearly: bool = False) -> GraphAnswer | None:
        """The asked attributes of each product; a bare "fee"/"cost" a product lacks lists its annual
        fee and the fees it charges (only the annual fee when the question says "per year")."""
        lines, sources, result, asked = [], [], [], []
        for node in products:
            for m in attrs:
                for key in [k for k in m.targets if k in self.kg.attrs(node)]:
                    asked.append(key)
                    value = self._value(node, key)
                    spec = self.kg.schema.attributes[key]
                    extra = [f"{self.kg.schema.attributes[k].label}: {self._value(node, k)}"
                             for k in spec.see_also if k in self.kg.attrs(node) and k not in m.targets]
                    lines.append(f"{self.kg.name(node)} - {spec.label}: {value}"
                                 + (f" ({'; '.join(extra)})" if extra else "") + ".")
                    result.append(value)
                    sources.append(node)
            if not any(k in self.kg.attrs(node) for m in attrs for k in m.targets) and \
                    any("fee" in m.targets for m in attrs):
                if "annual_fee" in self.kg.attrs(node):
                    lines.append(f"{self.kg.name(node)} - annual fee: {self._value(node, 'annual_fee')}.")
                    result.append(self._value(node, "annual_fee"))
                    sources.append(node)
                for fee in [] if yearly and "annual_fee" in self.kg.attrs(node) else self.kg.targets(node, "charges"):
                    lines.append(f"{self.kg.name(node)} - {self._fee_line(fee)}.")
                    result.append(fee)
                    sources += [node, fee]
        if not lines:
            return None
        sources = list(dict.fromkeys(sources))
        return GraphAnswer("graph", _cite("\n".join(dict.fromkeys(lines)), sources), sources,
                           list(dict.fromkeys(result)), sources, list(dict.fromkeys(asked)))

    def _overview(self, node: str) -> GraphAnswer:
        attrs = self.kg.attrs(node)
        facts = [f"- {self.kg.schema.attributes[k].label}: {self._value(node, k)}"
                 for k in attrs if k not in _SPECIAL_ATTRS | {"purpose"}]
        text = f"{self.kg.name(node)}: {attrs.get('description', '')}".strip()
        if facts:
            text += "\n" + "\n".join(facts)
        return GraphAnswer("graph", _cite(text, [node]), [node], [node], [node])

    # --- helpers ---------------------------------------------------------------------------
    def _value(self, node: str, key: str) -> str:
        return self.kg.fmt(node, key) if key in self.kg.attrs(node) else "n/a"

    def _fee_line(self, fee: str) -> str:
        parts = [self._value(fee, k) for k in ("amount", "rate") if k in self.kg.attrs(fee)]
        notes = self.kg.attrs(fee).get("notes")
        return f"{self.kg.name(fee)}: {', '.join(parts)}" + (f" ({notes})" if notes else "")

    def _same_type_pair(self, products: list[str]) -> list[str] | None:
        for i, a in enumerate(products):
            for b in products[i + 1:]:
                if self.kg.node(a)["type"] == self.kg.node(b)["type"]:
                    return [a, b]
        return None

    def _named_in_other_words(self, norm: str, types: set[str], min_words: int, in_order: bool) -> list[str]:
        """A node whose alias words all occur in the question with other words between ("change my
        card PIN" is "change my pin"; a product's words must keep their order); the longest alias wins."""
        words = list(stems(norm))
        best, best_len = [], 0
        for node in (n for t in types for n in self.kg.of_type(t)):
            for alias in self.linker.alias_stems[node]:
                alias_words = [w for w in alias if w not in _FUNCTION_WORDS]
                if len(set(alias_words)) < max(min_words, best_len + 1):
                    continue
                found = _in_order(alias_words, words) if in_order else set(alias_words) <= set(words)
                if found:
                    best, best_len = [node], len(set(alias_words))
        return best

    def _pick_procedure(self, node: str, norm: str, strict: bool) -> str | None:
        """The product's procedure whose aliases share most words with the question.

        The first procedure listed on the node is its main one (apply/open) and wins ties.
        """
        procs = self.kg.targets(node, "has_procedure")
        own = {w for alias in self.linker.alias_stems[node] for w in alias}
        words = set(stems(norm)) - own - {"a", "an", "the", "my", "i", "do", "how", "to", "for", "card", "account", "wallet", "loan"}
        best, best_score = None, 0
        for proc in procs:
            vocab = {w for alias in self.linker.alias_stems[proc] for w in alias}
            score = len(words & vocab)
            if score > best_score:
                best, best_score = proc, score
        if best or strict:
            return best
        return procs[0] if procs else None

    def _condition(self, m: Mention, norm: str, others: list[Mention]):
        """Turn "no foreign transaction fee" / "lounge access" / "annual fee under 500" into a test.

        An attribute linked by meaning has no span (alias ""): a negation or comparator anywhere in the
        question is its."""
        negated, cmp = _qualifiers(m, norm, others)
        spec = {k: self.kg.schema.attributes[k] for k in m.targets}
        named_value = bool(m.alias) and any(normalize(m.alias) in _parts(self.kg.attrs(n)[k])
                          for k in spec for n in self.kg.graph if k in self.kg.attrs(n))

        def test(node: str) -> bool:
            attrs = self.kg.attrs(node)
            key = next((k for k in spec if k in attrs), None)
            if key is None:
                return negated
            value, kind = attrs[key], spec[key].kind
            if kind == "bool":
                return value is (not negated)
            if kind in ("money", "percent", "int"):
                number = math.inf if value == "unlimited" else float(value)
                if cmp:
                    limit = float(cmp.group(2).replace(",", "")) * (1000 if cmp.group(3) else 1)
                    if cmp.group(4) and spec[key].unit == "months":  # "more than 5 years" against a term in months
                        limit *= 12
                    op = cmp.group(1)
                    if op in _BELOW:
                        return number < limit
                    if op in ("at most", "up to"):
                        return number <= limit
                    return number > limit if op in _ABOVE else number >= limit
                # "no annual fee" is zero; "no payment limit" is unlimited
                return (number == 0 or math.isinf(number)) if negated else number > 0
            if named_value:  # "Mastercard cards", "cards that work with Google Pay"
                return (normalize(m.alias) in _parts(value)) != negated
            present = str(value).lower().strip() not in _NOTHING  # an early repayment fee of "free" is none
            return not present if negated else present

        return test

    def _describe(self, m: Mention, norm: str, others: list[Mention]) -> str:
        negated, cmp = _qualifiers(m, norm, others)
        name = m.alias or self.kg.schema.attributes[m.targets[0]].label
        return f"{'no ' if negated else ''}{name}{' ' + cmp.group(0) if cmp else ''}"


def _wants_reason(norm: str) -> bool:
    """"Why ..." or a complaint without "how": the graph holds facts, not reasons; the FAQ explains."""
    return bool(_WHY.search(norm) or _COMPLAINT.search(norm) and not _HOW.search(norm))


def _qualifiers(m: Mention, norm: str, others: list[Mention]) -> tuple[bool, re.Match[str] | None]:
    """Whether the condition on ``m`` is negated ("no annual fee", "fee-free") and its comparator
    ("annual fee under 500", "more than CNY 500 a year in annual fees"), if any."""
    after = norm[m.end:m.end + 30]
    negated = bool(_NEG.search(_scope(m, norm, others) if m.alias else norm)) or after.startswith(("-free", " free"))
    cmp = _CMP.match(_CMP_FILLER.sub("", after.strip(), 1)) or _CMP.search(_scope(m, norm, others, 9) if m.alias else norm)
    return negated, cmp


def _scope(m: Mention, norm: str, others: list[Mention], words: int = 5) -> str:
    """The words a negation (or, with more ``words``, a comparator) of ``m`` may stand in: those
    before it, back to the previous attribute ("cards that can't be used for contactless", but in
    "no annual fee and contactless" the "no" is the fee's)."""
    floor = max((o.end for o in others if o.alias and o.end <= m.start and o is not m), default=0)
    return re.split(r"\b(?:and|or)\b", " ".join(norm[floor:m.start].split()[-words:]))[-1]  # not past "and"/"or"


def _asked(norm: str, attrs: list[Mention], specs: dict) -> list[Mention]:
    """Drop an attribute that only qualifies the one asked about next to it: in "is the annual fee
    waived?" the fee is the subject and the waiver (one of its see_also) the question.

    Both must be within four words of each other ("avoid paying the Platinum card annual fee") and not joined by "and"/"or" ("the annual fee and
    the waiver" asks for both); attributes that list each other (minimum/maximum amount) never drop.
    """
    def qualifies(a: Mention, b: Mention) -> bool:
        shown_with_a = {k for key in a.targets for k in specs[key].see_also}
        shown_with_b = {k for key in b.targets for k in specs[key].see_also}
        lo, hi = sorted([a, b], key=lambda m: m.start)
        between = norm[lo.end:hi.start]
        return (set(b.targets) <= shown_with_a and not set(a.targets) & shown_with_b
                and len(between.split()) <= 4 and not _JOINED.search(between))

    return [a for a in attrs if not any(b is not a and qualifies(a, b) for b in attrs)]


_MAX_WORDS = re.compile(r"\b(highest|maximum|max|most|largest|biggest|longest)\b")
_MIN_WORDS = re.compile(r"\b(lowest|minimum|min|least|smallest|shortest|cheapest|start(s|ing)? (from|at))\b")


def _bound(norm: str, attrs: list[Mention], specs: dict) -> list[Mention]:
    """Keep one end of a range: "interest rate" links both ends (interest_rate, interest_rate_max);
    "highest" or "lowest" in the question keeps the end whose label says so, and without them a
    comparator does ("loans that let me borrow more than 250,000": the maximum amount is above it).
    Ends are attributes that list each other in see_also; an attribute without a twin is never dropped."""
    cmp = _CMP.search(norm)
    norm = re.sub(r"\bat (least|most)\b", " ", norm)  # comparators, not bounds
    wants_max, wants_min = bool(_MAX_WORDS.search(norm)), bool(_MIN_WORDS.search(norm))
    if not wants_max and not wants_min and cmp:
        wants_max, wants_min = cmp.group(1) not in _BELOW + ("at most", "up to"), cmp.group(1) in _BELOW + ("at most", "up to")
    if wants_max == wants_min:
        return attrs
    wanted, other = (_MAX_WORDS, _MIN_WORDS) if wants_max else (_MIN_WORDS, _MAX_WORDS)

    def twins(key: str) -> set[str]:
        return set(specs[key].see_also) | {k for k, spec in specs.items() if key in spec.see_also}

    result = []
    for m in attrs:
        keys = []
        for key in m.targets:
            label = specs[key].label
            if other.search(label) and any(not other.search(specs[t].label) for t in twins(key)):
                continue  # the other end of a range
            if not wanted.search(label):
                ends = sorted(t for t in twins(key) if wanted.search(specs[t].label))
                if ends:
                    keys += ends
                    continue
            keys.append(key)
        keys = tuple(dict.fromkeys(keys))
        result.append(m if keys == m.targets or not keys else Mention(m.kind, keys, m.start, m.end, m.alias))
    return result


def _counted(norm: str, attrs: list[Mention], specs: dict) -> list[Mention]:
    """"How many" asks for a number: an attribute that is not one gives way to its countable twin
    in see_also ("how many airport lounge visits" is the visits, not whether there is access)."""
    if not re.search(r"\bhow many\b", norm):
        return attrs
    result = []
    for m in attrs:
        counted = tuple(t for k in m.targets if specs[k].kind != "int" for t in specs[k].see_also if specs[t].kind == "int")
        result.append(Mention(m.kind, counted, m.start, m.end, m.alias) if counted else m)
    return result


def _asks_for_several(norm: str, chosen: tuple[str, ...], keys: set[str], specs: dict) -> bool:
    """A plural that names several of the product's attributes ("limits of class two accounts": the
    balance, daily and annual limits) asks for all of them; one of them linked by meaning would read
    as the whole answer. ``norm`` is the question without its linked names ("credit cards" is the kind
    listed, not a plural of "card" in an attribute's label)."""
    for word in set(norm.split()):
        if len(word) < 4 or not word.endswith("s") or word.endswith("ss"):
            continue
        named = {k for k in keys if any(word[:-1] in text.split() for text in [specs[k].label.lower(), *specs[k].aliases])}
        if len(named) > 1 and not named <= set(chosen):
            return True
    return False


def _cut(norm: str, spans: list[Mention]) -> str:
    """``norm`` without the text of ``spans``."""
    for m in sorted(spans, key=lambda m: -m.start):
        norm = norm[:m.start] + norm[m.end:]
    return " ".join(norm.split())


def _in_order(needle: list[str], words: list[str]) -> bool:
    """All of ``needle`` occur in ``words`` in this order, possibly with other words between."""
    rest = iter(words)
    return all(any(w == n for w in rest) for n in needle)


def _parts(value: Any) -> set[str]:
    """The items of a text or list value, normalized ("Apple Pay; Google Pay" -> {"apple pay", "google pay"})."""
    items = value if isinstance(value, list) else str(value).split(";")
    return {normalize(str(i)) for i in items}


def _cite(text: str, sources: list[str]) -> str:
    return f"{text}\n[sources: {', '.join(dict.fromkeys(sources))}]" if sources else text
