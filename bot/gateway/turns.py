"""One customer turn: hand the text to Rasa, record what was understood and answered.

Both chat channels (REST and WebSocket) and the phone go through here, so every turn is
transcribed the same way and a Rasa outage produces the same reply everywhere. A secret typed
where the bot asked for it (PIN, date of birth, one-time code) goes to the vault: Rasa gets a
reference, the transcript a placeholder. When the customer identifies in the conversation, the
client is given the session token the conversation needs from then on.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool

from bot.analytics.survey import ends_conversation
from bot.conversations.observers import TurnObserver, TurnRecord
from bot.conversations.store import Conversation, ConversationStore, NewTurn
from bot.conversations.tokens import TokenStore
from bot.observability.logs import conversation_context
from bot.rasa.client import RasaClient, RasaUnavailable
from bot.security.sources import TurnSources
from bot.security.vault import SecretVault

if TYPE_CHECKING:
    from bot.analytics.survey import FeedbackSurvey
    from bot.gateway.handoff_gate import HandoffGate

log = logging.getLogger(__name__)

UNAVAILABLE_TEXT = (
    "Sorry, I'm temporarily unavailable and couldn't read your message. "
    "Please send it again in a minute."
)
NLU_KEYS = ("intent", "entities", "intent_ranking", "sentiment", "out_of_scope", "active_loop",
            "locked_out", "requested_slot")


@dataclass(frozen=True)
class Secrets:
    """How the gateway keeps secrets out of Rasa and the transcript, and hands out credentials."""

    vault: SecretVault
    placeholders: dict[str, str]  # requested slot -> what the transcript shows instead
    tokens: TokenStore
    sources: TurnSources  # the caller's address while Rasa runs the turn's actions


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
                 handoff: HandoffGate | None = None, survey: FeedbackSurvey | None = None,
                 secrets: Secrets | None = None, observers: Sequence[TurnObserver] = ()) -> None:
        self._store = store
        self._rasa = rasa
        self._handoff = handoff
        self._survey = survey
        self._secrets = secrets
        self._observers = list(observers)

    async def handle(self, conversation: Conversation, text: str, channel: str,
                     source: str | None = None) -> list[dict[str, Any]]:
        """Process one message and return the bot's replies in Rasa's REST format; log lines carry
        the conversation id, and every observer hears how the turn went."""
        with conversation_context(conversation.id):
            started = time.perf_counter()
            try:
                replies, kept, parse = await self._handle(conversation, text, channel, source)
            except Exception:
                await self._tell(TurnRecord(conversation.id, channel, "", None, [],
                                            time.perf_counter() - started, failed=True))
                raise
            await self._tell(TurnRecord(conversation.id, channel, kept, parse, replies,
                                        time.perf_counter() - started))
            return replies

    async def _tell(self, record: TurnRecord) -> None:
        for observer in self._observers:
            try:
                await observer.turn_done(record)
            except Exception:  # an observer's failure never costs the customer their reply
                log.exception("turn observer %s failed", type(observer).__name__)

    async def _handle(self, conversation: Conversation, text: str, channel: str,
                      source: str | None) -> tuple[list[dict[str, Any]], str, dict[str, Any] | None]:
        """(replies, the text as kept, Rasa's parse when the dialogue ran).

        While an agent has the conversation the message goes to them and there is no bot reply
        (only the hand-off's own notices, e.g. after "cancel" while waiting).
        An answer to the end-of-conversation survey is taken by the survey; when the dialogue ends
        the conversation, the survey's first question follows the goodbye (and no hand-off trigger
        runs: nobody would be there to wait for the agent).
        """
        if self._handoff:
            relayed = await self._handoff.relay_to_agent(conversation, text, channel)
            if relayed is not None:
                return relayed, text, None
        if self._survey:
            answered = await self._survey.answer(conversation, text, channel)
            if answered is not None:
                return answered, text, None
        meta: dict[str, Any] | None = None
        parse: dict[str, Any] | None = None
        latest: dict[str, Any] | None = None
        said, kept, secret = await self._guard_secret(conversation, text)
        try:
            with self._secrets.sources.during(conversation.id, source) if self._secrets else nullcontext():
                replies = fold_custom(await self._rasa.send(conversation.id, said, {"channel": channel}))
            latest = await self._rasa.latest_message(conversation.id)
            parse = nlu_summary(latest)
        except RasaUnavailable as exc:
            log.warning("conversation %s: %s", conversation.id, exc)
            replies = [{"recipient_id": conversation.id, "text": UNAVAILABLE_TEXT}]
            meta = {"dialogue": "unavailable", "processed": False}
        if secret and parse is not None:  # the parse of a reference says nothing worth keeping
            parse = {**parse, "text": kept, "entities": []}
        turns = [NewTurn("customer", kept, channel, nlu=parse, meta={"secret": True} if secret else None)]
        turns += [
            NewTurn("bot", reply.get("text", ""), channel,
                    meta={k: v for k, v in reply.items() if k not in ("text", "recipient_id")} or meta)
            for reply in replies
        ]
        await run_in_threadpool(self._store.append, conversation.id, turns)
        replies = await self._credential_if_identified(conversation, replies)
        if ends_conversation(replies):  # the customer is leaving: ask how it went, queue nobody
            question = await self._survey.start(conversation, channel) if self._survey else None
            if question:
                replies.append(question)
        elif self._handoff and parse is not None:
            notice = await self._handoff.after_bot_turn(conversation, channel)
            if notice:
                replies.append(notice)
        return replies, kept, latest

    async def _guard_secret(self, conversation: Conversation, text: str) -> tuple[str, str, bool]:
        """(what Rasa is sent, what the transcript keeps, whether it was a secret)."""
        if self._secrets is None:
            return text, text, False
        asked = await run_in_threadpool(self._store.last_requested_slot, conversation.id)
        placeholder = self._secrets.placeholders.get(asked or "")
        if placeholder is None:
            return text, text, False
        return self._secrets.vault.hold(text), placeholder, True

    async def _credential_if_identified(self, conversation: Conversation,
                                        replies: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """A conversation the customer just identified in needs a credential from now on: the
        client gets a session token with this turn's replies (``custom.session``)."""
        if self._secrets is None or conversation.customer_id is not None:
            return replies
        now = await run_in_threadpool(self._store.get, conversation.id)
        if now.customer_id is None or now.bound_by != "identity":
            return replies
        token, expires = await run_in_threadpool(self._secrets.tokens.issue, now.customer_id)
        session = {"session": {"token": token, "expires_at": expires.isoformat(), "conversation_id": now.id}}
        if not replies:
            return [{"recipient_id": now.id, "custom": session}]
        last = replies[-1]
        return [*replies[:-1], {**last, "custom": {**(last.get("custom") or {}), **session}}]
