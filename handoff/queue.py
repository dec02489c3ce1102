"""The persistent priority queue of conversations waiting for, or held by, a human agent.

Every state change is one conditional UPDATE (``... WHERE status = 'waiting'``), so two agents can
never hold the same conversation, on SQLite or across app instances on PostgreSQL, and nothing
lives only in memory: a restarted app sees the same queue.
"""
from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from itertools import islice
from typing import Any, Callable, Iterator, Sequence

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from handoff.agents import AgentView
from handoff.models import OPEN_STATUSES, Agent, CallbackRequest, QueueEntry
from handoff.policy import HandoffPolicy
from handoff.triggers import HandoffDecision

_PHONE = re.compile(r"^\+?[0-9 ()-]{6,24}$")
_HANDLE_SAMPLE = 50
_CLAIM_BATCH = 50  # candidates one claim picks the best still-waiting one from
_CLAIM_ROUNDS = 5  # re-reads of the queue when racing agents took every candidate


@dataclass(frozen=True)
class EntryView:
    """A snapshot of one queue entry."""

    id: int
    conversation_id: str
    customer_id: str | None
    channel: str
    language: str
    customer_tier: str
    reason: str
    reason_detail: str
    skills: tuple[str, ...]
    priority: float
    front: int
    status: str
    agent_id: int | None
    summary: str
    intents: tuple[str, ...]
    entities: tuple[dict, ...]
    sentiment_trend: tuple[float, ...]
    disposition: str | None
    note: str | None
    handback_slots: dict | None
    created_at: float
    enqueued_at: float
    assigned_at: float | None
    closed_at: float | None

    @classmethod
    def of(cls, e: QueueEntry) -> "EntryView":
        values: dict[str, Any] = {f.name: getattr(e, f.name) for f in fields(cls)}
        for name in ("skills", "intents", "entities", "sentiment_trend"):
            values[name] = tuple(values[name] or ())
        return cls(**values)

    def effective_priority(self, now: float, policy: HandoffPolicy) -> float:
        """Priority including aging: waiting longer always eventually wins."""
        return self.priority + policy.aging_per_second * max(0.0, now - self.enqueued_at)


@dataclass(frozen=True)
class QueueStatus:
    """What the customer is told while waiting."""

    status: str
    entry_id: int | None = None
    position: int | None = None
    estimated_wait_s: float | None = None
    agents_online: int = 0
    in_hours: bool = True
    agent_id: int | None = None


def is_phone_number(text: str) -> bool:
    """A callback number: digits, spaces, brackets or dashes, 6 to 15 of them digits (E.164's
    longest; a 16-digit card number is not one). The customer's HTTP and WebSocket routes check
    with this too, before anything changes."""
    text = text.strip()
    return bool(_PHONE.match(text)) and 6 <= sum(c.isdigit() for c in text) <= 15


def can_serve(agent: AgentView, skills: Sequence[str]) -> bool:
    """An agent can take a conversation when they have every skill it needs (supervisors: any)."""
    return agent.is_supervisor or set(skills) <= set(agent.skills)


class _Conflict(Exception):
    """Raised inside a transaction to roll it back when a conditional update lost a race."""


class HandoffQueue:
    def __init__(self, session_factory: sessionmaker, policy: HandoffPolicy,
                 clock: Callable[[], float] = time.time):
        self._sf = session_factory
        self.policy = policy
        self._clock = clock

    # -- customer side -------------------------------------------------------------------------

    def enqueue(self, conversation_id: str, decision: HandoffDecision, *, summary: str = "",
                customer_id: str | None = None, channel: str = "chat",
                customer_tier: str = "standard", intents: Sequence[str] = (),
                entities: Sequence[dict] = (), sentiment_trend: Sequence[float] = ()) -> EntryView:
        """Put a conversation in the queue; if it is already waiting or held, return that entry."""
        now = self._clock()
        p = self.policy
        latest = float(sentiment_trend[-1]) if sentiment_trend else 0.0
        priority = (p.base_priority + decision.priority_boost + p.frustration_weight * latest
                    + p.tier_boost.get(customer_tier, 0.0))
        entry = QueueEntry(
            conversation_id=conversation_id, customer_id=customer_id, channel=channel,
            language=decision.language, customer_tier=customer_tier, reason=decision.reason,
            reason_detail=decision.detail[:200], skills=list(decision.skills), priority=priority,
            rank=priority - p.aging_per_second * now, front=0, status="waiting", summary=summary,
            intents=list(intents), entities=list(entities),
            sentiment_trend=[float(x) for x in sentiment_trend], created_at=now, enqueued_at=now)
        try:
            with self._sf.begin() as s:
                s.add(entry)
                s.flush()
                return EntryView.of(entry)
        except IntegrityError:
            existing = self.open_for(conversation_id)
            if existing is None:
                raise
            return existing

    def open_for(self, conversation_id: str) -> EntryView | None:
        """The conversation's waiting or assigned entry: the gateway routes messages by it."""
        with self._sf() as s:
            e = s.scalar(select(QueueEntry).where(QueueEntry.conversation_id == conversation_id,
                                                  QueueEntry.status.in_(OPEN_STATUSES)))
            return EntryView.of(e) if e else None

    def status_for(self, conversation_id: str) -> QueueStatus:
        """Position, estimated wait and whether anyone is there to answer, for the customer."""
        now = self._clock()
        in_hours = self.policy.hours.is_open(_utc(now)) if self.policy.hours else True
        with self._sf() as s:
            online = self._online(s, now)
            e = s.scalar(select(QueueEntry).where(QueueEntry.conversation_id == conversation_id,
                                                  QueueEntry.status.in_(OPEN_STATUSES)))
            if e is None:
                return QueueStatus("none", agents_online=len(online), in_hours=in_hours)
            if e.status == "assigned":
                return QueueStatus("assigned", e.id, 0, 0.0, len(online), in_hours, e.agent_id)
            ahead = s.scalar(select(func.count()).select_from(QueueEntry).where(
                QueueEntry.status == "waiting",
                or_(QueueEntry.front > e.front,
                    and_(QueueEntry.front == e.front,
                         or_(QueueEntry.rank > e.rank,
                             and_(QueueEntry.rank == e.rank, QueueEntry.id < e.id))))))
            position = int(ahead or 0) + 1
            wait = self._wait(position, online, self._handle_time(s))
            return QueueStatus("waiting", e.id, position, wait, len(online), in_hours)

    def waiting_statuses(self) -> dict[str, QueueStatus]:
        """Every waiting customer's status in one pass, for periodic position updates."""
        now = self._clock()
        in_hours = self.policy.hours.is_open(_utc(now)) if self.policy.hours else True
        with self._sf() as s:
            online = self._online(s, now)
            handle = self._handle_time(s)
        return {e.conversation_id: QueueStatus("waiting", e.id, pos, self._wait(pos, online, handle),
                                               len(online), in_hours)
                for pos, e in enumerate(self.waiting(limit=10_000), start=1)}

    def cancel(self, conversation_id: str) -> EntryView | None:
        """The customer gives up waiting (or leaves); frees the agent if one held it."""
        return self._close_open(conversation_id, "cancelled", "customer_cancelled")

    def request_callback(self, conversation_id: str, phone: str, preferred_time: str = "",
                         note: str = "") -> int:
        """Record a callback instead of waiting; the open entry, if any, is closed."""
        if not is_phone_number(phone):
            raise ValueError("phone number must be 6-15 digits with spaces, brackets or dashes")
        closed = self._close_open(conversation_id, "cancelled", "callback_requested")
        with self._sf.begin() as s:
            cb = CallbackRequest(conversation_id=conversation_id, entry_id=closed.id if closed else None,
                                 phone=phone.strip(), preferred_time=preferred_time[:64],
                                 note=note[:2000], status="open", created_at=self._clock())
            s.add(cb)
            s.flush()
            return cb.id

    def callbacks(self, status: str = "open") -> list[dict[str, Any]]:
        with self._sf() as s:
            rows = s.scalars(select(CallbackRequest).where(CallbackRequest.status == status)
                             .order_by(CallbackRequest.id))
            return [{"id": c.id, "conversation_id": c.conversation_id, "phone": c.phone,
                     "preferred_time": c.preferred_time, "note": c.note,
                     "created_at": c.created_at} for c in rows]

    # -- agent side ----------------------------------------------------------------------------

    def get(self, entry_id: int) -> EntryView | None:
        with self._sf() as s:
            e = s.get(QueueEntry, entry_id)
            return EntryView.of(e) if e else None

    def waiting(self, limit: int = 500) -> list[EntryView]:
        """Waiting entries, best first: re-queued ones, then by aged priority, then oldest."""
        with self._sf() as s:
            rows = s.scalars(select(QueueEntry).where(QueueEntry.status == "waiting")
                             .order_by(QueueEntry.front.desc(), QueueEntry.rank.desc(),
                                       QueueEntry.id).limit(limit))
            return [EntryView.of(e) for e in rows]

    def assigned_to(self, agent_id: int) -> list[EntryView]:
        with self._sf() as s:
            rows = s.scalars(select(QueueEntry).where(QueueEntry.agent_id == agent_id,
                                                      QueueEntry.status == "assigned")
                             .order_by(QueueEntry.assigned_at))
            return [EntryView.of(e) for e in rows]

    def open_entries(self) -> list[EntryView]:
        with self._sf() as s:
            rows = s.scalars(select(QueueEntry).where(QueueEntry.status.in_(OPEN_STATUSES))
                             .order_by(QueueEntry.id))
            return [EntryView.of(e) for e in rows]

    def next_for(self, agent: AgentView) -> EntryView | None:
        """The best waiting conversation this agent has the skills for (not claimed yet)."""
        entry_id = next((i for i, skills in self._candidates() if can_serve(agent, skills)), None)
        return self.get(entry_id) if entry_id is not None else None

    def claim(self, entry_id: int, agent: AgentView) -> EntryView | None:
        """Atomically give a waiting conversation to the agent; None if someone else got it first,
        the agent lacks a skill, or the agent is at capacity."""
        current = self.get(entry_id)
        if current is None or current.status != "waiting" or not can_serve(agent, current.skills):
            return None
        return self._take_best([entry_id], agent)

    def _take_best(self, entry_ids: Sequence[int], agent: AgentView) -> EntryView | None:
        """The conditional update itself: the best of ``entry_ids`` still waiting goes to the agent,
        if the agent has a seat. Picking and taking are one statement, so agents racing for the
        same queue each get a different entry instead of all colliding on its head (on PostgreSQL,
        SKIP LOCKED passes over rows another claim is writing)."""
        now = self._clock()
        best = (select(QueueEntry.id)
                .where(QueueEntry.id.in_(entry_ids), QueueEntry.status == "waiting")
                .order_by(QueueEntry.front.desc(), QueueEntry.rank.desc(), QueueEntry.id)
                .limit(1).with_for_update(skip_locked=True).scalar_subquery())
        try:
            with self._sf.begin() as s:
                won = s.scalar(update(QueueEntry)
                               .where(QueueEntry.id == best, QueueEntry.status == "waiting")
                               .values(status="assigned", agent_id=agent.id, assigned_at=now,
                                       front=0)
                               .returning(QueueEntry.id))
                if won is None:
                    raise _Conflict
                seat = s.execute(update(Agent)
                                 .where(Agent.id == agent.id, Agent.active_chats < Agent.capacity)
                                 .values(active_chats=Agent.active_chats + 1, last_seen=now))
                if seat.rowcount != 1:
                    raise _Conflict
        except _Conflict:
            return None
        return self.get(won)

    def claim_next(self, agent: AgentView) -> EntryView | None:
        """Claim the best conversation the agent can serve; when others took every candidate
        meanwhile, read the queue again."""
        for _ in range(_CLAIM_ROUNDS):
            serveable = (i for i, skills in self._candidates() if can_serve(agent, skills))
            entry_ids = list(islice(serveable, _CLAIM_BATCH))
            if not entry_ids:
                return None
            got = self._take_best(entry_ids, agent)
            if got is not None:
                return got
            fresh = self._agent(agent.id)
            if fresh is None or fresh.active_chats >= fresh.capacity:
                return None
        return None

    def resolve(self, entry_id: int, agent_id: int, disposition: str, note: str = "") -> EntryView | None:
        """Close a held conversation with a disposition code from the policy."""
        if disposition not in self.policy.dispositions:
            raise ValueError(f"unknown disposition {disposition!r}")
        return self._finish(entry_id, agent_id, status="resolved", disposition=disposition,
                            note=note[:2000])

    def hand_back(self, entry_id: int, agent_id: int, slots: dict[str, Any] | None = None,
                  note: str = "") -> EntryView | None:
        """Return a held conversation to the bot with the slots the agent set."""
        return self._finish(entry_id, agent_id, status="returned", disposition="handed_back",
                            note=note[:2000], handback_slots=dict(slots or {}))

    def release(self, entry_id: int, agent_id: int) -> EntryView | None:
        """Put a held conversation back at the front of the queue (agent transfer or drop)."""
        try:
            with self._sf.begin() as s:
                self._unseat(s, entry_id, agent_id, {"status": "waiting", "agent_id": None,
                                                     "assigned_at": None, "front": 1})
        except _Conflict:
            return None
        return self.get(entry_id)

    def requeue_stale(self, grace_s: float | None = None) -> list[EntryView]:
        """Agents unseen for longer than the grace period lose their chats to the queue front."""
        cutoff = self._clock() - (self.policy.disconnect_grace_s if grace_s is None else grace_s)
        with self._sf() as s:
            stale = list(s.scalars(select(Agent.id).where(Agent.active_chats > 0,
                                                          or_(Agent.last_seen.is_(None),
                                                              Agent.last_seen < cutoff))))
        moved: list[int] = []
        for agent_id in stale:
            with self._sf.begin() as s:
                gone = s.execute(update(Agent).where(
                    Agent.id == agent_id, or_(Agent.last_seen.is_(None), Agent.last_seen < cutoff))
                    .values(active_chats=0, status="away"))
                if gone.rowcount != 1:
                    continue
                ids = list(s.scalars(select(QueueEntry.id).where(
                    QueueEntry.agent_id == agent_id, QueueEntry.status == "assigned")))
                s.execute(update(QueueEntry).where(QueueEntry.id.in_(ids))
                          .values(status="waiting", agent_id=None, assigned_at=None, front=1))
                moved.extend(ids)
        return [e for e in (self.get(i) for i in moved) if e is not None]

    def agents_overview(self) -> list[dict[str, Any]]:
        """Every agent with presence and load, for the supervisor view."""
        now = self._clock()
        grace = self.policy.disconnect_grace_s
        with self._sf() as s:
            return [{"id": a.id, "username": a.username, "display_name": a.display_name,
                     "role": a.role, "skills": list(a.skills or ()), "status": a.status,
                     "capacity": a.capacity, "active_chats": a.active_chats,
                     "connected": bool(a.last_seen and now - a.last_seen <= grace)}
                    for a in s.scalars(select(Agent).order_by(Agent.id))]

    # -- internals -----------------------------------------------------------------------------

    def _candidates(self, page: int = 50) -> Iterator[tuple[int, list]]:
        """Ids and skills of waiting entries, best first, read a page at a time (routing usually
        stops at the first page)."""
        offset = 0
        while True:
            with self._sf() as s:
                rows = s.execute(
                    select(QueueEntry.id, QueueEntry.skills).where(QueueEntry.status == "waiting")
                    .order_by(QueueEntry.front.desc(), QueueEntry.rank.desc(), QueueEntry.id)
                    .offset(offset).limit(page)).all()
            yield from ((i, skills or []) for i, skills in rows)
            if len(rows) < page:
                return
            offset += page

    def _agent(self, agent_id: int) -> Agent | None:
        with self._sf() as s:
            return s.get(Agent, agent_id)

    def _online(self, s, now: float) -> list[Agent]:
        cutoff = now - self.policy.disconnect_grace_s
        return list(s.scalars(select(Agent).where(Agent.status == "available",
                                                  Agent.last_seen >= cutoff)))

    def _handle_time(self, s) -> float:
        """Mean recent chat length, or the policy default until there are enough samples."""
        rows = s.execute(select(QueueEntry.closed_at - QueueEntry.assigned_at)
                         .where(QueueEntry.status.in_(("resolved", "returned")),
                                QueueEntry.assigned_at.is_not(None))
                         .order_by(QueueEntry.closed_at.desc()).limit(_HANDLE_SAMPLE)).scalars().all()
        return sum(rows) / len(rows) if len(rows) >= 5 else self.policy.default_handle_time_s

    @staticmethod
    def _wait(position: int, online: list[Agent], handle_s: float) -> float | None:
        """Waves of chats ahead of this position, given free seats now and all seats later."""
        if not online:
            return None
        seats = sum(max(0, a.capacity) for a in online) or 1
        free = sum(max(0, a.capacity - a.active_chats) for a in online)
        waves = math.ceil((position - free) / seats) if position > free else 0
        return float(waves * handle_s)

    def _finish(self, entry_id: int, agent_id: int, **values: Any) -> EntryView | None:
        try:
            with self._sf.begin() as s:
                self._unseat(s, entry_id, agent_id, {"closed_at": self._clock(), **values})
        except _Conflict:
            return None
        return self.get(entry_id)

    @staticmethod
    def _unseat(s, entry_id: int, agent_id: int, values: dict[str, Any]) -> None:
        """Move an assigned entry out of the agent's hands and give the agent their seat back."""
        done = s.execute(update(QueueEntry).where(QueueEntry.id == entry_id,
                                                  QueueEntry.agent_id == agent_id,
                                                  QueueEntry.status == "assigned").values(**values))
        if done.rowcount != 1:
            raise _Conflict
        s.execute(update(Agent).where(Agent.id == agent_id, Agent.active_chats > 0)
                  .values(active_chats=Agent.active_chats - 1))

    def _close_open(self, conversation_id: str, status: str, disposition: str) -> EntryView | None:
        for _ in range(3):  # the entry may be claimed between the read and the write
            e = self.open_for(conversation_id)
            if e is None:
                return None
            with self._sf.begin() as s:
                holder = (QueueEntry.agent_id.is_(None) if e.agent_id is None
                          else QueueEntry.agent_id == e.agent_id)
                done = s.execute(update(QueueEntry).where(QueueEntry.id == e.id, holder,
                                                          QueueEntry.status == e.status)
                                 .values(status=status, disposition=disposition,
                                         closed_at=self._clock()))
                if done.rowcount == 1 and e.agent_id is not None:
                    s.execute(update(Agent).where(Agent.id == e.agent_id, Agent.active_chats > 0)
                              .values(active_chats=Agent.active_chats - 1))
            if done.rowcount == 1:
                return self.get(e.id)
        return None


def _utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, tz=timezone.utc)
