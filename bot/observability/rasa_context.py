"""Tag log lines written while running a Rasa custom action with the conversation id.

Rasa calls ``POST /actions/webhook`` outside any gateway turn, so the contextvar is empty there;
the action call names its conversation in ``sender_id``. The body is read once here (a cheap
search, not a JSON parse of the whole tracker and domain) and replayed to the route unchanged.
"""
from __future__ import annotations

import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.observability.logs import conversation_context

_SENDER = re.compile(rb'"sender_id"\s*:\s*"([^"\\]{1,128})"')
ACTION_PATH = "/actions/webhook"


class ActionConversationMiddleware:
    """Pure ASGI middleware for the action webhook path only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != ACTION_PATH:
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":  # client went away: let the route see it
                await self.app(scope, _replay([message], receive), send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replay = _replay([{"type": "http.request", "body": body, "more_body": False}], receive)
        match = _SENDER.search(body)
        if match is None:
            await self.app(scope, replay, send)
            return
        with conversation_context(match.group(1).decode("utf-8", "replace")):
            await self.app(scope, replay, send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    async def replayed() -> Message:
        return messages.pop(0) if messages else await receive()
    return replayed
