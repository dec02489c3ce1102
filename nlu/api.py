"""Rasa's external NLU contract: Rasa's RasaNLUHttpInterpreter POSTs here for every user message.

endpoints.yml: ``nlu: {url: http://127.0.0.1:8000/nlu}`` -> Rasa posts
``{"token", "text", "message_id"}`` to ``/nlu/model/parse`` and uses the returned parse dict.
"""
from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from nlu.service import NluService

router = APIRouter(prefix="/nlu", tags=["nlu"])


class ParseRequest(BaseModel):
    """What Rasa sends; ``text`` may be empty and is truncated by the service, never rejected."""

    text: str | None = Field(default="", max_length=100_000)
    message_id: str | None = Field(default=None, description="Rasa's sender id")
    token: str | None = Field(default=None, description="endpoints.yml token; unused here")


class IntentScore(BaseModel):
    name: str
    confidence: float


class Sentiment(BaseModel):
    label: str = Field(description="negative, neutral or positive")
    confidence: float
    scores: dict[str, float]
    frustration: float = Field(ge=0.0, le=1.0, description="how annoyed the customer sounds")


class ParseResult(BaseModel):
    """Rasa's parse format plus ``out_of_scope`` (probability the message is not for a bank),
    ``sentiment``, and the message read as an answer (``answer``: yes/no, ``cancel``)."""

    model_config = ConfigDict(extra="allow")

    text: str
    intent: IntentScore
    intent_ranking: list[IntentScore]
    entities: list[dict]
    out_of_scope: float
    sentiment: Sentiment
    answer: Literal["yes", "no"] | None = Field(default=None, description="read as the answer to a yes/no question")
    cancel: bool = Field(default=False, description="asks to stop what is under way")


def get_nlu_service(request: Request) -> NluService:
    """The NluService the app factory put on ``app.state.nlu``; 503 while it is not loaded."""
    service = getattr(request.app.state, "nlu", None)
    if service is None:
        raise HTTPException(status_code=503, detail="NLU model is not loaded yet")
    return service


@router.post("/model/parse", response_model=ParseResult)
async def parse(body: ParseRequest, nlu: NluService = Depends(get_nlu_service)) -> dict:
    """Classify one message in Rasa's parse format (intent, intent_ranking, entities)."""
    return await run_in_threadpool(nlu.parse, body.text or "", body.message_id)
