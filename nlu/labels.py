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


# CLINC150 banking/credit_cards intent -> our intent with the same meaning; the others keep
# their CLINC name (routing, apr, credit_score, ...): bank questions BANKING77 does not cover.
CLINC_TO_INTENT: dict[str, str] = {
    "balance": "check_balance",
    "transactions": "recent_transactions",
    "spending_history": "recent_transactions",
    "transfer": "transfer_money",
    "report_lost_card": "report_lost_card",
    "card_declined": "declined_card_payment",
    "pin_change": "change_pin",
    "pay_bill": "transfer_money",  # "pay my internet bill": a payment to a payee, which the transfer form makes
}


def normalise_intent_name(label: str) -> str:
    """Lower-case, keep [a-z0-9_]: 'Refund_not_showing_up' -> 'refund_not_showing_up'."""
    name = re.sub(r"[^a-z0-9_]+", "_", label.strip().lower())
    return name.strip("_")


def banking77_intent(label: str) -> str:
    """The bot's intent name for a BANKING77 label."""
    return BANKING77_TO_ACTION.get(label, normalise_intent_name(label))
