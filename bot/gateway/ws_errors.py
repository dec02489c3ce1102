"""How both customer WebSockets (/ws/chat, /ws/voice) refuse a frame, so clients see one protocol:
a bad frame gets an ``error`` frame and the socket stays open; an authorisation failure (an
``HTTPException`` from the token and ownership checks) also closes it with 4000 + the HTTP status."""
from __future__ import annotations

from fastapi import HTTPException, WebSocket

from bot.gateway.messages import MessageRejected


async def refuse_frame(ws: WebSocket, exc: MessageRejected | HTTPException) -> bool:
    """Tell the client why its frame was refused; True when the socket had to be closed."""
    await ws.send_json({"type": "error", "detail": exc.detail})
    if isinstance(exc, HTTPException):
        await ws.close(code=4000 + exc.status_code, reason=str(exc.detail)[:120])
        return True
    return False
