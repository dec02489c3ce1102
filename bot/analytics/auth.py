"""Supervisor access to analytics: a bearer operator token from settings (``BANKBOT_OPERATOR_TOKEN``).

A stop-gap until supervisors log in through the hand-off agent accounts; with no token configured
the analytics stay closed (503) rather than open.
"""
from __future__ import annotations

import secrets

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

operator_bearer = HTTPBearer(auto_error=False, description="BANKBOT_OPERATOR_TOKEN")


def require_operator(request: Request,
                     creds: HTTPAuthorizationCredentials | None = Depends(operator_bearer)) -> None:
    expected = request.app.state.settings.operator_token
    if not expected:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE,
                            "analytics are disabled: set BANKBOT_OPERATOR_TOKEN")
    if creds is None or not secrets.compare_digest(creds.credentials.encode(), expected.encode()):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "operator token required",
                            headers={"WWW-Authenticate": "Bearer"})
