"""WebSocket chat channel used by the customer chat page.

Protocol (JSON text frames):
  client -> {"type": "start", "token"?: str, "conversation_id"?: str}
  server -> {"type": "session", "conversation_id": str, "authenticated": bool}
  client -> {"type": "message", "text": str}
  server -> {"type": "bot", "text": str, ...} once per bot reply
  server -> {"type": "error", "detail": str}   (bad frame; the socket stays open)
While a person has the conversation:
  server -> {"type": "message", "sender": "agent", "name", "text"} | {"type": "typing", ...}
            | {"type": "notice", "text", "position"?, "estimated_wait_s"?} | {"type": "handed_back", "text"}
  client -> {"type": "typing", "typing": bool} | {"type": "cancel_handoff"}
            | {"type": "callback", "phone": str, "when"?: str}
A bad token or conversation closes the socket with code 4000 + HTTP status (e.g. 4401, 4404), also
later: a token logged out while the socket is open closes it at the next frame (4401). When the
customer identifies in the conversation, a bot frame carries ``custom.session`` {token,
expires_at, conversation_id}: the client must present that token to resume the conversation.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging

from fastapi import APIRouter, HTTPException, WebSocket, WebSocketDisconnect

from bot.conversations.store import Conversation
from bot.deps import source_address
from bot.gateway.messages import MessageRejected, clean_message
from bot.gateway.ws_frames import (
    conversation_for_frame,
    receive_frame,
    refuse_frame,
    session_token,
    still_allowed,
    text_field,
)
from handoff.customer_feed import for_customer

log = logging.getLogger(__name__)
router = APIRouter(tags=["chat"])

async def _relay_handoff_events(ws: WebSocket, conversation_id: str) -> None:
    """Forward what agents and the queue say to this customer's socket."""
    desk = ws.app.state.handoff_desk
    async with desk.customer_events(conversation_id) as subscription:
        async for event in subscription:
            payload = for_customer(event, desk.policy)
            if payload is not None:
                await ws.send_json(payload)


async def _handoff_frame(ws: WebSocket, conversation: Conversation, frame: dict) -> None:
    """Typing, cancel and callback frames; the last two share ``HandoffGate`` with the REST routes."""
    gate = ws.app.state.handoff_gate
    if frame["type"] == "typing":
        await gate.desk.customer_typing(conversation.id, bool(frame.get("typing")))
    elif frame["type"] == "cancel_handoff":
        text = await gate.back_to_bot(conversation, "websocket")
        if text is None:
            raise MessageRejected(409, "no hand-off to cancel")
        await ws.send_json({"type": "handed_back", "text": text})
    else:
        try:
            done = await gate.leave_callback(conversation, "websocket", text_field(frame, "phone") or "",
                                             text_field(frame, "when") or "")
        except ValueError as exc:
            raise MessageRejected(422, str(exc)) from None
        if done is None:
            raise MessageRejected(409, "no hand-off to leave a callback for")
        await ws.send_json({"type": "notice", "text": done[1]})


@router.websocket("/ws/chat")
async def chat_socket(ws: WebSocket) -> None:
    """Live chat: one start frame, then message frames answered by bot frames. The socket holds
    the conversation's credential (the start frame's token, or the one handed out when the
    customer identifies) and every turn is checked against it, so a logout ends the socket's
    access too. Anything unexpected closes with 1011 after logging, never silently."""
    settings = ws.app.state.settings
    await ws.accept()
    conversation: Conversation | None = None
    token: str | None = None
    relay: asyncio.Task | None = None
    try:
        while True:
            try:
                frame = await receive_frame(ws, settings.max_body_bytes)
                if frame is None:
                    return
                if frame["type"] == "start":
                    conversation = await conversation_for_frame(ws, frame, "websocket")
                    token = text_field(frame, "token") or None
                    if relay:
                        relay.cancel()
                    relay = asyncio.create_task(_relay_handoff_events(ws, conversation.id))
                    await ws.send_json({"type": "session", "conversation_id": conversation.id,
                                        "authenticated": conversation.customer_id is not None})
                elif frame["type"] == "message":
                    if conversation is None:
                        raise MessageRejected(409, "send a 'start' frame first")
                    text = clean_message(text_field(frame, "text") or "", settings.max_message_chars)
                    conversation = await still_allowed(ws, conversation.id, token)
                    replies = await ws.app.state.turns.handle(conversation, text, "websocket",
                                                              source_address(ws.client))
                    token = session_token(replies) or token
                    for reply in replies:
                        await ws.send_json({"type": "bot", **reply})
                elif frame["type"] in ("typing", "cancel_handoff", "callback"):
                    if conversation is None:
                        raise MessageRejected(409, "send a 'start' frame first")
                    conversation = await still_allowed(ws, conversation.id, token)
                    await _handoff_frame(ws, conversation, frame)
                else:
                    raise MessageRejected(422, f"unknown frame type {frame['type']!r}")
            except (MessageRejected, HTTPException) as exc:
                if await refuse_frame(ws, exc):
                    return
    except WebSocketDisconnect:
        return
    except Exception:
        log.exception("chat socket failed")
        with contextlib.suppress(Exception):
            await ws.close(code=1011)
    finally:
        if relay:
            relay.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await relay
