"""Pydantic models at the gateway's edges (they document the OpenAPI)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ChannelName = Literal["web", "rest", "websocket", "voice", "cli"]


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class LoginResponse(BaseModel):
    token: str = Field(description="bearer token for Authorization: Bearer <token>")
    expires_at: datetime
    customer_name: str


class NewConversationRequest(BaseModel):
    channel: ChannelName = "rest"


class ConversationOut(BaseModel):
    conversation_id: str = Field(description="use as the Rasa REST 'sender'")
    channel: str
    authenticated: bool


class RestMessage(BaseModel):
    """Rasa's REST channel request body."""

    sender: str = Field(min_length=1, max_length=64, description="conversation id")
    message: str = Field(description="the customer's text")
    metadata: dict[str, Any] | None = Field(default=None, description="ignored; kept for Rasa clients")


class BotMessage(BaseModel):
    """One bot reply in Rasa's REST channel format."""

    model_config = ConfigDict(extra="allow")
    recipient_id: str
    text: str | None = None


class TurnOut(BaseModel):
    seq: int
    speaker: str
    text: str
    channel: str
    created_at: datetime
    nlu: dict[str, Any] | None = None
    meta: dict[str, Any] | None = None


class TranscriptOut(BaseModel):
    conversation_id: str
    turns: list[TurnOut]


class AccountOut(BaseModel):
    id: int
    kind: str
    name: str
    masked_number: str
    currency: str
    balance: Decimal
    available_balance: Decimal
