"""Start conversations and read their transcripts."""
from __future__ import annotations

from fastapi import APIRouter, Depends, status

from bot.conversations.store import ConversationStore
from bot.deps import get_conversations, open_conversation, optional_customer
from bot.gateway.schemas import (
    ConversationOut,
    NewConversationRequest,
    TranscriptOut,
    TurnOut,
)

router = APIRouter(prefix="/api/conversations", tags=["conversations"])


@router.post("", response_model=ConversationOut, status_code=status.HTTP_201_CREATED)
def start_conversation(
    body: NewConversationRequest | None = None,
    customer_id: int | None = Depends(optional_customer),
    store: ConversationStore = Depends(get_conversations),
) -> ConversationOut:
    """Start a conversation; with a session token it is bound to that customer."""
    conversation = store.create((body or NewConversationRequest()).channel, customer_id)
    return ConversationOut(conversation_id=conversation.id, channel=conversation.channel,
                           authenticated=customer_id is not None)


@router.get("/{conversation_id}/transcript", response_model=TranscriptOut,
            responses={403: {"description": "another customer's conversation"},
                       404: {"description": "unknown conversation"}})
def read_transcript(
    conversation_id: str,
    customer_id: int | None = Depends(optional_customer),
    store: ConversationStore = Depends(get_conversations),
) -> TranscriptOut:
    """Every turn of the conversation: who, text, time, channel, NLU result and bot replies."""
    conversation = open_conversation(store, conversation_id, customer_id)
    turns = [TurnOut(**turn.__dict__) for turn in store.turns(conversation.id)]
    return TranscriptOut(conversation_id=conversation.id, turns=turns)
