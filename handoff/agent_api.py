"""The agent API: login, queue, claim, transcript, live chat, resolve, hand back, supervision.

Every route resolves the caller from an agent bearer token (customer tokens are not agent tokens,
so they get 401), checks server-side that the conversation is assigned to the caller (supervisors:
any), and writes the action to the audit log, including refusals.

Expects on ``app.state``: ``handoff_desk`` (``HandoffDesk``) and optionally ``transcripts``
(anything with ``turns(conversation_id)``, see ``handoff.transcript.TranscriptReader``); the
customer view, card actions and suggestions (``handoff.support_api``) also use ``bankcore`` and
``knowledge``.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import (
    APIRouter,
    Header,
    HTTPException,
    Request,
    WebSocket,
    WebSocketDisconnect,
)
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from handoff.agent_auth import (
    LOCKED_OUT,
    Desk,
    EntryId,
    Me,
    Transcripts,
    audit_action,
    bearer,
    guarded_login,
    held_entry,
)
from handoff.agents import AgentView
from handoff.desk import HandoffDesk
from handoff.events import QUEUE_CHANNEL, agent_channel
from handoff.queue import EntryView, can_serve
from handoff.support_api import router as support_router
from handoff.transcript import TranscriptReader, normalize_turn

router = APIRouter(prefix="/agent", tags=["agent"])
router.include_router(support_router)

_CONSOLE = Path(__file__).parent / "static" / "console.html"
_WS_AUTH_TIMEOUT_S = 10.0
_WS_HEARTBEAT_S = 10.0

SlotValue = str | int | float | bool | None


# -- request / response models ------------------------------------------------------------------

class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class AgentOut(BaseModel):
    id: int
    username: str
    display_name: str
    role: str
    skills: list[str]
    status: str
    capacity: int
    active_chats: int

    @classmethod
    def of(cls, a: AgentView) -> "AgentOut":
        return cls(id=a.id, username=a.username, display_name=a.display_name, role=a.role,
                   skills=list(a.skills), status=a.status, capacity=a.capacity,
                   active_chats=a.active_chats)


class LoginOut(BaseModel):
    token: str
    agent: AgentOut


class QueueItem(BaseModel):
    """A waiting conversation as listed before claiming: no customer content, only routing facts."""

    entry_id: int
    reason: str
    reason_detail: str
    skills: list[str]
    priority: float
    wait_s: float
    frustration: float
    sentiment_trend: list[float]
    channel: str
    language: str
    requeued: bool
    can_claim: bool


class ConversationOut(BaseModel):
    entry_id: int
    conversation_id: str
    status: str
    agent_id: int | None
    reason: str
    reason_detail: str
    skills: list[str]
    channel: str
    language: str
    customer_tier: str
    summary: str
    intents: list[str]
    entities: list[dict[str, Any]]
    sentiment_trend: list[float]
    disposition: str | None
    transcript: list[dict[str, Any]]


class MessageIn(BaseModel):
    text: str = Field(min_length=1, max_length=2000)


class MessageOut(BaseModel):
    id: str
    ts: float


class TypingIn(BaseModel):
    typing: bool


class ResolveIn(BaseModel):
    disposition: str = Field(min_length=1, max_length=64)
    note: str = Field(default="", max_length=2000)


class HandBackIn(BaseModel):
    slots: dict[Annotated[str, Field(max_length=64)], SlotValue] = Field(default_factory=dict,
                                                                          max_length=50)
    note: str = Field(default="", max_length=2000)


class StatusIn(BaseModel):
    status: Literal["available", "busy", "away"]


class Overview(BaseModel):
    agents: list[dict[str, Any]]
    open: list[QueueItem | ConversationOut]
    callbacks: list[dict[str, Any]]
    audit: list[dict[str, Any]]


def _queue_item(e: EntryView, agent: AgentView, desk: HandoffDesk, now: float) -> QueueItem:
    return QueueItem(entry_id=e.id, reason=e.reason, reason_detail=e.reason_detail,
                     skills=list(e.skills), priority=round(e.effective_priority(now, desk.policy), 2),
                     wait_s=round(now - e.enqueued_at, 1),
                     frustration=e.sentiment_trend[-1] if e.sentiment_trend else 0.0,
                     sentiment_trend=list(e.sentiment_trend), channel=e.channel, language=e.language,
                     requeued=bool(e.front), can_claim=can_serve(agent, e.skills))


def _conversation(e: EntryView, transcripts: TranscriptReader | None) -> ConversationOut:
    turns = [normalize_turn(t) for t in transcripts.turns(e.conversation_id)] if transcripts else []
    return ConversationOut(entry_id=e.id, conversation_id=e.conversation_id, status=e.status,
                           agent_id=e.agent_id, reason=e.reason, reason_detail=e.reason_detail,
                           skills=list(e.skills), channel=e.channel, language=e.language,
                           customer_tier=e.customer_tier, summary=e.summary, intents=list(e.intents),
                           entities=list(e.entities), sentiment_trend=list(e.sentiment_trend),
                           disposition=e.disposition, transcript=turns)


# -- routes ------------------------------------------------------------------------------------

@router.get("/console", response_class=HTMLResponse, include_in_schema=False)
async def console() -> HTMLResponse:
    """The agent console page (plain HTML + JS, talks to this API)."""
    return HTMLResponse(_CONSOLE.read_text(encoding="utf-8"))


@router.post("/login", response_model=LoginOut,
             responses={401: {"description": "wrong username or password"}, **LOCKED_OUT})
async def login(body: LoginIn, desk: Desk, request: Request) -> LoginOut:
    """Exchange agent credentials for a bearer token; the agent becomes available. Failed logins
    are counted per account and address by the app's login guard; past its limit, 429."""
    result = await guarded_login(request, f"agent:{body.username.lower()}",
                                 lambda: desk.agents.login(body.username, body.password))
    if result is None:
        await run_in_threadpool(desk.audit.record, None, "login", "denied",
                                detail={"username": body.username})
        raise HTTPException(401, "wrong username or password")
    token, agent = result
    await audit_action(desk, agent, "login")
    return LoginOut(token=token, agent=AgentOut.of(agent))


@router.post("/logout", status_code=204)
async def logout(me: Me, desk: Desk, authorization: Annotated[str | None, Header()] = None) -> None:
    """End this token's session; the agent goes away (held chats re-queue after the grace period)."""
    await run_in_threadpool(desk.agents.logout, bearer(authorization))
    await run_in_threadpool(desk.agents.set_status, me.id, "away")
    await audit_action(desk, me, "logout")


@router.get("/me", response_model=AgentOut)
async def whoami(me: Me) -> AgentOut:
    return AgentOut.of(me)


@router.get("/dispositions", response_model=list[str])
async def dispositions(me: Me, desk: Desk) -> list[str]:
    """The disposition codes a conversation can be resolved with (from the policy file)."""
    return list(desk.policy.dispositions)


@router.post("/status", response_model=AgentOut)
async def set_status(body: StatusIn, me: Me, desk: Desk) -> AgentOut:
    """Available / busy / away (busy and away agents are not counted for wait estimates)."""
    await run_in_threadpool(desk.agents.set_status, me.id, body.status)
    await audit_action(desk, me, "set_status", status=body.status)
    now: AgentView | None = await run_in_threadpool(desk.agents.get, me.id)
    return AgentOut.of(now or me)


@router.get("/queue", response_model=list[QueueItem])
async def queue(me: Me, desk: Desk) -> list[QueueItem]:
    """Waiting conversations, best first, with wait time, reason, priority, sentiment and skills.
    Agents see those their skills match; supervisors see all."""
    now = time.time()
    entries = await run_in_threadpool(desk.queue.waiting)
    return [_queue_item(e, me, desk, now) for e in entries if can_serve(me, e.skills)]


@router.post("/queue/next", response_model=ConversationOut)
async def claim_next(me: Me, desk: Desk,
                     transcripts: Transcripts) -> ConversationOut:
    """Claim the best waiting conversation the caller's skills match (404 when there is none)."""
    entry = await desk.claim(me)
    if entry is None:
        await audit_action(desk, me, "claim_next", "empty")
        raise HTTPException(404, "nothing to claim for your skills and capacity")
    await audit_action(desk, me, "claim", entry=entry)
    return await run_in_threadpool(_conversation, entry, transcripts)


@router.post("/conversations/{entry_id}/claim", response_model=ConversationOut)
async def claim(entry_id: EntryId, me: Me, desk: Desk,
                transcripts: Transcripts) -> ConversationOut:
    """Take one waiting conversation; 409 if another agent took it first (or you lack the skill
    or capacity)."""
    entry = await desk.claim(me, entry_id)
    if entry is None:
        await audit_action(desk, me, "claim", "conflict", None, entry_id=entry_id)
        raise HTTPException(409, "already taken, not yours to take, or you are at capacity")
    await audit_action(desk, me, "claim", entry=entry)
    return await run_in_threadpool(_conversation, entry, transcripts)


@router.get("/conversations", response_model=list[ConversationOut])
async def my_conversations(me: Me, desk: Desk) -> list[ConversationOut]:
    """The conversations the caller holds now (without transcripts)."""
    entries = await run_in_threadpool(desk.queue.assigned_to, me.id)
    return [_conversation(e, None) for e in entries]


@router.get("/conversations/{entry_id}", response_model=ConversationOut)
async def conversation(entry_id: EntryId, me: Me, desk: Desk,
                       transcripts: Transcripts) -> ConversationOut:
    """Summary, intents, entities, sentiment trend and the full transcript of a held conversation."""
    entry = await held_entry(desk, me, entry_id, "view", must_be_open=False)
    await audit_action(desk, me, "view", entry=entry)
    return await run_in_threadpool(_conversation, entry, transcripts)


@router.post("/conversations/{entry_id}/messages", response_model=MessageOut)
async def send_message(entry_id: EntryId, body: MessageIn, me: Me, desk: Desk) -> MessageOut:
    """Send a message to the customer."""
    entry = await held_entry(desk, me, entry_id, "message")
    event = await desk.agent_message(me, entry, body.text)
    await audit_action(desk, me, "message", entry=entry, chars=len(body.text))
    return MessageOut(id=event["id"], ts=event["ts"])


@router.post("/conversations/{entry_id}/typing", status_code=204)
async def typing(entry_id: EntryId, body: TypingIn, me: Me, desk: Desk) -> None:
    """Show or hide the typing indicator on the customer's side."""
    entry = await held_entry(desk, me, entry_id, "typing")
    await desk.agent_typing(me, entry, body.typing)


@router.post("/conversations/{entry_id}/resolve", response_model=ConversationOut)
async def resolve(entry_id: EntryId, body: ResolveIn, me: Me, desk: Desk) -> ConversationOut:
    """Close the conversation with a disposition code from the policy."""
    entry = await held_entry(desk, me, entry_id, "resolve")
    if body.disposition not in desk.policy.dispositions:
        await audit_action(desk, me, "resolve", "denied", entry, disposition=body.disposition)
        raise HTTPException(422, f"disposition must be one of {list(desk.policy.dispositions)}")
    done = await desk.resolve(me, entry, body.disposition, body.note)
    if done is None:
        raise HTTPException(409, "conversation changed meanwhile")
    await audit_action(desk, me, "resolve", entry=entry, disposition=body.disposition)
    return _conversation(done, None)


@router.post("/conversations/{entry_id}/hand-back", response_model=ConversationOut)
async def hand_back(entry_id: EntryId, body: HandBackIn, me: Me, desk: Desk) -> ConversationOut:
    """Return the conversation to the bot, which resumes with the given slots."""
    refused = sorted(set(body.slots) - desk.policy.hand_back_slots)
    if refused:
        raise HTTPException(422, f"agents may not set {', '.join(refused)}; allowed: "
                                 f"{', '.join(sorted(desk.policy.hand_back_slots))}")
    entry = await held_entry(desk, me, entry_id, "hand_back")
    done = await desk.hand_back(me, entry, body.slots, body.note)
    if done is None:
        raise HTTPException(409, "conversation changed meanwhile")
    await audit_action(desk, me, "hand_back", entry=entry, slots=sorted(body.slots))
    return _conversation(done, None)


@router.post("/conversations/{entry_id}/release", response_model=ConversationOut)
async def release(entry_id: EntryId, me: Me, desk: Desk) -> ConversationOut:
    """Transfer: put the conversation back at the front of the queue for another agent."""
    entry = await held_entry(desk, me, entry_id, "release")
    done = await desk.release(me, entry)
    if done is None:
        raise HTTPException(409, "conversation changed meanwhile")
    await audit_action(desk, me, "release", entry=entry)
    return _conversation(done, None)


@router.get("/supervisor/overview", response_model=Overview)
async def overview(me: Me, desk: Desk) -> Overview:
    """All agents with load and presence, every open conversation, callbacks, recent audit."""
    if not me.is_supervisor:
        await audit_action(desk, me, "supervisor_overview", "denied")
        raise HTTPException(403, "supervisors only")
    now = time.time()
    agents = await run_in_threadpool(desk.queue.agents_overview)
    entries = await run_in_threadpool(desk.queue.open_entries)
    callbacks = await run_in_threadpool(desk.queue.callbacks)
    audit = await run_in_threadpool(desk.audit.recent, 50)
    await audit_action(desk, me, "supervisor_overview")
    return Overview(agents=agents, callbacks=callbacks, audit=audit,
                    open=[_queue_item(e, me, desk, now) if e.status == "waiting"
                          else _conversation(e, None) for e in entries])


def _json_object(message: Mapping[str, Any]) -> dict[str, Any] | None:
    """A text frame's JSON object; None for binary frames, bad JSON, too deep, or not an object."""
    try:
        frame = json.loads(message["text"]) if message.get("text") is not None else None
    except (ValueError, RecursionError):
        return None
    return frame if isinstance(frame, dict) else None


def _entry_id(value: Any) -> int | None:
    """An entry id a client sent, if it is one (not a float, a bool or past the database's range)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63 else None


@router.websocket("/ws")
async def agent_ws(ws: WebSocket) -> None:
    """Live events for one agent. First client message: ``{"type": "auth", "token": ...}``.
    Then the server pushes queue changes, assignments and customer messages/typing; the client may
    send ``{"type": "ping"}`` and ``{"type": "typing", "entry_id", "typing"}``. A bad first frame
    closes with 4401; a bad later frame gets ``{"type": "error"}`` and the socket stays open."""
    desk: HandoffDesk = ws.app.state.handoff_desk
    await ws.accept()
    try:
        first = await asyncio.wait_for(ws.receive(), _WS_AUTH_TIMEOUT_S)
    except asyncio.TimeoutError:
        first = {"type": "websocket.receive"}
    if first["type"] == "websocket.disconnect":
        return
    hello = _json_object(first) or {}
    token = hello.get("token")
    agent = (await run_in_threadpool(desk.agents.by_token, token)
             if hello.get("type") == "auth" and isinstance(token, str) else None)
    if agent is None:
        await ws.close(code=4401)
        return
    await ws.send_json({"type": "ready", "agent_id": agent.id})
    async with desk.bus.subscribe(agent_channel(agent.id), QUEUE_CHANNEL) as sub:
        forward = asyncio.create_task(_forward(ws, sub))
        beat = asyncio.create_task(_heartbeat(desk, agent.id))
        try:
            while True:
                message = await ws.receive()
                if message["type"] == "websocket.disconnect":
                    break
                await _agent_frame(ws, desk, agent, _json_object(message))
        except WebSocketDisconnect:
            pass
        finally:
            for task in (forward, beat):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task


async def _agent_frame(ws: WebSocket, desk: HandoffDesk, agent: Any, frame: dict[str, Any] | None) -> None:
    if frame is None:
        await ws.send_json({"type": "error", "detail": "frames are JSON objects"})
    elif frame.get("type") == "typing":
        entry_id = _entry_id(frame.get("entry_id"))
        if entry_id is None:
            await ws.send_json({"type": "error", "detail": "'entry_id' must be a positive integer"})
            return
        entry = await run_in_threadpool(desk.queue.get, entry_id)
        if entry and entry.status == "assigned" and (entry.agent_id == agent.id or agent.is_supervisor):
            await desk.agent_typing(agent, entry, frame.get("typing") is True)
    else:
        await run_in_threadpool(desk.agents.touch, agent.id)


async def _forward(ws: WebSocket, sub: Any) -> None:
    async for event in sub:
        await ws.send_json(event)


async def _heartbeat(desk: HandoffDesk, agent_id: int) -> None:
    """While the socket is open the agent counts as connected, whatever the client sends."""
    while True:
        await run_in_threadpool(desk.agents.touch, agent_id)
        await asyncio.sleep(_WS_HEARTBEAT_S)
