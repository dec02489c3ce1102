"""The customer's side of a hand-off over HTTP: where am I, back to the assistant, call me back.

Same access rule as chatting in the conversation (``bot.deps.open_conversation``): a
conversation bound by login needs its customer's token. The WebSocket frames and the words a
waiting customer types go through the same ``HandoffGate`` methods, so every channel words and
records the outcome alike.
"""
from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Request, status
from pydantic import BaseModel, Field, field_validator
from starlette.concurrency import run_in_threadpool

from bot.conversations.store import Conversation, ConversationStore
from bot.deps import get_conversations, open_conversation, optional_customer
from bot.gateway.handoff_gate import HandoffGate
from handoff.notices import queue_notice
from handoff.queue import is_phone_number

router = APIRouter(prefix="/api/conversations", tags=["hand-off"],
                   responses={401: {"description": "invalid or expired session token"},
                              403: {"description": "another customer's conversation, or a "
                                                   "login-bound one without its customer's token"},
                              404: {"description": "unknown conversation"}})

NOT_IN_HANDOFF = {409: {"description": "the conversation is not waiting for or with an agent"}}


def get_gate(request: Request) -> HandoffGate:
    return request.app.state.handoff_gate


async def conversation(conversation_id: str, customer_id: int | None = Depends(optional_customer),
                       store: ConversationStore = Depends(get_conversations)) -> Conversation:
    return await run_in_threadpool(open_conversation, store, conversation_id, customer_id)


class HandoffStatusOut(BaseModel):
    """Where the conversation stands with the human team; poll it for an updated wait."""

    conversation_id: str
    status: Literal["none", "waiting", "assigned"] = Field(
        description="none: the assistant answers; waiting: in the queue; assigned: an agent has it")
    position: int | None = Field(None, description="place in the queue while waiting (1 = next)")
    estimated_wait_s: float | None = Field(
        None, description="null while no agent is online: a callback is offered instead")
    agents_online: int
    in_hours: bool = Field(description="false outside the team's opening hours")
    text: str = Field(description="what the customer is told now (empty when status is none)")


class CallbackIn(BaseModel):
    phone: str = Field(min_length=6, max_length=24, examples=["+44 7700 900123"],
                       description="digits, spaces, brackets or dashes; an optional leading +")
    preferred_time: str = Field("", max_length=64, examples=["weekdays after 5pm"])
    note: str = Field("", max_length=2000, description="anything the agent should know")

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        if not is_phone_number(value):
            raise ValueError("not a phone number: use digits, spaces, brackets or dashes")
        return value.strip()


class CallbackOut(BaseModel):
    callback_id: int
    conversation_id: str
    text: str = Field(description="the confirmation shown to the customer")


class BackToBotOut(BaseModel):
    conversation_id: str
    text: str = Field(description="the assistant's welcome back")


@router.get("/{conversation_id}/handoff", response_model=HandoffStatusOut)
async def handoff_status(conv: Conversation = Depends(conversation),
                         gate: HandoffGate = Depends(get_gate)) -> HandoffStatusOut:
    """Queue position, estimated wait and opening hours while a person is to take over."""
    now = await gate.desk.status(conv.id)
    text = "" if now.status == "none" else queue_notice(now, gate.desk.policy)
    return HandoffStatusOut(conversation_id=conv.id, status=now.status, position=now.position,
                            estimated_wait_s=now.estimated_wait_s, agents_online=now.agents_online,
                            in_hours=now.in_hours, text=text)


@router.post("/{conversation_id}/handoff/cancel", response_model=BackToBotOut,
             responses=NOT_IN_HANDOFF)
async def cancel_handoff(conv: Conversation = Depends(conversation),
                         gate: HandoffGate = Depends(get_gate)) -> BackToBotOut:
    """Stop waiting for (or leave) the agent and go back to the assistant, which resumes."""
    text = await gate.back_to_bot(conv, conv.channel)
    if text is None:
        raise HTTPException(status.HTTP_409_CONFLICT, "this conversation is not in a hand-off")
    return BackToBotOut(conversation_id=conv.id, text=text)


@router.post("/{conversation_id}/handoff/callback", response_model=CallbackOut,
             status_code=status.HTTP_201_CREATED,
             responses={**NOT_IN_HANDOFF, 422: {"description": "not a phone number"}})
async def request_callback(body: CallbackIn, conv: Conversation = Depends(conversation),
                           gate: HandoffGate = Depends(get_gate)) -> CallbackOut:
    """Leave a callback request instead of waiting; the wait ends and the assistant resumes."""
    done = await gate.leave_callback(conv, conv.channel, body.phone, body.preferred_time, body.note)
    if done is None:
        raise HTTPException(status.HTTP_409_CONFLICT, "this conversation is not in a hand-off")
    callback_id, text = done
    return CallbackOut(callback_id=callback_id, conversation_id=conv.id, text=text)
