"""Shared-secret check for the endpoints only Rasa may call (NLU parse, action webhook).

Rasa sends the token from endpoints.yml: as the ``token`` query parameter on action calls and as a
``token`` field in the JSON body of NLU parse calls.
"""
from __future__ import annotations

import secrets

from fastapi import HTTPException, Request, status


async def require_internal_token(request: Request) -> None:
    expected: str = request.app.state.settings.internal_token
    supplied = request.query_params.get("token")
    if supplied is None and request.method == "POST":
        try:
            body = await request.json()
        except ValueError:
            body = None
        supplied = body.get("token") if isinstance(body, dict) else None
    if not isinstance(supplied, str) or not secrets.compare_digest(
            supplied.encode("utf-8", "surrogatepass"), expected.encode()):  # any text, compared in constant time
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "internal endpoint: missing or wrong token")
