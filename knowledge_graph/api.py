"""HTTP access to the knowledge answerer (``POST /knowledge/answer``) for the gateway and tools."""
from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

router = APIRouter(prefix="/knowledge", tags=["knowledge"])


class Entity(BaseModel):
    entity: str = Field(description="entity type as NLU names it, e.g. 'card'")
    value: Any = Field(description="the normalised value, e.g. 'platinum'")


class AnswerRequest(BaseModel):
    text: str = Field(min_length=1, max_length=2000, description="the customer's question")
    intent: str | None = Field(default=None, description="top NLU intent, used to re-rank FAQs")
    entities: list[Entity] = Field(default_factory=list)


class CandidateOut(BaseModel):
    id: str
    question: str
    score: float


class AnswerResponse(BaseModel):
    text: str
    sources: list[str] = Field(description="graph node ids or FAQ ids the answer came from")
    kind: Literal["graph", "faq", "clarify", "not_offered"]
    candidates: list[CandidateOut] = Field(description="nearest FAQs (offered back when clarifying)")


@router.post("/answer", response_model=AnswerResponse, responses={503: {"description": "knowledge not loaded"}})
async def answer(body: AnswerRequest, request: Request) -> AnswerResponse:
    """Answer a banking question from the knowledge graph or the FAQ, with its sources."""
    answerer = getattr(request.app.state, "knowledge", None)
    if answerer is None:
        raise HTTPException(status_code=503, detail="knowledge base is not loaded")
    result = await run_in_threadpool(answerer.answer, body.text, body.intent,
                                     [e.model_dump() for e in body.entities])
    return AnswerResponse(text=result.text, sources=result.sources, kind=result.kind,
                          candidates=[CandidateOut(id=c.id, question=c.question, score=c.score)
                                      for c in result.candidates])
