"""Reading a customer's answer to a survey question: a score ("4", "four", "5 stars", "4/5"), a
refusal ("no thanks"), or something else, which is not an answer but a new request.

Deliberately strict: a message is a score only when it holds exactly one number and otherwise
only filler words, so "what is the balance of account 2" is never read as a rating.
"""
from __future__ import annotations

import re

NUMBER_WORDS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                "seven": 7, "eight": 8, "nine": 9, "ten": 10}
FILLER = {"a", "an", "i", "i'd", "id", "i'll", "would", "will", "say", "give", "it", "its", "it's",
          "that", "rating", "rate", "score", "stars", "star", "points", "point", "solid", "maybe",
          "probably", "about", "around", "definitely", "is", "my", "answer", "please", "thanks",
          "thank", "you", "ok", "okay", "well", "hmm", "um", "uh", "so", "and", "the", "just",
          "out", "of", "number"}
# every word of a refusal comes from here, and at least one is a real "no"
REFUSAL_WORDS = {"no", "nope", "nah", "nothing", "skip", "pass", "none", "not", "now", "thanks",
                 "thank", "you", "that's", "thats", "all", "else", "i'm", "im", "good", "fine",
                 "comment", "comments", "to", "add", "rather", "don't", "dont", "want", "i"}
REFUSALS = {"no", "nope", "nah", "nothing", "skip", "pass", "none", "not", "don't", "dont"}
_TOKEN = re.compile(r"[a-z']+|\d+")
_OUT_OF = re.compile(r"\b(?:out of|/)\s*(?:\d+|[a-z]+)")


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower().replace("’", "'"))


def read_score(text: str) -> int | None:
    """The one number a short answer gives ("4", "four stars", "I'd say 4 out of 5"), else None."""
    tokens = _tokens(_OUT_OF.sub(" ", text.lower()))
    numbers = [int(t) if t.isdigit() else NUMBER_WORDS[t] for t in tokens
               if t.isdigit() or t in NUMBER_WORDS]
    others = [t for t in tokens if not (t.isdigit() or t in NUMBER_WORDS)]
    if len(numbers) != 1 or any(t not in FILLER for t in others):
        return None
    return numbers[0]


def is_refusal(text: str) -> bool:
    """True for "no", "no thanks", "nothing to add", "skip"..."""
    tokens = _tokens(text)
    return bool(tokens) and all(t in REFUSAL_WORDS for t in tokens) and any(t in REFUSALS for t in tokens)
