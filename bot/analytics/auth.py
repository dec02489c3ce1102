"""Who may read the analytics: supervisors, with their hand-off agent account, and machines.

A person logs in at ``POST /api/analytics/login`` with the agent account from
``data/handoff/agents.yml``; only role ``supervisor`` gets a token (an ``agent`` gets 403), and
the token is the ordinary agent bearer token, checked against the same table on every request.
Logging in here does not make the supervisor available for hand-offs. Scripts (Prometheus-like
scrapers) may instead send ``BANKBOT_OPERATOR_TOKEN`` when one is configured.
"""
from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from handoff.agent_api import LoginIn
from handoff.agent_auth import LOCKED_OUT, get_desk, guarded_login
from handoff.desk import HandoffDesk

supervisor_bearer = HTTPBearer(auto_error=False, description="a token from POST /api/analytics/login "
                               "(supervisor account), or BANKBOT_OPERATOR_TOKEN for scripts")
router = APIRouter(prefix="/api/analytics", tags=["analytics"])
OPERATOR = "operator"


async def require_supervisor(request: Request, desk: HandoffDesk = Depends(get_desk),
                             creds: HTTPAuthorizationCredentials | None = Depends(supervisor_bearer)) -> str:
    """The caller's username (``operator`` for the machine token); 401 without a valid token,
    403 for an agent who is not a supervisor."""
    token = creds.credentials if creds else ""
    operator = request.app.state.settings.operator_token
    if token and operator and secrets.compare_digest(token.encode(), operator.encode()):
        return OPERATOR
    agent = await run_in_threadpool(desk.agents.by_token, token) if token else None
    if agent is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "supervisor login required",
                            headers={"WWW-Authenticate": "Bearer"})
    if not agent.is_supervisor:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "analytics are for supervisors only")
    return agent.username


class SupervisorLoginOut(BaseModel):
    token: str
    username: str
    display_name: str


@router.post("/login", response_model=SupervisorLoginOut,
             responses={401: {"description": "wrong username or password"},
                        403: {"description": "not a supervisor"}, **LOCKED_OUT})
async def supervisor_login(body: LoginIn, request: Request,
                           desk: HandoffDesk = Depends(get_desk)) -> SupervisorLoginOut:
    """Exchange a supervisor's agent credentials for a bearer token for the analytics and the
    dashboard (the account's presence in the agent queue is left as it is). Audited; failed
    logins count against the account as at the agent console (429 past the limit)."""
    result = await guarded_login(request, f"agent:{body.username.lower()}",
                                 lambda: desk.agents.login(body.username, body.password, available=False))
    if result is None:
        await run_in_threadpool(desk.audit.record, None, "analytics_login", "denied",
                                detail={"username": body.username})
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong username or password")
    token, agent = result
    if not agent.is_supervisor:
        await run_in_threadpool(desk.agents.logout, token)
        await run_in_threadpool(desk.audit.record, agent.id, "analytics_login", "denied",
                                detail={"why": "not a supervisor"})
        raise HTTPException(status.HTTP_403_FORBIDDEN, "analytics are for supervisors only")
    await run_in_threadpool(desk.audit.record, agent.id, "analytics_login", "ok")
    return SupervisorLoginOut(token=token, username=agent.username, display_name=agent.display_name)
