"""Numbers written in words ("twenty five", "a hundred", "half a grand") as Decimals."""
from __future__ import annotations

import re
from decimal import Decimal

UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split())}
TENS = {w: 10 * (i + 2) for i, w in enumerate(
    "twenty thirty forty fifty sixty seventy eighty ninety".split())}
SCALES = {"hundred": 100, "thousand": 1000, "grand": 1000, "k": 1000, "million": 1_000_000}
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": -1}

NUMBER_WORD = "|".join(sorted([*UNITS, *TENS, *SCALES, "a", "an", "half", "and"], key=len,
                              reverse=True))
WORD_NUMBER_RE = re.compile(
    rf"\b(?:(?:{NUMBER_WORD})[\s-]+)*(?:{'|'.join([*UNITS, *TENS, 'hundred', 'thousand', 'grand'])})\b",
    re.IGNORECASE)


def words_to_number(phrase: str) -> Decimal | None:
    """Parse "two hundred and fifty", "a grand", "half a grand"; None when it is not a number."""
    tokens = [t for t in re.split(r"[\s-]+", phrase.lower()) if t and t != "and"]
    if not tokens:
        return None
    half = tokens[0] == "half"
    if half:
        tokens = tokens[1:]
    total, current, seen = 0, 0, False
    for token in tokens:
        if token in ("a", "an"):
            current = max(current, 1)
        elif token in UNITS:
            current += UNITS[token]
            seen = True
        elif token in TENS:
            current += TENS[token]
            seen = True
        elif token in SCALES:
            scale = SCALES[token]
            current = max(current, 1) * scale
            if scale >= 1000:
                total, current = total + current, 0
            seen = True
        else:
            return None
    if not seen:
        return None
    value = Decimal(total + current)
    return value / 2 if half else value
