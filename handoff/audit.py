"""Append-only record of every agent action, allowed or denied.

Written in its own transaction so a denied or failed action is still on record.
"""
from __future__ import annotations

import time
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from handoff.models import AuditEvent


class AuditLog:
    def __init__(self, session_factory: sessionmaker, clock: Callable[[], float] = time.time):
        self._sf = session_factory
        self._clock = clock

    def record(self, agent_id: int | None, action: str, outcome: str = "ok", *,
               entry_id: int | None = None, conversation_id: str | None = None,
               detail: dict[str, Any] | None = None) -> None:
        with self._sf.begin() as s:
            s.add(AuditEvent(at=self._clock(), agent_id=agent_id, action=action, outcome=outcome,
                             entry_id=entry_id, conversation_id=conversation_id, detail=detail or {}))

    def recent(self, limit: int = 100, agent_id: int | None = None) -> list[dict[str, Any]]:
        q = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
        if agent_id is not None:
            q = q.where(AuditEvent.agent_id == agent_id)
        with self._sf() as s:
            return [{"at": e.at, "agent_id": e.agent_id, "action": e.action, "outcome": e.outcome,
                     "entry_id": e.entry_id, "conversation_id": e.conversation_id,
                     "detail": e.detail} for e in s.scalars(q)]
