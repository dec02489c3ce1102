"""Rasa-compatible REST channel: ``POST /webhooks/rest/webhook``."""
from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from bot.conversations.store import ConversationStore
from bot.deps import (
    get_app_settings,
    get_conversations,
    open_conversation,
    optional_customer,
    source_address,
)
from bot.gateway.messages import MessageRejected, clean_message
from bot.gateway.schemas import BotMessage, RestMessage
from bot.gateway.turns import TurnService
from bot.settings import Settings

router = APIRouter(tags=["chat"])


def get_turns(request: Request) -> TurnService:
    return request.app.state.turns


@router.post(
    "/webhooks/rest/webhook",
    response_model=list[BotMessage],
    responses={401: {"description": "invalid token"}, 403: {"description": "not your conversation"},
               404: {"description": "unknown sender"}, 413: {"description": "too large"},
               422: {"description": "malformed or empty message"}},
)
async def rest_webhook(
    body: RestMessage,
    request: Request,
    customer_id: int | None = Depends(optional_customer),
    store: ConversationStore = Depends(get_conversations),
    turns: TurnService = Depends(get_turns),
    settings: Settings = Depends(get_app_settings),
) -> list[dict]:
    """Send one customer message (``sender`` = conversation id) and get the bot's replies."""
    try:
        text = clean_message(body.message, settings.max_message_chars)
    except MessageRejected as exc:
        raise HTTPException(exc.status, exc.detail) from None
    conversation = await run_in_threadpool(open_conversation, store, body.sender, customer_id)
    return await turns.handle(conversation, text, "rest", source_address(request.client))
