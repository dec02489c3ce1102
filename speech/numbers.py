"""English number words (American style: no "and" inside numbers), used by TTS and grammars."""
from __future__ import annotations

ONES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen " \
    "fifteen sixteen seventeen eighteen nineteen".split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
SCALES = [(10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (1000, "thousand")]
_ORDINAL_IRREGULAR = {"one": "first", "two": "second", "three": "third", "five": "fifth",
                      "eight": "eighth", "nine": "ninth", "twelve": "twelfth"}


def _below_thousand(n: int) -> str:
    parts = []
    if n >= 100:
        parts.append(f"{ONES[n // 100]} hundred")
        n %= 100
    if n >= 20:
        parts.append(TENS[n // 10] + (f"-{ONES[n % 10]}" if n % 10 else ""))
    elif n or not parts:
        parts.append(ONES[n])
    return " ".join(parts)


def cardinal(n: int) -> str:
    """1200 → "one thousand two hundred"."""
    if n < 0:
        return "minus " + cardinal(-n)
    if n >= 10**15:
        return digits(str(n))
    parts = []
    for value, word in SCALES:
        if n >= value:
            parts.append(f"{_below_thousand(n // value)} {word}")
            n %= value
    if n or not parts:
        parts.append(_below_thousand(n))
    return " ".join(parts)


def ordinal(n: int) -> str:
    """24 → "twenty-fourth"."""
    words = cardinal(n)
    head, sep, last = words.rpartition("-") if "-" in words.split()[-1] else words.rpartition(" ")
    if last in _ORDINAL_IRREGULAR:
        last = _ORDINAL_IRREGULAR[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return head + sep + last


def year(n: int) -> str:
    """2026 → "twenty twenty-six", 2005 → "two thousand five", 1999 → "nineteen ninety-nine"."""
    if 2000 <= n <= 2009 or n % 100 == 0 or not 1100 <= n <= 2099:
        return cardinal(n)
    return f"{cardinal(n // 100)} {cardinal(n % 100) if n % 100 >= 10 else 'oh ' + ONES[n % 100]}"


def digits(text: str) -> str:
    """"4321" → "four three two one" (account numbers, PINs, references)."""
    return " ".join(ONES[int(c)] for c in text if c.isdigit())
