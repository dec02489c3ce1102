"""Customer login: demo credentials from the seeded bank give a session token."""
from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials
from starlette.concurrency import run_in_threadpool

from bot.bankcore.port import BankCore
from bot.conversations.tokens import TokenStore
from bot.deps import bearer, get_bankcore, get_tokens
from bot.gateway.schemas import LoginRequest, LoginResponse
from handoff.agent_auth import LOCKED_OUT, guarded_login

router = APIRouter(prefix="/api/auth", tags=["auth"])


@router.post("/login", response_model=LoginResponse,
             responses={401: {"description": "wrong credentials"}, **LOCKED_OUT})
async def login(
    body: LoginRequest,
    request: Request,
    bank: BankCore = Depends(get_bankcore),
    tokens: TokenStore = Depends(get_tokens),
) -> LoginResponse:
    """Exchange a username and password for a session token. Failed logins are counted per
    username and per address (``data/bank/policy.yml``); past the limit the answer is 429."""
    customer = await guarded_login(request, f"customer:{body.username.lower()}",
                                   lambda: bank.authenticate(body.username, body.password))
    if customer is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong username or password")
    token, expires = await run_in_threadpool(tokens.issue, customer.id)
    return LoginResponse(token=token, expires_at=expires, customer_name=customer.full_name)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(
    creds: HTTPAuthorizationCredentials | None = Depends(bearer),
    tokens: TokenStore = Depends(get_tokens),
) -> None:
    """Revoke the presented session token."""
    if creds is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "no session token presented")
    await run_in_threadpool(tokens.revoke, creds.credentials)
