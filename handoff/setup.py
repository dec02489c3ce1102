"""Wiring for the app factory: build the desk from settings and keep the queue healthy.

The gateway does, in its app factory / lifespan::

    desk = build_desk(settings, engine, hooks=my_hooks)
    app.state.handoff_desk = desk
    app.state.transcripts = transcript_store          # has .turns(conversation_id)
    app.include_router(handoff.agent_api.router)
    task = asyncio.create_task(run_housekeeping(desk)) # cancel on shutdown; await desk.bus.close()
"""
from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Protocol

from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from handoff.agents import AgentDirectory
from handoff.audit import AuditLog
from handoff.desk import GatewayHooks, HandoffDesk
from handoff.events import EventBus, make_bus
from handoff.models import create_tables
from handoff.policy import load_policy
from handoff.queue import HandoffQueue

log = logging.getLogger(__name__)


class DeskSettings(Protocol):
    """What the desk is built from (the app's ``Settings`` has both)."""

    @property
    def data_dir(self) -> Path: ...  # holds handoff/policy.yml and handoff/agents.yml
    @property
    def redis_url(self) -> str | None: ...  # several instances: events over Redis


def build_desk(settings: DeskSettings, engine: Engine, *,
               hooks: GatewayHooks | None = None, bus: EventBus | None = None,
               seed_agents: bool = True) -> HandoffDesk:
    """Create the hand-off tables if missing, load the policy, seed demo agents, pick the bus."""
    create_tables(engine)
    session_factory = sessionmaker(bind=engine, expire_on_commit=False)
    policy = load_policy(settings.data_dir / "handoff" / "policy.yml")
    agents = AgentDirectory(session_factory)
    agents_file = settings.data_dir / "handoff" / "agents.yml"
    if seed_agents and agents_file.exists():
        created = agents.seed(agents_file)
        if created:
            log.info("seeded hand-off agents: %s", ", ".join(created))
    return HandoffDesk(HandoffQueue(session_factory, policy), agents, AuditLog(session_factory),
                       bus or make_bus(settings.redis_url), policy, hooks)


async def run_housekeeping(desk: HandoffDesk, interval_s: float = 5.0) -> None:
    """Re-queue abandoned chats and refresh waiting customers' positions until cancelled."""
    while True:
        try:
            await desk.tick()
        except Exception:  # keep the loop alive across a transient database error
            log.exception("hand-off housekeeping failed")
        await asyncio.sleep(interval_s)
