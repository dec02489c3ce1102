"""Follow-up questions are answered about the product of the previous answer."""
from __future__ import annotations

import pytest

from bot.settings import PROJECT_ROOT
from knowledge_graph.followups import Topic
from knowledge_graph.questions import OUTPUT, generate


def ask(answerer, *questions):
    """Ask in turn, each with the topic the previous answer left (as the dialogue keeps it)."""
    topic, answer = None, None
    for question in questions:
        answer = answerer.answer(question, None, None, topic)
        topic = answer.topic or topic
    return answer


@pytest.mark.parametrize("conversation, expected", [
    (["I have a Class II account I opened in the app", "how much can I spend from it in a single day?"], ["CNY 10,000"]),
    (["how much can I spend from a Class II account in a day?", "what about per year?"], ["CNY 200,000"]),
    (["what is the annual fee of the classic credit card", "and for the gold card?"], ["CNY 300"]),
    (["what is the annual fee of the classic credit card", "and for the gold card?", "and the platinum one?"],
     ["CNY 1,200"]),
    (["what's the annual fee on the gold card?", "what's the highest credit limit on it?"], ["CNY 100,000"]),
    (["which credit cards have no annual fee", "what's the credit limit on them?"], ["CNY 50,000", "CNY 80,000"]),
])
def test_follow_up_is_about_the_previous_product(answerer, conversation, expected):
    answer = ask(answerer, *conversation)
    assert answer.kind == "graph" and sorted(answer.result) == sorted(expected)


def test_a_question_that_names_its_own_product_ignores_the_topic(answerer):
    answer = ask(answerer, "what's the annual fee on the gold card?", "what is the interest rate on a car loan?")
    assert "3.9%" in answer.result and answer.sources == ["loan.car"]


def test_topic_round_trips_through_a_slot():
    topic = Topic(("card.gold_credit",), ("annual_fee",), "what's the annual fee on the gold card")
    assert Topic.from_slot(topic.to_slot()) == topic
    assert Topic.from_slot(None) is None and Topic.from_slot({"products": []}) is None


def test_generated_nlu_questions_are_current():
    """data/nlu/knowledge_questions.yml is what `python -m knowledge_graph.questions` writes now."""
    data = PROJECT_ROOT / "data"
    assert (data / "nlu" / OUTPUT).read_text(encoding="utf-8") == generate(data), \
        "run `.venv/bin/python -m knowledge_graph.questions` after changing data/knowledge"
