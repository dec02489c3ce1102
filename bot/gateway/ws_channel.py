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
A bad token or conversation closes the socket with code 4000 + HTTP status (e.g. 4401, 4404).
"""
from __future__ import annotations

import asyncio
import contextlib

from fastapi import APIRouter, HTTPException, WebSocket, WebSocketDisconnect

from bot.conversations.store import Conversation
from bot.gateway.messages import MessageRejected, clean_message
from bot.gateway.ws_frames import conversation_for_frame, parse_frame, refuse_frame
from handoff.customer_feed import for_customer

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
            done = await gate.leave_callback(conversation, "websocket", str(frame.get("phone", "")),
                                             str(frame.get("when", "")))
        except ValueError as exc:
            raise MessageRejected(422, str(exc)) from None
        if done is None:
            raise MessageRejected(409, "no hand-off to leave a callback for")
        await ws.send_json({"type": "notice", "text": done[1]})


@router.websocket("/ws/chat")
async def chat_socket(ws: WebSocket) -> None:
    """Live chat: one start frame, then message frames answered by bot frames."""
    settings = ws.app.state.settings
    await ws.accept()
    conversation: Conversation | None = None
    relay: asyncio.Task | None = None
    try:
        while True:
            raw = await ws.receive_text()
            try:
                frame = parse_frame(raw, settings.max_body_bytes)
                if frame["type"] == "start":
                    conversation = await conversation_for_frame(ws, frame, "websocket")
                    if relay:
                        relay.cancel()
                    relay = asyncio.create_task(_relay_handoff_events(ws, conversation.id))
                    await ws.send_json({"type": "session", "conversation_id": conversation.id,
                                        "authenticated": conversation.customer_id is not None})
                elif frame["type"] == "message":
                    if conversation is None:
                        raise MessageRejected(409, "send a 'start' frame first")
                    text = clean_message(str(frame.get("text", "")), settings.max_message_chars)
                    for reply in await ws.app.state.turns.handle(conversation, text, "websocket"):
                        await ws.send_json({"type": "bot", **reply})
                elif frame["type"] in ("typing", "cancel_handoff", "callback"):
                    if conversation is None:
                        raise MessageRejected(409, "send a 'start' frame first")
                    await _handoff_frame(ws, conversation, frame)
                else:
                    raise MessageRejected(422, f"unknown frame type {frame['type']!r}")
            except (MessageRejected, HTTPException) as exc:
                if await refuse_frame(ws, exc):
                    return
    except WebSocketDisconnect:
        return
    finally:
        if relay:
            relay.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await relay
