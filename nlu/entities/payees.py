"""Payees: "to Jane", "pay Bob Okafor", "my landlord"; matched to the customer's payees if known.

Fuzzy matching (difflib) tolerates typos ("jane morgn") and first or last names alone; an
unmatched name is still returned as typed so the dialogue can say it is not a saved payee.
"""
from __future__ import annotations

import re
from difflib import SequenceMatcher

from nlu.entities.spans import Claimed, Entity

RELATIONS = ("mum|mom|mother|dad|father|brother|sister|wife|husband|partner|son|daughter|friend|"
             "landlord|landlady|boss|flatmate|roommate|girlfriend|boyfriend|nan|gran|grandma|grandpa|"
             "uncle|aunt|cousin")
# words that follow "to"/"pay" without being a payee
STOP = set("""a an the my your our his her their this that these those it me you him them us i we
account accounts savings saving checking current card cards credit debit balance money cash funds
transfer send pay make move see check know do get find be have ask talk speak help freeze unfreeze
block report dispute add view show list cancel change open close go use set lock unlock order top
what how when where why who which someone somebody anyone another other new old payee payees
bank amount total today tomorrow yesterday next last this everyone back off up out in on at for
with please pls thanks confirm yes no ok okay""".split())
_NAME = r"[A-Z][a-zA-Z'-]+(?:\s+[A-Z][a-zA-Z'-]+){0,2}"
_CANDIDATES = [
    re.compile(rf"\bmy\s+(?P<rel>{RELATIONS})\b", re.IGNORECASE),
    re.compile(rf"\b(?:to|pay|paying|send|sending|give|for|payee|recipient)\s+(?:my\s+friend\s+)?(?P<name>{_NAME})"),
    # a lowercase name only after a money verb earlier in the sentence: "send 10 to bob"
    re.compile(r"\b(?:send|transfer|wire|pay|give|move)\s+(?:(?:it|money|some\s+money|cash|"
               r"[$£€]?\d[\d,.]*k?(?:\s*(?:dollars|bucks|pounds|quid|euros|usd|gbp|eur))?)\s+)?to\s+"
               r"(?P<low>[a-z][a-z'-]{2,})\b(?!\s+(?:account|card))"),
    # any words after a money verb, kept only when they match a saved payee: "pay jane morgn"
    re.compile(r"\b(?:pay|send|give|to)\s+(?P<saved>[a-z][a-z'-]+(?:\s+[a-z][a-z'-]+)?)", re.IGNORECASE),
]


def similarity(a: str, b: str) -> float:
    """Best ratio of ``a`` against the whole name ``b`` and each of its words."""
    a, b = a.lower().strip(), b.lower().strip()
    parts = [b, *b.split()]
    return max(SequenceMatcher(None, a, part).ratio() for part in parts)


def match_payee(name: str, payees: list[str], threshold: float = 0.8) -> str | None:
    """The saved payee ``name`` most likely means, or None."""
    scored = sorted(((similarity(name, p), p) for p in payees), reverse=True)
    return scored[0][1] if scored and scored[0][0] >= threshold else None


def extract_known_payees(text: str, payees: list[str], claimed: Claimed) -> list[Entity]:
    """The customer's saved payee names written out in full."""
    found = []
    for payee in sorted(payees, key=len, reverse=True):
        for m in re.finditer(rf"\b{re.escape(payee)}\b", text, re.IGNORECASE):
            if claimed.free(m.start(), m.end()):
                claimed.take(m.start(), m.end())
                found.append(Entity("payee", payee, m.start(), m.end()))
    return found


def extract_payees(text: str, claimed: Claimed, payees: list[str] | None = None) -> list[Entity]:
    """Names in payment phrasings, normalised to a saved payee when one matches."""
    found = []
    for pattern in _CANDIDATES:
        for m in pattern.finditer(text):
            group = next(g for g in ("rel", "name", "low", "saved") if g in pattern.groupindex and m.group(g))
            start, end = m.start(group), m.end(group)
            raw = m.group(group)
            if group == "rel":
                start = m.start()
            words = raw.lower().split()
            if not claimed.free(start, end) or words[0] in STOP or all(w in STOP for w in words):
                continue
            value = match_payee(raw, payees or []) or (text[start:end] if group == "rel" else raw)
            if group == "saved" and value == raw:
                continue
            claimed.take(start, end)
            found.append(Entity("payee", value, start, end))
    return found
