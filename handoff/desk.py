"""The hand-off desk: the one object the gateway and the agent API call.

It joins the SQL queue (the truth) to the event bus (the live wire): every state change is written
first, then announced, so an instance that misses an event can always re-read the queue. Blocking
database calls run in the thread pool to keep the event loop free.
"""
from __future__ import annotations

import time
import uuid
from contextlib import AbstractAsyncContextManager
from dataclasses import asdict
from typing import Any, Iterable, Protocol

from starlette.concurrency import run_in_threadpool

from handoff.agents import AgentDirectory, AgentView
from handoff.audit import AuditLog
from handoff.events import (
    QUEUE_CHANNEL,
    EventBus,
    Subscription,
    agent_channel,
    customer_channel,
)
from handoff.policy import HandoffPolicy
from handoff.queue import EntryView, HandoffQueue, QueueStatus
from handoff.summary import summarize
from handoff.transcript import normalize_turn, turn_field
from handoff.triggers import HandoffDecision


class GatewayHooks(Protocol):
    """What the desk needs the gateway to do; any instance can do it (Rasa state is shared)."""

    async def resume_bot(self, conversation_id: str, slots: dict[str, Any]) -> None:
        """Resume Rasa (ConversationResumed) with the slots the agent left. Called whenever a
        hand-off closes (hand-back, resolve, customer cancel, callback) so the bot never stays
        paused with nobody answering."""

    async def record_agent_message(self, conversation_id: str, agent_name: str, text: str) -> None:
        """Append the agent's message to the conversation's transcript."""

    async def ask_feedback(self, conversation_id: str) -> dict[str, Any] | None:
        """Ask the customer's satisfaction after an agent resolved the conversation: record the
        question and return it as a bot reply (``text``, ``custom``), or None when there is none."""


def _event(kind: str, **fields: Any) -> dict[str, Any]:
    return {"type": kind, "id": uuid.uuid4().hex, "ts": time.time(), **fields}


def status_event(status: QueueStatus) -> dict[str, Any]:
    return _event("queue_status", **asdict(status))


class HandoffDesk:
    """Customer-side calls come from the gateway; agent-side calls from the agent API, after it
    has checked the caller may act on the conversation."""

    def __init__(self, queue: HandoffQueue, agents: AgentDirectory, audit: AuditLog,
                 bus: EventBus, policy: HandoffPolicy, hooks: GatewayHooks | None = None):
        self.queue = queue
        self.agents = agents
        self.audit = audit
        self.bus = bus
        self.policy = policy
        self.hooks = hooks

    # -- customer side: called by the gateway --------------------------------------------------

    async def escalate(self, conversation_id: str, decision: HandoffDecision, *,
                       transcript: Iterable[Any] = (), customer: str | None = None,
                       customer_id: int | str | None = None, channel: str = "chat",
                       customer_tier: str = "standard") -> QueueStatus:
        """Queue the conversation (idempotent) with its summary and trend; returns what to tell
        the customer. The gateway pauses Rasa before calling this."""
        everything = [normalize_turn(t) for t in transcript]
        summary = summarize(everything, customer=customer, channel=channel,
                            reason=f"{decision.reason} ({decision.detail})")
        turns = [t for t in everything if t["sender"] == "user"]
        intents = [t["intent"] for t in turns if t["intent"]]
        entities = [e for t in turns for e in t["entities"]]
        trend = [float(t["frustration"] or 0.0) for t in turns]
        await run_in_threadpool(
            self.queue.enqueue, conversation_id, decision, summary=summary,
            customer_id=None if customer_id is None else str(customer_id),
            channel=channel, customer_tier=customer_tier, intents=intents,
            entities=[_json_entity(e) for e in entities], sentiment_trend=trend)
        await self.bus.publish(QUEUE_CHANNEL, _event("queue_changed", conversation_id=conversation_id))
        return await self.status(conversation_id)

    async def status(self, conversation_id: str) -> QueueStatus:
        return await run_in_threadpool(self.queue.status_for, conversation_id)

    async def with_human(self, conversation_id: str) -> bool:
        """True while the conversation is waiting for or held by an agent: do not ask Rasa."""
        return await run_in_threadpool(self.queue.open_for, conversation_id) is not None

    async def customer_message(self, conversation_id: str, text: str,
                               turn: dict[str, Any] | None = None) -> bool:
        """Relay a customer message to the agent holding the conversation.

        Returns False when no hand-off is open (the bot should answer). While still waiting the
        message is not relayed: the gateway's transcript keeps it and the agent reads it on claim.
        """
        entry = await run_in_threadpool(self.queue.open_for, conversation_id)
        if entry is None:
            return False
        if entry.agent_id is not None:
            await self.bus.publish(agent_channel(entry.agent_id), _event(
                "customer_message", entry_id=entry.id, conversation_id=conversation_id,
                text=text, turn=turn or {}))
        return True

    async def customer_typing(self, conversation_id: str, typing: bool) -> None:
        entry = await run_in_threadpool(self.queue.open_for, conversation_id)
        if entry is not None and entry.agent_id is not None:
            await self.bus.publish(agent_channel(entry.agent_id), _event(
                "customer_typing", entry_id=entry.id, conversation_id=conversation_id, typing=typing))

    async def cancel(self, conversation_id: str) -> bool:
        """The customer goes back to the bot; the agent holding it, if any, is told."""
        entry = await run_in_threadpool(self.queue.cancel, conversation_id)
        if entry is None:
            return False
        await self._announce_closed(entry, "customer_cancelled")
        return True

    async def request_callback(self, conversation_id: str, phone: str, preferred_time: str = "",
                               note: str = "") -> int:
        entry = await run_in_threadpool(self.queue.open_for, conversation_id)
        callback_id = await run_in_threadpool(self.queue.request_callback, conversation_id, phone,
                                              preferred_time, note)
        if entry is not None:
            await self._announce_closed(entry, "callback_requested")
        return callback_id

    def customer_events(self, conversation_id: str) -> AbstractAsyncContextManager[Subscription]:
        """``async with desk.customer_events(cid) as sub``: what the customer's socket relays."""
        return self.bus.subscribe(customer_channel(conversation_id))

    # -- agent side: called by the agent API after authorisation -------------------------------

    async def claim(self, agent: AgentView, entry_id: int | None = None) -> EntryView | None:
        """Claim one entry, or the best one for the agent's skills when ``entry_id`` is None."""
        if entry_id is None:
            entry = await run_in_threadpool(self.queue.claim_next, agent)
        else:
            entry = await run_in_threadpool(self.queue.claim, entry_id, agent)
        if entry is not None:
            await self.bus.publish(QUEUE_CHANNEL, _event("queue_changed", entry_id=entry.id))
            await self.bus.publish(agent_channel(agent.id), _event("assigned", entry_id=entry.id))
            await self.bus.publish(customer_channel(entry.conversation_id), _event(
                "agent_joined", agent=agent.display_name))
        return entry

    async def agent_message(self, agent: AgentView, entry: EntryView, text: str) -> dict[str, Any]:
        event = _event("agent_message", agent=agent.display_name, text=text)
        if self.hooks is not None:
            await self.hooks.record_agent_message(entry.conversation_id, agent.display_name, text)
        await self.bus.publish(customer_channel(entry.conversation_id), event)
        return event

    async def agent_typing(self, agent: AgentView, entry: EntryView, typing: bool) -> None:
        await self.bus.publish(customer_channel(entry.conversation_id),
                               _event("agent_typing", agent=agent.display_name, typing=typing))

    async def resolve(self, agent: AgentView, entry: EntryView, disposition: str,
                      note: str = "") -> EntryView | None:
        if entry.agent_id is None:  # nobody holds it: nothing to resolve (as if it changed meanwhile)
            return None
        done = await run_in_threadpool(self.queue.resolve, entry.id, entry.agent_id, disposition, note)
        if done is not None:
            await self._resume(entry.conversation_id, {})
            await self.bus.publish(customer_channel(entry.conversation_id),
                                   _event("resolved", disposition=disposition))
            question = await self.hooks.ask_feedback(entry.conversation_id) if self.hooks else None
            if question:
                await self.bus.publish(customer_channel(entry.conversation_id), _event(
                    "bot_message", text=question["text"], custom=question.get("custom") or {}))
            await self.bus.publish(QUEUE_CHANNEL, _event("queue_changed", entry_id=entry.id))
        return done

    async def hand_back(self, agent: AgentView, entry: EntryView, slots: dict[str, Any],
                        note: str = "") -> EntryView | None:
        """Close the hand-off and resume the bot with the agent's slots."""
        if entry.agent_id is None:
            return None
        done = await run_in_threadpool(self.queue.hand_back, entry.id, entry.agent_id, slots, note)
        if done is not None:
            await self._resume(entry.conversation_id, dict(slots))
            await self.bus.publish(customer_channel(entry.conversation_id),
                                   _event("handed_back", slots=dict(slots)))
            await self.bus.publish(QUEUE_CHANNEL, _event("queue_changed", entry_id=entry.id))
        return done

    async def release(self, agent: AgentView, entry: EntryView) -> EntryView | None:
        """Put a held conversation back at the front of the queue, for another agent to take."""
        if entry.agent_id is None:
            return None
        done = await run_in_threadpool(self.queue.release, entry.id, entry.agent_id)
        if done is not None:
            await self.bus.publish(customer_channel(entry.conversation_id),
                                   _event("agent_left", requeued=True))
            await self.bus.publish(QUEUE_CHANNEL, _event("queue_changed", entry_id=entry.id))
        return done

    # -- housekeeping --------------------------------------------------------------------------

    async def tick(self) -> list[EntryView]:
        """Re-queue chats of agents gone past the grace period and tell waiting customers their
        new position. The app runs this every few seconds (see ``handoff.setup.run_housekeeping``)."""
        moved = await run_in_threadpool(self.queue.requeue_stale)
        for entry in moved:
            await self.bus.publish(customer_channel(entry.conversation_id),
                                   _event("agent_left", requeued=True))
        if moved:
            await self.bus.publish(QUEUE_CHANNEL, _event("queue_changed", requeued=len(moved)))
        statuses = await run_in_threadpool(self.queue.waiting_statuses)
        for conversation_id, status in statuses.items():
            await self.bus.publish(customer_channel(conversation_id), status_event(status))
        return moved

    async def _resume(self, conversation_id: str, slots: dict[str, Any]) -> None:
        if self.hooks is not None:
            await self.hooks.resume_bot(conversation_id, slots)

    async def _announce_closed(self, entry: EntryView, why: str) -> None:
        """The customer closed the hand-off: resume the bot and tell the agent who held it."""
        await self._resume(entry.conversation_id, {})
        if entry.agent_id is not None:
            await self.bus.publish(agent_channel(entry.agent_id),
                                   _event("closed", entry_id=entry.id, reason=why))
        await self.bus.publish(QUEUE_CHANNEL, _event("queue_changed", entry_id=entry.id))


def _json_entity(e: Any) -> dict[str, Any]:
    keys = ("entity", "value", "start", "end", "extractor")
    return {k: turn_field(e, k) for k in keys if turn_field(e, k) is not None}
