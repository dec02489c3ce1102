"""Yes, no and "stop" in the customer's own words (data/language/en.yml)."""
from __future__ import annotations

import pytest

from bot.settings import PROJECT_ROOT
from nlu.cues import LanguageCues

CUES = LanguageCues.load(PROJECT_ROOT / "data" / "language" / "en.yml")


@pytest.mark.parametrize("message, answer", [
    ("yes", "yes"), ("Yes, report it lost", "yes"), ("yes go ahead and send it", "yes"), ("oh yes please", "yes"),
    ("sure, why not", "yes"), ("no", "no"), ("no, don't", "no"), ("Wait, never mind, don't send it for now", "no"),
    ("nope", "no"), ("yes... actually cancel that", "no"), ("Send 20 to Jane", None), ("Kate", None),
    ("what's the annual fee?", None)])
def test_answer_to_a_yes_no_question(message, answer):
    assert CUES.answer(message) == answer


@pytest.mark.parametrize("message, cancels", [
    ("cancel", True), ("forget it, I'll pay him in cash", True), ("Wait, never mind, don't send it for now", True),
    ("actually, cancel that", True), ("stop", True), ("no", False), ("no thanks", False),
    ("I want to stop a payment to Netflix", False), ("how do I cancel a card?", False)])
def test_cancel_at_any_step(message, cancels):
    assert CUES.cancels(message) == cancels


def test_the_parse_carries_the_answer(nlu_service):
    parsed = nlu_service.parse("Yes, report it lost")
    assert parsed["answer"] == "yes" and parsed["cancel"] is False
    assert nlu_service.parse("wait, never mind, don't send it")["cancel"] is True


@pytest.mark.parametrize("intent, message, asks", [
    ("report_lost_card", "is the new card free if mine got stolen", True),
    ("report_lost_card", "will I lose money if a thief used my card", True),
    ("report_lost_card", "I lost my card", False), ("report_lost_card", "can't find my card anywhere", False),
    ("freeze_card", "can you freeze my card", False), ("check_balance", "what's my balance", False)])
def test_a_question_about_a_task_is_not_the_request(intent, message, asks):
    assert CUES.asks_about(intent, message) == asks


@pytest.mark.parametrize("message, intent", [
    ("hi, not logged in sorry. want to pay 120 off my credit card from my savings", "pay_credit_card"),
    ("Oh, silly me, it was in my coat pocket all along. Please unfreeze it.", "unfreeze_card"),
    ("There's a Tesco charge on my credit card that I don't recognise, I want to dispute it", "dispute_transaction")])
def test_the_request_in_the_last_clause_leads(nlu_service, message, intent):
    assert nlu_service.parse(message)["intent"]["name"] == intent


def test_a_last_clause_is_never_read_as_a_goodbye(nlu_service):
    assert nlu_service.parse("Any tips for visiting Kyoto in autumn? First time going.")["intent"]["name"] != "goodbye"
