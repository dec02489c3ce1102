"""The end-of-conversation survey the bot runs in the dialogue: CSAT 1-5, an optional comment
(chat only: calls stay short), and "would you recommend us" 0-10 on the NPS sample.

It runs in the gateway, around the dialogue engine, not as a Rasa form: the same survey follows
three different ends (the customer says goodbye to the bot, an agent resolves a hand-off while
Rasa is paused, a caller answers by keypad), and a message that is not an answer must reach Rasa
untouched. Its state is the transcript itself: a survey is pending while the conversation's last
turn is one of its questions (``meta.survey``), so any app instance can take the answer, and an
unrelated request simply leaves the survey behind. Answers go through ``FeedbackStore.submit``,
the same path as ``POST /api/conversations/{id}/feedback``.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker
from starlette.concurrency import run_in_threadpool

from bot.analytics.feedback import (
    Feedback,
    FeedbackRejected,
    FeedbackStore,
    nps_sampled,
)
from bot.analytics.survey_answers import is_refusal, read_score
from bot.conversations.store import Conversation, ConversationStore, NewTurn
from bot.conversations.tables import TurnRow

CSAT_QUESTION = "How satisfied are you with this conversation, from 1 (very unhappy) to 5 (very happy)?"
NPS_QUESTION = "How likely are you to recommend us to a friend, from 0 (not at all) to 10 (extremely)?"
VOICE_CSAT_QUESTION = ("Before you go: how satisfied are you with this call? Press or say a number from "
                       "1, very unhappy, to 5, very happy.")
VOICE_NPS_QUESTION = ("One last question: how likely are you to recommend us to a friend, from 0 to 10? "
                      "Say the number, or key it in followed by the hash key.")
COMMENT_QUESTION = "Thank you! Is there anything you'd like to tell us about it? You can also just say no."
CSAT_AGAIN = "Please answer with a number from 1 (very unhappy) to 5 (very happy)."
NPS_AGAIN = "Please answer with a number from 0 (not at all) to 10 (extremely)."
COMMENT_TOO_LONG = "That's a little long for me. Could you say it in under 1000 characters?"
THANKS = "Thank you for your feedback. Goodbye!"
DECLINED = "No problem. Thank you for banking with us. Goodbye!"

END = "end_of_conversation"
SCORE_RANGE = {"csat": (1, 5), "nps": (0, 10)}


def ends_conversation(replies: list[dict[str, Any]]) -> bool:
    """True when the dialogue marked one of its replies as the end of the conversation
    (``utter_goodbye`` carries ``custom: {end_of_conversation: true}`` in the domain)."""
    return any((reply.get("custom") or {}).get(END) for reply in replies)


def is_survey_turn(replies: list[dict[str, Any]]) -> bool:
    """True for the replies of a survey answer (they are not the dialogue's response times)."""
    return bool(replies) and all("survey" in (reply.get("custom") or {}) for reply in replies)


class FeedbackSurvey:
    """Asks the questions and takes the answers of the end-of-conversation survey."""

    def __init__(self, store: FeedbackStore, conversations: ConversationStore,
                 session_factory: sessionmaker, nps_sample_rate: float) -> None:
        self._store = store
        self._conversations = conversations
        self._sessions = session_factory
        self._nps_rate = nps_sample_rate

    async def start(self, conversation: Conversation, channel: str) -> dict[str, Any] | None:
        """Ask the first question still unanswered; None when there is none (already rated)."""
        return await run_in_threadpool(self._start, conversation, channel)

    async def answer(self, conversation: Conversation, text: str,
                     channel: str) -> list[dict[str, Any]] | None:
        """The survey's reply when ``text`` answers its pending question; None when no question is
        pending or the message is something else (the dialogue should handle it)."""
        return await run_in_threadpool(self._answer, conversation, text, channel)

    # -- blocking parts (database) -------------------------------------------------------------

    def _start(self, conversation: Conversation, channel: str) -> dict[str, Any] | None:
        given = self._store.get(conversation.id)
        if given is None or given.csat is None:
            step = "csat"
        else:  # rated already (e.g. through the API): only the sampled NPS may be left
            step = self._after(conversation, channel, "comment", given)
        if step == "done":
            return None
        return self._say(conversation.id, channel, step, [])

    def _answer(self, conversation: Conversation, text: str, channel: str) -> list[dict[str, Any]] | None:
        step = self.pending(conversation.id)
        if step is None:
            return None
        said = [NewTurn("customer", text, channel, meta={"survey": step})]
        if is_refusal(text):
            if step == "csat":
                return [self._say(conversation.id, channel, "declined", said)]
            return [self._say(conversation.id, channel, self._after(conversation, channel, step), said)]
        if step == "comment":
            if "?" in text:  # a question is a new request, not a remark about this one
                return None
            return [self._record(conversation, channel, step, said, comment=text)]
        score = read_score(text)
        if score is None:
            return None
        low, high = SCORE_RANGE[step]
        if not low <= score <= high:
            return [self._say(conversation.id, channel, step, said, again=True)]
        return [self._record(conversation, channel, step, said, **{step: score})]

    def _record(self, conversation: Conversation, channel: str, step: str, said: list[NewTurn],
                **answer: Any) -> dict[str, Any]:
        try:
            self._store.submit(conversation.id, **answer)
        except FeedbackRejected as exc:
            if exc.status != 409:  # e.g. a comment over the length limit: ask again
                return self._say(conversation.id, channel, step, said, again=True)
            # already answered (another tab, the API): the first answer stands
        return self._say(conversation.id, channel, self._after(conversation, channel, step), said)

    def _after(self, conversation: Conversation, channel: str, step: str,
               given: Feedback | None = None) -> str:
        """The step that follows ``step``: comment (chat, after the score), NPS (sampled), done."""
        given = given or self._store.get(conversation.id)
        if step == "csat" and channel != "voice" and not (given and given.comment):
            return "comment"
        if step in ("csat", "comment") and nps_sampled(conversation.id, self._nps_rate) and not (
                given and given.nps is not None):
            return "nps"
        return "done"

    def _say(self, conversation_id: str, channel: str, step: str, said: list[NewTurn],
             again: bool = False) -> dict[str, Any]:
        """Record the customer's answer and the survey's next line; return it as a bot reply."""
        text = _line(step, channel, again)
        custom: dict[str, Any] = {"survey": {"step": step}}
        if step in ("done", "declined"):
            custom[END] = True
        meta = {"survey": step} if step in SCORE_RANGE or step == "comment" else {"survey_end": step}
        self._conversations.append(conversation_id, [*said, NewTurn("bot", text, channel, meta=meta)])
        return {"recipient_id": conversation_id, "text": text, "custom": custom}

    def pending(self, conversation_id: str) -> str | None:
        """The question waiting for an answer: the step named by the conversation's last turn."""
        with self._sessions() as session:
            last = session.execute(select(TurnRow.speaker, TurnRow.meta)
                                   .where(TurnRow.conversation_id == conversation_id)
                                   .order_by(TurnRow.seq.desc()).limit(1)).first()
        if last is None or last.speaker != "bot" or not last.meta:
            return None
        return last.meta.get("survey")


def _line(step: str, channel: str, again: bool) -> str:
    voice = channel == "voice"
    if step == "csat":
        return CSAT_AGAIN if again else VOICE_CSAT_QUESTION if voice else CSAT_QUESTION
    if step == "nps":
        return NPS_AGAIN if again else VOICE_NPS_QUESTION if voice else NPS_QUESTION
    if step == "comment":
        return COMMENT_TOO_LONG if again else COMMENT_QUESTION
    return DECLINED if step == "declined" else THANKS
