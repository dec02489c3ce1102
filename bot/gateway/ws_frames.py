"""What both customer WebSockets (/ws/chat, /ws/voice) do alike with frames, so clients see one
protocol: JSON objects with a ``type``; a ``start`` frame's token and conversation id follow the
same login rules as REST; a bad frame gets an ``error`` frame and the socket stays open, while an
authorisation failure (an ``HTTPException`` from the token and ownership checks) also closes it
with 4000 + the HTTP status."""
from __future__ import annotations

import json
from typing import Any

from fastapi import HTTPException, WebSocket
from starlette.concurrency import run_in_threadpool

from bot.conversations.store import Conversation
from bot.gateway.deps import customer_from_token, open_conversation
from bot.gateway.messages import MessageRejected


def parse_frame(raw: str, max_bytes: int) -> dict[str, Any]:
    """One client frame as a dict, or ``MessageRejected`` saying what is wrong with it."""
    if len(raw.encode()) > max_bytes:
        raise MessageRejected(413, f"frame larger than {max_bytes} bytes")
    try:
        frame = json.loads(raw)
    except json.JSONDecodeError:
        raise MessageRejected(422, "frame is not valid JSON") from None
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        raise MessageRejected(422, "frame must be an object with a 'type'")
    return frame


async def conversation_for_frame(ws: WebSocket, frame: dict[str, Any], channel: str) -> Conversation:
    """The conversation a ``start`` frame names (checked against its token), or a new one."""
    state = ws.app.state
    customer_id = await run_in_threadpool(customer_from_token, frame.get("token") or None, state.tokens)
    conversation_id = frame.get("conversation_id")
    if conversation_id:
        return await run_in_threadpool(open_conversation, state.conversations, str(conversation_id),
                                       customer_id)
    return await run_in_threadpool(state.conversations.create, channel, customer_id)


async def refuse_frame(ws: WebSocket, exc: MessageRejected | HTTPException) -> bool:
    """Tell the client why its frame was refused; True when the socket had to be closed."""
    await ws.send_json({"type": "error", "detail": exc.detail})
    if isinstance(exc, HTTPException):
        await ws.close(code=4000 + exc.status_code, reason=str(exc.detail)[:120])
        return True
    return False
