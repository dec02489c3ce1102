"""Every parse says how the customer feels; hand-off uses the frustration score."""
from __future__ import annotations

import pytest

from nlu.sentiment import style_boost
from nlu.service import NluService

ANNOYED = [  # not in the training data
    "this is the fourth time I'm asking, answer me",
    "your app is garbage and so is this bot",
    "I am sick and tired of waiting for my refund",
    "WHERE IS MY MONEY",
]
CALM = ["what's my balance", "show my recent transactions", "thanks, that's perfect"]


@pytest.mark.parametrize("text", ANNOYED)
def test_annoyed_customers_are_negative_and_frustrated(nlu_service: NluService, text: str) -> None:
    sentiment = nlu_service.parse(text)["sentiment"]
    assert sentiment["label"] == "negative"
    assert sentiment["frustration"] > 0.5


@pytest.mark.parametrize("text", CALM)
def test_calm_messages_are_not_frustrated(nlu_service: NluService, text: str) -> None:
    sentiment = nlu_service.parse(text)["sentiment"]
    assert sentiment["label"] != "negative"
    assert sentiment["frustration"] < 0.5


def test_thanks_is_positive(nlu_service: NluService) -> None:
    assert nlu_service.parse("thank you so much, brilliant help")["sentiment"]["label"] == "positive"


def test_every_parse_carries_a_bounded_sentiment(nlu_service: NluService) -> None:
    for text in ["", "🙂", "asdf", "x" * 5000]:
        sentiment = nlu_service.parse(text)["sentiment"]
        assert sentiment["label"] in {"negative", "neutral", "positive"}
        assert 0.0 <= sentiment["frustration"] <= 1.0


def test_shouting_counts_even_though_the_encoder_is_uncased() -> None:
    assert style_boost("WHY IS MY CARD BLOCKED") > style_boost("why is my card blocked") == 0.0
