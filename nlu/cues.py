"""Yes, no and "stop" in the customer's own words, from per-language cue lists under
``data/language``.

The intent model knows ``affirm``/``deny``/``cancel`` as whole messages; an answer with more in it
("Yes, report it lost", "Wait, never mind, don't send it for now") parses as another intent. The
parse therefore also carries ``answer`` (yes / no / None) and ``cancel``, read from its first words
with the cue lists, which forms and offers use at their yes/no questions.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

MIN_CLAUSE_WORDS = 2  # "please" after a comma is no request of its own
CANCEL_WINDOW = 5  # words: "oh wait, never mind" cancels; "how do I stop a payment" asks


def _alternation(cues: list[str]) -> str:
    return "|".join(re.escape(c) for c in sorted(cues, key=len, reverse=True))


@dataclass(frozen=True)
class LanguageCues:
    """Compiled cue lists of one language."""

    yes: re.Pattern[str]
    no: re.Pattern[str]
    cancel: re.Pattern[str]
    fillers: re.Pattern[str]
    question: re.Pattern[str]
    tasks_asked_about: frozenset[str]
    not_requests: frozenset[str]

    @classmethod
    def load(cls, path: Path) -> LanguageCues:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        start = r"^\W*(?:{})(?!\w)"
        return cls(yes=re.compile(start.format(_alternation(doc["yes_words"])), re.IGNORECASE),
                   no=re.compile(start.format(_alternation(doc["no_words"])), re.IGNORECASE),
                   cancel=re.compile(r"(?<!\w)(?:{})(?!\w)".format(_alternation(doc["cancel_words"])), re.IGNORECASE),
                   fillers=re.compile(r"^(?:\W*(?:{})(?!\w))+".format(_alternation(doc["fillers"])), re.IGNORECASE),
                   question=re.compile(start.format(_alternation(doc["question_starts"])), re.IGNORECASE),
                   tasks_asked_about=frozenset(doc["tasks_asked_about"]),
                   not_requests=frozenset(doc["not_requests"]))

    def answer(self, text: str) -> str | None:
        """"yes", "no" or None for a message read as the answer to a yes/no question. A cancel cue
        among its first words wins ("yes... actually cancel that" is not a yes)."""
        text = self.fillers.sub("", text.strip())
        if self.no.search(text):
            return "no"
        if self.yes.search(text):
            start = " ".join(text.split()[:CANCEL_WINDOW])
            return "no" if self.cancel.search(start) else "yes"
        return None

    def last_clause(self, text: str) -> str | None:
        """The last clause of a message of several ("hi, not logged in sorry. want to pay 120 off my
        card"; "there's a charge I don't recognise, I want to dispute it"), None for one clause."""
        clauses = [c.strip() for c in re.split(r"[.!?,;]+|\s-\s", text) if len(c.split()) >= MIN_CLAUSE_WORDS]
        return clauses[-1] if len(clauses) > 1 else None

    def asks_about(self, intent: str, text: str) -> bool:
        """A question about a task ("will I lose money if a thief used my card?", "someone stole my
        wallet, what do I do?"), not the request: its first or its last clause opens as a question."""
        clauses = [c.strip() for c in re.split(r"[.!?,;]+", text) if c.strip()]
        return intent in self.tasks_asked_about and bool(clauses) and any(
            self.question.search(self.fillers.sub("", c)) for c in {clauses[0], clauses[-1]})

    def cancels(self, text: str) -> bool:
        """The message asks to stop what is under way ("forget it, I'll pay him in cash", "wait,
        never mind"): it starts with a cancel cue, or with a "no" cue and a cancel cue follows within
        a few words; a question never cancels."""
        if "?" in text:
            return False
        text = self.fillers.sub("", text.strip())
        start = " ".join(text.split()[:CANCEL_WINDOW]) if self.no.search(text) else text
        match = self.cancel.search(start)
        return match is not None and (start is not text or not text[:match.start()].strip(" ,.!"))
