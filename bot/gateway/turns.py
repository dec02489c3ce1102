"""One customer turn: hand the text to Rasa, record what was understood and answered.

Both chat channels (REST and WebSocket) go through here, so every turn is transcribed the same
way and a Rasa outage produces the same holding reply everywhere.
"""
from __future__ import annotations

import logging
from typing import Any

from starlette.concurrency import run_in_threadpool

from bot.conversations.store import Conversation, ConversationStore, NewTurn
from bot.rasa.client import RasaClient, RasaUnavailable

log = logging.getLogger(__name__)

UNAVAILABLE_TEXT = (
    "Sorry, I'm temporarily unavailable. Please try again in a minute; "
    "your message has been kept."
)
NLU_KEYS = ("intent", "entities", "intent_ranking", "sentiment", "out_of_scope")


def nlu_summary(parse: dict[str, Any]) -> dict[str, Any]:
    """The parts of Rasa's stored parse worth keeping in the transcript."""
    summary = {key: parse[key] for key in NLU_KEYS if key in parse}
    if "intent_ranking" in summary:
        summary["intent_ranking"] = summary["intent_ranking"][:5]
    return summary


class TurnService:
    """Routes customer messages to the dialogue engine and writes the transcript."""

    def __init__(self, store: ConversationStore, rasa: RasaClient) -> None:
        self._store = store
        self._rasa = rasa

    async def handle(self, conversation: Conversation, text: str, channel: str) -> list[dict[str, Any]]:
        """Process one message and return the bot's replies in Rasa's REST format."""
        meta: dict[str, Any] | None = None
        parse: dict[str, Any] | None = None
        try:
            replies = await self._rasa.send(conversation.id, text, {"channel": channel})
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
        return replies
