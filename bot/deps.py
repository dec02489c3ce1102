"""FastAPI dependencies: stores and services from ``app.state``, and the calling customer."""
from __future__ import annotations

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.datastructures import Address

from bot.bankcore.port import BankCore
from bot.conversations.store import Conversation, ConversationStore, UnknownConversation
from bot.conversations.tokens import TokenStore
from bot.settings import Settings

bearer = HTTPBearer(auto_error=False, description="session token from POST /api/auth/login")


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_conversations(request: Request) -> ConversationStore:
    return request.app.state.conversations


def get_tokens(request: Request) -> TokenStore:
    return request.app.state.tokens


def get_bankcore(request: Request) -> BankCore:
    return request.app.state.bankcore


def source_address(client: Address | None) -> str | None:
    """The caller's address, which identification lock-outs count per (``AttemptGuard`` stores
    only a digest of it)."""
    return client.host if client and client.host else None


def customer_from_token(token: str | None, tokens: TokenStore) -> int | None:
    """None for anonymous callers; 401 for a token that is unknown or expired."""
    if token is None:
        return None
    customer_id = tokens.resolve(token)
    if customer_id is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid or expired session token")
    return customer_id


def optional_customer(
    creds: HTTPAuthorizationCredentials | None = Depends(bearer),
    tokens: TokenStore = Depends(get_tokens),
) -> int | None:
    return customer_from_token(creds.credentials if creds else None, tokens)


def require_customer(customer_id: int | None = Depends(optional_customer)) -> int:
    if customer_id is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "log in first: POST /api/auth/login")
    return customer_id


def open_conversation(
    store: ConversationStore, conversation_id: str, customer_id: int | None
) -> Conversation:
    """Load a conversation the caller may use; a logged-in caller claims an anonymous one.

    A conversation bound to a customer (by login, or by identification inside it, after which the
    client was given a session token) only accepts that customer's token, so a leaked
    conversation id never exposes account data: without one, 401; with another's, 403.
    """
    try:
        conversation = store.get(conversation_id)
    except UnknownConversation:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            "unknown conversation id; start one with POST /api/conversations",
        ) from None
    if conversation.customer_id is not None and customer_id is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "this conversation needs its session token",
                            headers={"WWW-Authenticate": "Bearer"})
    if conversation.customer_id not in (None, customer_id):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this conversation belongs to another customer")
    if conversation.customer_id is None and customer_id is not None:
        conversation = store.bind_customer(conversation.id, customer_id)
    return conversation
