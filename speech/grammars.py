"""Runtime grammars for constrained input (digits, amounts, yes/no) per language.

A grammar is a list of phrases, Vosk's format: the recogniser may output any sequence of them.
``constrain`` applies the same idea to engines without native grammars.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from speech.asr.base import Word
from speech.numbers import ONES, TENS, cardinal, digits

GRAMMARS: dict[str, dict[str, list[str]]] = {
    "digits": {
        "en": ONES[:10] + ["oh"],
        "ko": ["영", "공", "일", "이", "삼", "사", "오", "육", "칠", "팔", "구"],
    },
    "amount": {
        "en": ONES + TENS[2:] + ["hundred", "thousand", "million", "dollar", "dollars", "cent",
                                 "cents", "and", "point"],
        "ko": ["영", "일", "이", "삼", "사", "오", "육", "칠", "팔", "구", "십", "백", "천", "만", "원"],
    },
    "yes_no": {
        "en": ["yes", "yeah", "yep", "correct", "that's right", "no", "nope", "not really"],
        "ko": ["네", "예", "아니요", "아니오"],
    },
}


def grammar(name: str, language: str) -> list[str]:
    """The phrases of a named grammar; KeyError names what exists."""
    if name not in GRAMMARS or language not in GRAMMARS[name]:
        known = {g: sorted(langs) for g, langs in GRAMMARS.items()}
        raise KeyError(f"no grammar {name!r} for language {language!r}; known: {known}")
    return list(GRAMMARS[name][language])


def _spell(token: str, digit_by_digit: bool) -> list[str]:
    """A recognised token as grammar words: "4321" → four three two one, "$250" → words."""
    token = token.lower().strip(".,!?;:\"'()").replace(",", "")
    if re.fullmatch(r"\$?\d+(\.\d+)?", token):
        number = token.lstrip("$")
        whole, _, frac = number.partition(".")
        if digit_by_digit:
            return digits(number).split()
        spoken = cardinal(int(whole)) + (f" point {digits(frac)}" if frac else "")
        return re.split(r"[\s-]+", spoken) + (["dollars"] if token.startswith("$") else [])
    return re.split(r"[\s-]+", token) if token else []


def constrain(words: Sequence[Word], phrases: Sequence[str]) -> list[Word]:
    """Keep only words the grammar allows, spelling numerals the way the grammar does."""
    vocab = {w for p in phrases for w in re.split(r"[\s-]+", p.lower())}
    digit_by_digit = "hundred" not in vocab
    kept = []
    for w in words:
        kept += [replace(w, word=t) for t in _spell(w.word, digit_by_digit) if t in vocab]
    return kept
