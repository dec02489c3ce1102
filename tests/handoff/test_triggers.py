"""Every hand-off trigger, and the turns that must not hand off."""
from __future__ import annotations

import pytest

from handoff.policy import parse_policy
from handoff.triggers import (
    FRUSTRATION,
    HUMAN_REQUEST,
    LOCKOUT,
    REPEATED_FALLBACK,
    RISK,
    ConversationWindow,
    Turn,
    decide,
)


def window(*turns: Turn, **kw) -> ConversationWindow:
    return ConversationWindow(list(turns), **kw)


def test_ordinary_conversation_stays_with_the_bot(policy):
    assert decide(window(Turn("greet"), Turn("check_balance", frustration=0.2)), policy) is None
    assert decide(window(), policy) is None


def test_asking_for_a_person_hands_off_in_one_step_even_mid_form(policy):
    d = decide(window(Turn("transfer_money"), Turn("inform"), Turn("human_agent")), policy)
    assert d is not None and d.reason == HUMAN_REQUEST
    assert d.skills == ("payments", "lang:en")  # routed by the need they were in the middle of


def test_first_turn_human_request_goes_to_general(policy):
    d = decide(window(Turn("human_agent")), policy)
    assert d.reason == HUMAN_REQUEST and d.skills == ("general", "lang:en")


def test_frustration_over_threshold(policy):
    d = decide(window(Turn("check_balance", frustration=0.1), Turn("card_arrival", frustration=0.9)),
               policy)
    assert d.reason == FRUSTRATION and "cards" in d.skills


def test_frustration_rising_over_turns_below_threshold(policy):
    turns = [Turn("card_arrival", frustration=f) for f in (0.1, 0.3, 0.5)]
    d = decide(window(*turns), policy)
    assert d.reason == FRUSTRATION and d.detail == "frustration rising"


@pytest.mark.parametrize("scores", [(0.1, 0.3, 0.25), (0.40, 0.45, 0.50), (0.1, 0.2, 0.4)])
def test_frustration_not_rising_enough_stays(scores, policy):
    # dips, climbs too little in total, or ends too low
    assert decide(window(*[Turn("card_arrival", frustration=f) for f in scores]), policy) is None


def test_three_misses_in_a_row_hand_off(policy):
    # a clarifying question, then the offer of a person, then a third miss: a colleague takes over
    d = decide(window(Turn("exchange_rate"), Turn("nlu_fallback", outcome="clarify"),
                      Turn("nlu_fallback", outcome="offer_person"), Turn("nlu_fallback", outcome="clarify")), policy)
    assert d.reason == REPEATED_FALLBACK


def test_one_or_two_misses_or_misses_apart_stay(policy):
    assert decide(window(Turn("greet"), Turn("nlu_fallback")), policy) is None
    assert decide(window(Turn("nlu_fallback"), Turn("nlu_fallback")), policy) is None
    assert decide(window(Turn("nlu_fallback"), Turn("check_balance"), Turn("nlu_fallback"), Turn("nlu_fallback")),
                  policy) is None


def test_low_confidence_questions_the_knowledge_layer_answered_are_no_misses(policy):
    turns = [Turn("nlu_fallback", outcome=kind) for kind in ("graph", "faq", "not_offered", "graph")]
    assert decide(window(*turns), policy) is None


def test_non_banking_questions_declined_never_hand_off(policy):
    # even an annoyed-sounding one: a question that was merely outside banking is not escalated
    turns = [Turn("nlu_fallback", outcome="out_of_scope", frustration=f) for f in (0.2, 0.5, 0.9)]
    assert decide(window(*turns), policy) is None


def test_yes_to_the_offer_of_a_person_hands_off(policy):
    d = decide(window(Turn("nlu_fallback", outcome="clarify"), Turn("affirm", outcome=HUMAN_REQUEST)), policy)
    assert d is not None and d.reason == HUMAN_REQUEST


@pytest.mark.parametrize("intent,skill", [
    ("compromised_card", "fraud"),
    ("card_payment_not_recognised", "fraud"),
    ("cash_withdrawal_not_recognised", "fraud"),
    ("transaction_charged_twice", "payments"),
    ("lost_or_stolen_card", "cards"),
    ("complaint", "general"),
    ("bereavement", "bereavement"),
    ("vulnerable_customer", "vulnerable"),
])
def test_risky_intents_hand_off_to_the_right_skill(intent, skill, policy):
    """Self-service flows (report_lost_card, dispute_transaction) are not listed: the bot blocks
    the card or opens the case itself."""
    d = decide(window(Turn("greet"), Turn(intent)), policy)
    assert d.reason == RISK and d.detail == intent
    assert skill in d.skills and d.priority_boost > 0


@pytest.mark.parametrize("text,signal", [
    ("my husband passed away and I need to close his account", "bereavement"),
    ("I really can't cope with these debts any more", "vulnerable_customer"),
])
def test_vulnerability_signals_in_text_hand_off_whatever_the_intent(text, signal, policy):
    d = decide(window(Turn("close_account", text=text)), policy)
    assert d.reason == RISK and d.detail == signal


def test_authentication_lockout_hands_off(policy):
    d = decide(window(Turn("check_balance"), auth_locked=True), policy)
    assert d.reason == LOCKOUT and d.priority_boost == policy.lockout.boost


def test_risk_takes_precedence_over_a_plain_request(policy):
    d = decide(window(Turn("human_agent"), Turn("compromised_card")), policy)
    assert d.reason == RISK and "fraud" in d.skills


def test_language_becomes_a_required_skill(policy):
    d = decide(window(Turn("human_agent"), language="de"), policy)
    assert "lang:de" in d.skills and d.language == "de"


def test_risky_intent_list_is_data_driven():
    custom = parse_policy({"risky_intents": {"mortgage_arrears": {"skills": ["loans"], "boost": 5}}})
    d = decide(window(Turn("mortgage_arrears")), custom)
    assert d.reason == RISK and d.skills == ("loans", "lang:en") and d.priority_boost == 5
    assert decide(window(Turn("compromised_card")), custom) is None
