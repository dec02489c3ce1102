"""Reply text is rewritten the way a person reads it."""
from __future__ import annotations

import pytest

from speech.asr.base import Word
from speech.grammars import constrain, grammar
from speech.textnorm import normalize_for_speech


@pytest.mark.parametrize(("text", "spoken"), [
    ("Your balance is $1,200.50.", "Your balance is one thousand two hundred dollars and fifty cents."),
    ("The account ending 4321 is open.", "The account ending four three two one is open."),
    ("Card ****4321 is blocked", "Card ending four three two one is blocked"),
    ("A fee of $1 and $0.05", "A fee of one dollar and five cents"),
    ("You sent 250 USD", "You sent two hundred fifty dollars"),
    ("Paid on 2026-11-24", "Paid on November twenty-fourth, twenty twenty-six"),
    ("Due Mar 3, 2005", "Due March third, two thousand five"),
    ("APR is 19.9%", "APR is nineteen point nine percent"),
    ("Reference 80012345", "Reference eight zero zero one two three four five"),
    ("You have 3 cards", "You have three cards"),
])
def test_normalize_for_speech(text: str, spoken: str) -> None:
    assert normalize_for_speech(text) == spoken


def test_constrain_keeps_grammar_words_and_spells_digits() -> None:
    heard = [Word("It's", 0, 0.2, 0.9), Word("4301.", 0.2, 1.0, 0.8)]
    assert [w.word for w in constrain(heard, grammar("digits", "en"))] == ["four", "three", "zero", "one"]
    amount = [Word("$250", 0, 1, 0.9)]
    assert [w.word for w in constrain(amount, grammar("amount", "en"))] == ["two", "hundred", "fifty", "dollars"]
    with pytest.raises(KeyError, match="no grammar"):
        grammar("digits", "xx")
