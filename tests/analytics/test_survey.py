"""The end-of-conversation survey on a real database: what the customer is asked, what is stored,
and that anything that is not an answer is left for the dialogue (no Rasa needed here)."""
from __future__ import annotations

import pytest
from sqlalchemy import Engine

from bot.analytics import queries
from bot.analytics.feedback import FeedbackStore, nps_sampled
from bot.analytics.sql import Window
from bot.analytics.survey import END, FeedbackSurvey
from bot.analytics.survey_answers import is_refusal, read_score
from bot.conversations.store import Conversation, ConversationStore, NewTurn
from bot.db import make_session_factory

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.parametrize("text, score", [
    ("4", 4), ("four", 4), ("5 stars", 5), ("I'd say 4 out of 5", 4), ("10/10", 10), ("Three!", 3),
    ("give it a 2", 2), ("what is the balance of account 2", None), ("transfer 5 dollars", None),
    ("3 or 4", None), ("hello", None), ("", None)])
def test_scores_are_read_only_from_short_answers(text: str, score: int | None) -> None:
    assert read_score(text) == score


@pytest.mark.parametrize("text, refused", [
    ("no", True), ("No thanks.", True), ("nothing to add", True), ("skip", True), ("nope, I'm good", True),
    ("the app kept logging me out", False), ("thanks", False), ("4", False)])
def test_refusals(text: str, refused: bool) -> None:
    assert is_refusal(text) is refused


class Chat:
    """One conversation as the turn service would drive it, with the dialogue's turns faked in."""

    def __init__(self, engine: Engine, channel: str = "rest", nps_rate: float = 0.0) -> None:
        sessions = make_session_factory(engine)
        self.conversations = ConversationStore(sessions)
        self.feedback = FeedbackStore(sessions)
        self.survey = FeedbackSurvey(self.feedback, self.conversations, sessions, nps_rate)
        self.conversation: Conversation = self.conversations.create(channel)
        self.channel = channel

    def bot_turn(self, said: str, intent: str, reply: str) -> None:
        """What the dialogue engine's turn leaves in the transcript."""
        self.conversations.append(self.conversation.id, [
            NewTurn("customer", said, self.channel, nlu={"intent": {"name": intent, "confidence": 0.9}}),
            NewTurn("bot", reply, self.channel)])

    async def start(self) -> str | None:
        question = await self.survey.start(self.conversation, self.channel)
        return question["text"] if question else None

    async def say(self, text: str) -> list[dict] | None:
        return await self.survey.answer(self.conversation, text, self.channel)

    def stored(self) -> tuple | None:
        given = self.feedback.get(self.conversation.id)
        return (given.csat, given.comment, given.nps) if given else None


async def test_chat_survey_asks_score_then_comment_and_stores_both(empty_engine: Engine) -> None:
    chat = Chat(empty_engine)
    chat.bot_turn("what's my balance", "check_balance", "You have $10.")
    chat.bot_turn("bye", "goodbye", "Goodbye, and thank you for banking with us.")
    assert "1 (very unhappy) to 5 (very happy)" in await chat.start()

    [reply] = await chat.say("four stars")
    assert "anything you'd like to tell us" in reply["text"] and chat.stored() == (4, None, None)
    [reply] = await chat.say("The app kept logging me out")
    assert reply["text"].startswith("Thank you for your feedback") and reply["custom"][END] is True
    assert chat.stored() == (4, "The app kept logging me out", None)
    assert await chat.say("5") is None  # nothing pending any more: the dialogue answers

    with empty_engine.connect() as conn:  # survey answers do not make the conversation "not understood"
        overview = queries.outcome_figures(conn, Window())["all"]
    assert (overview["contained"], overview["csat_avg"], overview["customer_turns"]) == (1, 4.0, 2)


async def test_a_bad_score_is_asked_again_and_a_refusal_ends_politely(empty_engine: Engine) -> None:
    chat = Chat(empty_engine)
    await chat.start()
    [reply] = await chat.say("7")
    assert reply["text"] == "Please answer with a number from 1 (very unhappy) to 5 (very happy)."
    assert chat.stored() is None
    [reply] = await chat.say("no thanks")
    assert reply["text"].startswith("No problem") and reply["custom"][END] is True
    assert chat.stored() is None and await chat.say("3") is None


async def test_a_new_request_is_left_to_the_dialogue(empty_engine: Engine) -> None:
    chat = Chat(empty_engine)
    await chat.start()
    assert await chat.say("actually, what's my balance?") is None
    chat.bot_turn("actually, what's my balance?", "check_balance", "You have $10.")
    assert await chat.say("4") is None  # the survey lapsed with the new request
    assert chat.stored() is None
    await chat.start()  # at the next goodbye it is asked again
    assert (await chat.say("4"))[0]["custom"]["survey"]["step"] == "comment"
    assert await chat.say("and can I order a new card?") is None  # a question is not a comment
    assert chat.stored() == (4, None, None)


async def test_a_second_answer_never_overwrites_the_first(empty_engine: Engine) -> None:
    chat = Chat(empty_engine)
    await chat.start()
    chat.feedback.submit(chat.conversation.id, csat=2)  # e.g. answered meanwhile in another tab
    await chat.say("5")
    assert chat.stored() == (2, None, None)
    assert await chat.start() is None  # rated: nothing is asked at the next goodbye


async def test_nps_on_the_sample_and_calls_skip_the_comment(empty_engine: Engine) -> None:
    call = Chat(empty_engine, channel="voice", nps_rate=1.0)
    assert "Press or say a number" in await call.start()
    [reply] = await call.say("5")
    assert reply["custom"]["survey"]["step"] == "nps" and "key it in" in reply["text"]
    [reply] = await call.say("ten")
    assert reply["custom"][END] is True and call.stored() == (5, None, 10)

    chat = Chat(empty_engine, nps_rate=0.5)
    await chat.start()
    await chat.say("3")
    [reply] = await chat.say("no")
    sampled = nps_sampled(chat.conversation.id, 0.5)
    assert reply["custom"]["survey"]["step"] == ("nps" if sampled else "done")
