"""Dialogue cues and names in the conversation's language, from ``data/language/<lang>.yml``:
what the bot calls each task, and the words that tell a payment, a scheduled transfer, an income
search, an amount correction, or which item of a list is meant. A second language is a second
file."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

MIN_SEARCH_WORD = 3  # "gym" names a payment; "at", "my" do not


def _words(cues: list[str]) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:{})(?!\w)".format("|".join(re.escape(c) for c in sorted(cues, key=len, reverse=True))),
                      re.IGNORECASE)


@dataclass(frozen=True)
class DialogueLanguage:
    tasks: dict[str, str]
    task_offers: dict[str, str]  # intent -> what the bot offers to do after answering a question about it
    pay: re.Pattern[str]
    schedule: re.Pattern[str]
    income: re.Pattern[str]
    correction: re.Pattern[str]
    ordinals: dict[str, int]
    picks: dict[str, re.Pattern[str]]  # newest, oldest, largest, smallest, last
    search_stop_words: frozenset[str]
    generic_account_words: frozenset[str]
    another_task: re.Pattern[str]
    same_task_again: str
    payee_pronouns: re.Pattern[str]
    secret_placeholders: dict[str, str]  # requested slot -> what the transcript shows for its answer

    @classmethod
    def load(cls, path: Path) -> DialogueLanguage:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(dict(doc["tasks"]), dict(doc["task_offers"]), _words(doc["pay_words"]), _words(doc["schedule_words"]),
                   _words(doc["income_words"]), _words(doc["correction_words"]),
                   {str(k).lower(): int(v) for k, v in doc["ordinals"].items()},
                   {name: _words(doc[f"{name}_words"]) for name in ("newest", "oldest", "largest", "smallest", "last")},
                   frozenset(doc["search_stop_words"]), frozenset(doc["generic_account_words"]),
                   _words(doc["another_task_words"]), str(doc["same_task_again"]), _words(doc["payee_pronouns"]),
                   {str(k): str(v) for k, v in doc["secret_placeholders"].items()})

    def task(self, form: str) -> str:
        return self.tasks.get(form, form.replace("_form", "").replace("_", " "))

    def another(self, text: str) -> bool:
        """A request for a second task of the kind under way ("... move 100 into checking first")."""
        return bool(self.another_task.search(text))

    def refers_to_payee(self, text: str) -> bool:
        return bool(self.payee_pronouns.search(text))

    def pays(self, text: str) -> bool:
        return bool(self.pay.search(text))

    def schedules(self, text: str) -> bool:
        return bool(self.schedule.search(text))

    def about_income(self, text: str) -> bool:
        return bool(self.income.search(text))

    def search_words(self, text: str) -> set[str]:
        """Words of a search that may name something in the customer's transactions."""
        return {w for w in re.findall(r"[a-z]+", text.lower()) if len(w) >= MIN_SEARCH_WORD and w not in self.search_stop_words}

    def picked(self, text: str) -> set[str]:
        """Which of newest/oldest/largest/smallest/last the text asks for."""
        return {name for name, pattern in self.picks.items() if pattern.search(text)}

    def position(self, text: str) -> int | None:
        """A list position said as a digit or an ordinal ("2", "the second one")."""
        digit = re.search(r"(?<![\d.,$£€])\b([1-9])\b(?![\d.,])", text)
        if digit:
            return int(digit.group(1))
        words = re.findall(r"\w+", text.lower())
        return next((self.ordinals[w] for w in words if w in self.ordinals), None)

    def last_correction(self, text: str) -> int | None:
        """Where the last correction cue ends ("send 60, no sorry, make it 50" -> before "50")."""
        found = list(self.correction.finditer(text))
        return found[-1].end() if found else None
