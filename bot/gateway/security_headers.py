"""Browser protections on every response: no framing (click-jacking the agent console or the
chat), no MIME sniffing, no referrer, and on HTML pages a Content-Security-Policy that lets only
the page's own inline scripts run (by hash) and only this origin be loaded or connected to, so a
message that slipped past escaping still could not run script or send data elsewhere.
"""
from __future__ import annotations

import base64
import hashlib
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.S)
_ALWAYS = [(b"x-frame-options", b"DENY"), (b"x-content-type-options", b"nosniff"),
           (b"referrer-policy", b"no-referrer")]


def content_security_policy(page: bytes) -> bytes:
    """The policy for one HTML page: its inline scripts allowed by hash, nothing else inline."""
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s).digest()).decode()}'"
                      for s in _INLINE_SCRIPT.findall(page))
    return ("default-src 'self'; script-src 'self' " + hashes + "; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
            "form-action 'self'; frame-ancestors 'none'").encode()


class SecurityHeadersMiddleware:
    """Adds the headers above; HTML bodies (small pages) are read whole to hash their scripts."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        body: list[bytes] = []

        async def secured_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), *_ALWAYS]
                message = {**message, "headers": headers}
                if dict(headers).get(b"content-type", b"").startswith(b"text/html"):
                    start = message  # held until the page is complete
                    return
                await send(message)
            elif start is not None and message["type"] == "http.response.body":
                body.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                page = b"".join(body)
                await send({**start, "headers": [*start["headers"],
                                                 (b"content-security-policy", content_security_policy(page))]})
                await send({"type": "http.response.body", "body": page})
            else:
                await send(message)

        await self.app(scope, receive, secured_send)
