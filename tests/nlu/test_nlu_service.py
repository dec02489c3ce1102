"""What Rasa (and so the customer) notices about the intent classifier."""
from __future__ import annotations

import pytest

from nlu.service import NluService

HELD_OUT = [  # phrasings that are not in data/nlu
    ("hey there, good morning to you", "greet"),
    ("hiya bot", "greet"),
    ("how much money is on my account right now", "check_balance"),
    ("whats my current balanse", "check_balance"),
    ("please get me a real human to talk to", "human_agent"),
    ("i'd like an actual person, not a robot", "human_agent"),
    ("my new card still hasn't shown up in the post", "card_arrival"),
    ("someone stole my card yesterday", "report_lost_card"),
    ("which currencies can I hold in my account?", "fiat_currency_support"),
    ("how do I change my PIN number", "change_pin"),
    ("thanks a million, that's great", "thanks"),
    ("bye for now, have a nice day", "goodbye"),
    ("could you lock my debit card for a few days", "freeze_card"),
    ("found it again, please switch my card back on", "unfreeze_card"),
    ("send 25 pounds to my brother", "transfer_money"),
    ("what did I spend last weekend", "recent_transactions"),
    ("I'd like to pay off my credit card balance", "pay_credit_card"),
    ("am I chatting with a computer?", "bot_challenge"),
    ("I want to raise a chargeback for that purchase", "dispute_transaction"),
    ("forget it, stop", "cancel"),
]

OUT_OF_SCOPE = [
    "what's the weather like in paris tomorrow",
    "give me a recipe for lasagna",
    "asdkjh qwpoeiru zmxncb",
    "",
    "   ",
    "🙂🙂🎉",
    "\x00\x01\x02\xff\xfe",
]


@pytest.mark.parametrize(("text", "intent"), HELD_OUT)
def test_recognises_held_out_phrasings(nlu_service: NluService, text: str, intent: str) -> None:
    assert nlu_service.parse(text)["intent"]["name"] == intent


@pytest.mark.parametrize("text", OUT_OF_SCOPE)
def test_out_of_scope_and_junk_fall_back(nlu_service: NluService, text: str) -> None:
    result = nlu_service.parse(text)
    assert result["intent"]["name"] == "nlu_fallback"
    assert result["intent_ranking"][0]["name"] == "nlu_fallback"
    assert result["out_of_scope"] > 0.5


def test_fallback_keeps_the_original_ranking_like_rasa(nlu_service: NluService, nlu_settings) -> None:
    result = nlu_service.parse("what's the weather like in paris tomorrow")
    threshold = nlu_settings.nlu_fallback_threshold
    assert result["intent"] == {"name": "nlu_fallback", "confidence": pytest.approx(threshold)}
    assert result["intent_ranking"][1]["name"] == "out_of_scope"
    assert len(result["intent_ranking"]) == 11


def test_parse_has_rasa_format(nlu_service: NluService) -> None:
    result = nlu_service.parse("what is my balance", message_id="user-1")
    assert result["text"] == "what is my balance"
    assert result["entities"] == []
    assert len(result["intent_ranking"]) == 10
    confidences = [r["confidence"] for r in result["intent_ranking"]]
    assert confidences == sorted(confidences, reverse=True)
    assert result["intent"] == result["intent_ranking"][0]


def test_huge_and_mixed_script_text_is_truncated_not_fatal(nlu_service: NluService) -> None:
    huge = "I want to check my balance " + "блабла 你好 مرحبا " * 2000
    result = nlu_service.parse(huge)
    assert len(result["text"]) <= 1000
    assert result["intent"]["name"]


def test_concurrent_parses_agree_with_sequential(nlu_service: NluService) -> None:
    from concurrent.futures import ThreadPoolExecutor

    texts = [t for t, _ in HELD_OUT] * 3
    sequential = [nlu_service.parse(t)["intent"]["name"] for t in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        concurrent = [r["intent"]["name"] for r in pool.map(nlu_service.parse, texts)]
    assert concurrent == sequential
