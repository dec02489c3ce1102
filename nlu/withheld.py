"""Answers the gateway withheld from the dialogue engine: a PIN, date of birth or one-time code
typed where the bot asked for one reaches Rasa only as a reference (``[[secret:<hex>]]``), so its
tracker never holds the secret. The NLU reads such a reference as a plain answer (``inform``),
with no entities and nothing to learn from, so it is never a "missed question" either."""
from __future__ import annotations

import re
from typing import Any

WITHHELD = re.compile(r"\s*\[\[secret:([0-9a-f]{24})\]\]\s*")
ANSWER_INTENT = "inform"


def withheld_parse(text: str) -> dict[str, Any]:
    """Rasa's parse of a withheld answer."""
    intent = {"name": ANSWER_INTENT, "confidence": 1.0}
    return {"text": text, "entities": [], "intent": intent, "intent_ranking": [intent], "out_of_scope": 0.0,
            "sentiment": {"label": "neutral", "confidence": 1.0, "scores": {"neutral": 1.0}, "frustration": 0.0},
            "answer": None, "cancel": False, "withheld": True}
