"""One customer turn: hand the text to Rasa, record what was understood and answered.

Both chat channels (REST and WebSocket) go through here, so every turn is transcribed the same
way and a Rasa outage produces the same holding reply everywhere.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool

from bot.analytics.survey import ends_conversation
from bot.conversations.store import Conversation, ConversationStore, NewTurn
from bot.rasa.client import RasaClient, RasaUnavailable

if TYPE_CHECKING:
    from bot.analytics.survey import FeedbackSurvey
    from bot.gateway.handoff_gate import HandoffGate

log = logging.getLogger(__name__)

UNAVAILABLE_TEXT = (
    "Sorry, I'm temporarily unavailable. Please try again in a minute; "
    "your message has been kept."
)
NLU_KEYS = ("intent", "entities", "intent_ranking", "sentiment", "out_of_scope", "active_loop",
            "locked_out")


def fold_custom(replies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Attach a text-less ``custom`` payload (e.g. answer sources) to the reply before it.

    Rasa's REST channel sends an action's text and its JSON as two messages; customers and the
    transcript should see one reply that carries its sources.
    """
    folded: list[dict[str, Any]] = []
    for reply in replies:
        if folded and "custom" in reply and not reply.get("text") and "custom" not in folded[-1]:
            folded[-1] = {**folded[-1], "custom": reply["custom"]}
        else:
            folded.append(reply)
    return folded


def nlu_summary(parse: dict[str, Any]) -> dict[str, Any]:
    """The parts of Rasa's stored parse worth keeping in the transcript."""
    summary = {key: parse[key] for key in NLU_KEYS if key in parse}
    if "intent_ranking" in summary:
        summary["intent_ranking"] = summary["intent_ranking"][:5]
    return summary


class TurnService:
    """Routes customer messages to the dialogue engine and writes the transcript."""

    def __init__(self, store: ConversationStore, rasa: RasaClient,
                 handoff: HandoffGate | None = None, survey: FeedbackSurvey | None = None) -> None:
        self._store = store
        self._rasa = rasa
        self._handoff = handoff
        self._survey = survey

    async def handle(self, conversation: Conversation, text: str, channel: str) -> list[dict[str, Any]]:
        """Process one message and return the bot's replies in Rasa's REST format.

        While an agent has the conversation the message goes to them and there is no bot reply
        (only the hand-off's own notices, e.g. after "cancel" while waiting).
        An answer to the end-of-conversation survey is taken by the survey; when the dialogue ends
        the conversation, the survey's first question follows the goodbye (and no hand-off trigger
        runs: nobody would be there to wait for the agent).
        """
        if self._handoff:
            relayed = await self._handoff.relay_to_agent(conversation, text, channel)
            if relayed is not None:
                return relayed
        if self._survey:
            answered = await self._survey.answer(conversation, text, channel)
            if answered is not None:
                return answered
        meta: dict[str, Any] | None = None
        parse: dict[str, Any] | None = None
        try:
            replies = fold_custom(await self._rasa.send(conversation.id, text, {"channel": channel}))
            parse = nlu_summary(await self._rasa.latest_message(conversation.id))
        except RasaUnavailable as exc:
            log.warning("conversation %s: %s", conversation.id, exc)
            replies = [{"recipient_id": conversation.id, "text": UNAVAILABLE_TEXT}]
            meta = {"dialogue": "unavailable"}
        turns = [NewTurn("customer", text, channel, nlu=parse)]
        turns += [
            NewTurn("bot", reply.get("text", ""), channel,
                    meta={k: v for k, v in reply.items() if k not in ("text", "recipient_id")} or meta)
            for reply in replies
        ]
        await run_in_threadpool(self._store.append, conversation.id, turns)
        if ends_conversation(replies):  # the customer is leaving: ask how it went, queue nobody
            question = await self._survey.start(conversation, channel) if self._survey else None
            if question:
                replies.append(question)
        elif self._handoff and parse is not None:
            notice = await self._handoff.after_bot_turn(conversation, channel)
            if notice:
                replies.append(notice)
        return replies
