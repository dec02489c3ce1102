"""What both customer WebSockets (/ws/chat, /ws/voice) do alike with frames, so clients see one
protocol: JSON objects with a ``type``; a ``start`` frame's token and conversation id follow the
same login rules as REST; a bad frame gets an ``error`` frame and the socket stays open, while an
authorisation failure (an ``HTTPException`` from the token and ownership checks) also closes it
with 4000 + the HTTP status."""
from __future__ import annotations

import json
import math
from typing import Any

from fastapi import HTTPException, WebSocket
from starlette.concurrency import run_in_threadpool

from bot.conversations.store import Conversation
from bot.deps import customer_from_token, open_conversation
from bot.gateway.messages import MessageRejected


def _finite(number: str) -> float:
    value = float(number)
    if not math.isfinite(value):
        raise ValueError("number out of range")
    return value


def parse_frame(raw: str, max_bytes: int) -> dict[str, Any]:
    """One client frame as a dict, or ``MessageRejected`` saying what is wrong with it: not
    JSON, nested past the parser's depth, numbers out of range, text that is not Unicode."""
    if len(raw.encode(errors="surrogatepass")) > max_bytes:
        raise MessageRejected(413, f"frame larger than {max_bytes} bytes")
    try:
        frame = json.loads(raw, parse_float=_finite)
        json.dumps(frame, ensure_ascii=False).encode()  # lone surrogates from "\ud800" escapes
    except (ValueError, RecursionError):
        raise MessageRejected(422, "frame is not valid JSON") from None
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        raise MessageRejected(422, "frame must be an object with a 'type'")
    return frame


async def receive_frame(ws: WebSocket, max_bytes: int) -> dict[str, Any] | None:
    """The next JSON text frame (``MessageRejected`` for a binary one); None once the client left."""
    message = await ws.receive()
    if message["type"] == "websocket.disconnect":
        return None
    if message.get("text") is None:
        raise MessageRejected(422, "frames are JSON text, not binary")
    return parse_frame(message["text"], max_bytes)


def text_field(frame: dict[str, Any], key: str) -> str | None:
    """A field that must be text when present (a token, an id, a message)."""
    value = frame.get(key)
    if value is not None and not isinstance(value, str):
        raise MessageRejected(422, f"'{key}' must be a string")
    return value


async def conversation_for_frame(ws: WebSocket, frame: dict[str, Any], channel: str) -> Conversation:
    """The conversation a ``start`` frame names (checked against its token), or a new one."""
    state = ws.app.state
    customer_id = await run_in_threadpool(customer_from_token, text_field(frame, "token") or None, state.tokens)
    conversation_id = text_field(frame, "conversation_id")
    if conversation_id:
        return await run_in_threadpool(open_conversation, state.conversations, conversation_id, customer_id)
    return await run_in_threadpool(state.conversations.create, channel, customer_id)


async def still_allowed(ws: WebSocket, conversation_id: str, token: str | None) -> Conversation:
    """The conversation as it is now, checked against the socket's token before each turn: a
    logged-out or expired token, or a conversation bound to a customer since, needs it again
    (``HTTPException`` 401/403, which closes the socket)."""
    state = ws.app.state
    customer_id = await run_in_threadpool(customer_from_token, token, state.tokens)
    return await run_in_threadpool(open_conversation, state.conversations, conversation_id, customer_id)


def session_token(replies: list[dict[str, Any]]) -> str | None:
    """The credential a turn handed out (the customer identified in this conversation)."""
    return next((r["custom"]["session"]["token"] for r in replies
                 if isinstance(r.get("custom"), dict) and "session" in r["custom"]), None)


async def refuse_frame(ws: WebSocket, exc: MessageRejected | HTTPException) -> bool:
    """Tell the client why its frame was refused; True when the socket had to be closed."""
    await ws.send_json({"type": "error", "detail": exc.detail})
    if isinstance(exc, HTTPException):
        await ws.close(code=4000 + exc.status_code, reason=str(exc.detail)[:120])
        return True
    return False
