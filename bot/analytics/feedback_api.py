"""Customer feedback and complaint routes on a conversation (same access rule as chatting in it).

``GET .../feedback/prompt`` tells a chat page what is still unanswered (CSAT always, NPS on the
configured sample; the dialogue asks the same questions itself, see ``bot.analytics.survey``);
``POST .../feedback`` stores the answers; ``POST .../complaints`` opens a case.
"""
from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request, status
from pydantic import BaseModel, Field, StrictInt
from starlette.concurrency import run_in_threadpool

from bot.analytics.feedback import (
    ComplaintStore,
    FeedbackRejected,
    FeedbackStore,
    nps_sampled,
)
from bot.analytics.survey import CSAT_QUESTION, NPS_QUESTION
from bot.conversations.store import Conversation, ConversationStore
from bot.deps import get_conversations, open_conversation, optional_customer

router = APIRouter(prefix="/api/conversations", tags=["feedback"],
                   responses={401: {"description": "invalid token"},
                              403: {"description": "another customer's conversation"},
                              404: {"description": "unknown conversation"}})


async def conversation(conversation_id: str, customer_id: int | None = Depends(optional_customer),
                       store: ConversationStore = Depends(get_conversations)) -> Conversation:
    return await run_in_threadpool(open_conversation, store, conversation_id, customer_id)


def feedback_store(request: Request) -> FeedbackStore:
    return request.app.state.feedback


def complaint_store(request: Request) -> ComplaintStore:
    return request.app.state.complaints


class FeedbackIn(BaseModel):
    csat: StrictInt | None = Field(None, description="1-5 satisfaction")
    nps: StrictInt | None = Field(None, description="0-10 likelihood to recommend (when asked)")
    comment: str | None = None


class FeedbackOut(BaseModel):
    conversation_id: str
    csat: int | None
    nps: int | None
    comment: str | None


class PromptOut(BaseModel):
    csat_question: str | None
    nps_question: str | None


class ComplaintIn(BaseModel):
    product: str = Field(description="slug, e.g. credit_card, current_account, mortgage")
    cause: str = Field(description="slug, e.g. fees, service, fraud, delay")
    description: str | None = None


class ComplaintOut(BaseModel):
    id: int
    conversation_id: str
    product: str
    channel: str
    cause: str
    status: str


def _reject(exc: FeedbackRejected) -> HTTPException:
    return HTTPException(exc.status, exc.detail)


@router.get("/{conversation_id}/feedback/prompt", response_model=PromptOut)
async def feedback_prompt(request: Request, conv: Conversation = Depends(conversation),
                          store: FeedbackStore = Depends(feedback_store)) -> PromptOut:
    """The questions still to ask at the end of this conversation (null once answered)."""
    given = await run_in_threadpool(store.get, conv.id)
    sampled = nps_sampled(conv.id, request.app.state.settings.nps_sample_rate)
    return PromptOut(csat_question=None if given and given.csat is not None else CSAT_QUESTION,
                     nps_question=NPS_QUESTION if sampled and not (given and given.nps is not None) else None)


@router.post("/{conversation_id}/feedback", response_model=FeedbackOut, status_code=status.HTTP_201_CREATED,
             responses={409: {"description": "already answered"}, 422: {"description": "score out of range"}})
async def give_feedback(body: FeedbackIn, conv: Conversation = Depends(conversation),
                        store: FeedbackStore = Depends(feedback_store)) -> FeedbackOut:
    """Store a 1-5 satisfaction score with optional comment, and/or a 0-10 NPS answer."""
    try:
        saved = await run_in_threadpool(store.submit, conv.id, body.csat, body.nps, body.comment)
    except FeedbackRejected as exc:
        raise _reject(exc) from None
    return FeedbackOut(**saved.__dict__)


@router.post("/{conversation_id}/complaints", response_model=ComplaintOut, status_code=status.HTTP_201_CREATED,
             responses={422: {"description": "product or cause is not a short slug"}})
async def record_complaint(body: ComplaintIn, conv: Conversation = Depends(conversation),
                           store: ComplaintStore = Depends(complaint_store)) -> ComplaintOut:
    """Open a complaint case for this conversation (its channel is taken from the conversation)."""
    try:
        case = await run_in_threadpool(store.record, conv.id, body.product, body.cause, body.description)
    except FeedbackRejected as exc:
        raise _reject(exc) from None
    return ComplaintOut(**case.__dict__)
