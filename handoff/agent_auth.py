"""Who is calling the agent API, and may they touch this conversation.

Shared by every agent router: the caller comes from an agent bearer token (a customer's token is
not one, so it gets 401), and a conversation is reachable only by the agent holding it or a
supervisor. Refusals are written to the audit log like any other action.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Annotated, Any, Protocol, TypeVar

from fastapi import Depends, Header, HTTPException, Path, Request
from starlette.concurrency import run_in_threadpool

from handoff.agents import AgentView
from handoff.desk import HandoffDesk
from handoff.queue import EntryView
from handoff.transcript import TranscriptReader

_TOUCH_EVERY_S = 5.0  # presence writes at most this often per agent; the grace period is longer
T = TypeVar("T")


class LoginGuard(Protocol):
    """Counts failed logins per account and address (the app puts one on ``app.state.login_attempts``)."""

    def attempt(self, values: dict[str, str | None], check: Callable[[], Any]) -> tuple[Any, float]: ...


LOCKED_OUT: dict[int | str, dict[str, Any]] = {429: {"description": "too many failed logins: wait Retry-After seconds"}}


async def guarded_login(request: Request, account: str, check: Callable[[], T | None]) -> T | None:
    """``check`` (a login) through the app's login guard (failures counted per account and
    address): its result, or 429 with ``Retry-After`` while locked, the password unchecked.
    Without a guard (a bare desk in tests) the login simply runs."""
    guard: LoginGuard | None = getattr(request.app.state, "login_attempts", None)
    if guard is None:
        return await run_in_threadpool(check)
    values = {"per_account": account, "per_source": request.client.host if request.client else None}
    result, wait = await run_in_threadpool(guard.attempt, values, check)
    if wait:
        raise HTTPException(429, "too many failed logins; try again later",
                            headers={"Retry-After": str(int(wait) + 1)})
    return result


def get_desk(request: Request) -> HandoffDesk:
    return request.app.state.handoff_desk


def get_transcripts(request: Request) -> TranscriptReader | None:
    return getattr(request.app.state, "transcripts", None)


def bearer(authorization: str | None) -> str:
    if not authorization or not authorization.lower().startswith("bearer "):
        return ""
    return authorization[7:].strip()


async def current_agent(desk: Annotated[HandoffDesk, Depends(get_desk)],
                        authorization: Annotated[str | None, Header()] = None) -> AgentView:
    """The calling agent; 401 for a missing, expired or non-agent (e.g. customer) token."""
    agent = await run_in_threadpool(desk.agents.by_token, bearer(authorization))
    if agent is None:
        raise HTTPException(401, "agent login required", headers={"WWW-Authenticate": "Bearer"})
    if agent.last_seen is None or time.time() - agent.last_seen > _TOUCH_EVERY_S:
        await run_in_threadpool(desk.agents.touch, agent.id)
    return agent


Desk = Annotated[HandoffDesk, Depends(get_desk)]
Me = Annotated[AgentView, Depends(current_agent)]
Transcripts = Annotated[TranscriptReader | None, Depends(get_transcripts)]
# ids in paths are database integers: one past their range is a 422, not an overflow deep inside
EntryId = Annotated[int, Path(gt=0, lt=2**63)]
CardId = Annotated[int, Path(gt=0, lt=2**63)]


async def audit_action(desk: HandoffDesk, agent: AgentView | None, action: str, outcome: str = "ok",
                       entry: EntryView | None = None, **detail: Any) -> None:
    await run_in_threadpool(desk.audit.record, agent.id if agent else None, action, outcome,
                            entry_id=entry.id if entry else None,
                            conversation_id=entry.conversation_id if entry else None, detail=detail)


async def held_entry(desk: HandoffDesk, agent: AgentView, entry_id: int, action: str,
                     *, must_be_open: bool = True) -> EntryView:
    """The entry if the caller holds it (or is a supervisor); refusals are audited."""
    entry = await run_in_threadpool(desk.queue.get, entry_id)
    if entry is None:
        await audit_action(desk, agent, action, "denied", None, entry_id=entry_id, why="not found")
        raise HTTPException(404, "no such conversation")
    if not agent.is_supervisor and entry.agent_id != agent.id:
        await audit_action(desk, agent, action, "denied", entry, why="not assigned to agent")
        raise HTTPException(403, "this conversation is not assigned to you")
    if must_be_open and entry.status != "assigned":
        await audit_action(desk, agent, action, "denied", entry, why=f"status {entry.status}")
        raise HTTPException(409, f"conversation is {entry.status}")
    return entry
