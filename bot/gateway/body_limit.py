"""Reject oversized request bodies before anything reads or stores them."""
from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(Exception):
    pass


class BodyLimitMiddleware:
    """413 for HTTP bodies over the limit, whether or not Content-Length is declared.

    Rasa's calls to the internal endpoints carry whole trackers and domains, so paths under
    ``internal_prefixes`` get ``internal_max_bytes`` instead of the customer-facing limit.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, internal_max_bytes: int,
                 internal_prefixes: tuple[str, ...] = ("/actions/", "/nlu/")) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.internal_max_bytes = internal_max_bytes
        self.internal_prefixes = internal_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        internal = scope["path"].startswith(self.internal_prefixes)
        limit = self.internal_max_bytes if internal else self.max_bytes
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._reject(send, limit)
            return
        seen = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not response_started:
                await self._reject(send, limit)

    async def _reject(self, send: Send, limit: int) -> None:
        body = json.dumps({"detail": f"request body larger than {limit} bytes"}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
