"""Intent names shared by the data converter, training and evaluation.

BANKING77's label names are turned into valid, uniform Rasa intent names, and where a BANKING77
intent means the same thing as an action intent the bot executes, the action intent wins so the bot
has one behaviour for it. `bankbot eval nlu` applies the same mapping so scores on BANKING77's own
labels stay comparable with published numbers.
"""
from __future__ import annotations

import re

OUT_OF_SCOPE = "out_of_scope"
NLU_FALLBACK = "nlu_fallback"

# BANKING77 label -> action intent with the same meaning (documented in data/DATA-LICENSES.md).
BANKING77_TO_ACTION: dict[str, str] = {
    "lost_or_stolen_card": "report_lost_card",
}


def normalise_intent_name(label: str) -> str:
    """Lower-case, keep [a-z0-9_]: 'Refund_not_showing_up' -> 'refund_not_showing_up'."""
    name = re.sub(r"[^a-z0-9_]+", "_", label.strip().lower())
    return name.strip("_")


def banking77_intent(label: str) -> str:
    """The bot's intent name for a BANKING77 label."""
    return BANKING77_TO_ACTION.get(label, normalise_intent_name(label))
