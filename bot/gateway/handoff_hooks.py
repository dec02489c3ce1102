"""``GatewayHooks`` over the gateway's own parts: its Rasa client and its conversation store.

The desk calls these when an agent writes or a hand-off closes; any app instance can run them,
because Rasa's tracker and the transcript are shared. The conversation's ``mode`` follows along
(``agent`` while a person has it, ``bot`` after).
"""
from __future__ import annotations

from typing import Any, Protocol

from starlette.concurrency import run_in_threadpool

from bot.conversations.store import Conversation, ConversationStore, NewTurn
from handoff.rasa_events import pause_events, resume_events


class TrackerEvents(Protocol):
    """The slice of ``bot.rasa.client.RasaClient`` used here."""

    async def add_events(self, sender: str, events: list[dict[str, Any]]) -> None: ...


class Survey(Protocol):
    """The slice of ``bot.analytics.survey.FeedbackSurvey`` used here."""

    async def start(self, conversation: Conversation, channel: str) -> dict[str, Any] | None: ...


class RasaGatewayHooks:
    def __init__(self, rasa: TrackerEvents, conversations: ConversationStore,
                 survey: Survey | None = None) -> None:
        self._rasa = rasa
        self._conversations = conversations
        self._survey = survey

    async def pause_bot(self, conversation_id: str) -> None:
        """Call before ``desk.escalate``: Rasa must not answer while a person has the chat."""
        await self._rasa.add_events(conversation_id, pause_events())
        await run_in_threadpool(self._conversations.set_mode, conversation_id, "agent")

    async def resume_bot(self, conversation_id: str, slots: dict[str, Any]) -> None:
        await self._rasa.add_events(conversation_id, resume_events(slots))
        await run_in_threadpool(self._conversations.set_mode, conversation_id, "bot")

    async def record_agent_message(self, conversation_id: str, agent_name: str, text: str) -> None:
        conversation = await run_in_threadpool(self._conversations.get, conversation_id)
        turn = NewTurn("agent", text, conversation.channel, meta={"agent": agent_name})
        await run_in_threadpool(self._conversations.append, conversation_id, [turn])

    async def ask_feedback(self, conversation_id: str) -> dict[str, Any] | None:
        """Start the satisfaction survey after an agent resolved the conversation (None: nothing
        to ask, e.g. already rated)."""
        if self._survey is None:
            return None
        conversation = await run_in_threadpool(self._conversations.get, conversation_id)
        return await self._survey.start(conversation, conversation.channel)
