"""Supervisor analytics API (``/api/analytics/*``, supervisor login or operator token, see
``bot.analytics.auth``): figures, missed questions, teaching."""
from __future__ import annotations

from datetime import date
from typing import Any, Callable

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status
from pydantic import BaseModel, Field
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

from bot.analytics import queries
from bot.analytics.auth import require_supervisor
from bot.analytics.missed import TeachRejected, cluster_messages, teach_example
from bot.analytics.sql import Window
from bot.observability.pii import mask_pii

router = APIRouter(prefix="/api/analytics", tags=["analytics"], dependencies=[Depends(require_supervisor)],
                   responses={401: {"description": "no valid supervisor or operator token"},
                              403: {"description": "an agent who is not a supervisor"}})
MISSED_LIMIT = 500


def window(start: date | None = Query(None, description="first UTC day (inclusive)"),
           end: date | None = Query(None, description="last UTC day (inclusive)"),
           channel: str | None = Query(None, max_length=16)) -> Window:
    if start and end and end < start:
        raise HTTPException(422, "end is before start")
    return Window(start, end, channel)


async def _read(request: Request, query: Callable[[Connection], Any]) -> Any:
    def run() -> Any:
        with request.app.state.engine.connect() as conn:
            return query(conn)
    return await run_in_threadpool(run)


@router.get("/summary")
async def summary(request: Request, w: Window = Depends(window)) -> dict[str, Any]:
    """Every dashboard figure at once: overview, per day, per channel, hand-offs, agents, intents,
    unrecognised messages (masked), sentiment and complaints."""
    result = await _read(request, lambda c: queries.summary(c, w))
    result["unrecognised"] = _masked(result["unrecognised"])
    return result


@router.get("/overview")
async def overview(request: Request, w: Window = Depends(window)) -> dict[str, Any]:
    """Containment, hand-off, resolution and fallback rates, CSAT, NPS, first/average response time."""
    return (await _read(request, lambda c: queries.outcome_figures(c, w))).get("all", {"conversations": 0})


@router.get("/daily")
async def daily(request: Request, w: Window = Depends(window)) -> dict[str, dict[str, Any]]:
    """The overview figures per UTC day."""
    return await _read(request, lambda c: queries.outcome_figures(c, w, "day"))


@router.get("/channels")
async def channels(request: Request, w: Window = Depends(window)) -> dict[str, dict[str, Any]]:
    """The overview figures per channel."""
    return await _read(request, lambda c: queries.outcome_figures(c, w, "channel"))


@router.get("/handoffs")
async def handoffs(request: Request, w: Window = Depends(window)) -> dict[str, Any]:
    """Hand-off reasons and outcomes (dispositions), queue wait, and per agent: wait, first
    response (claim to first message) and handle time."""
    return await _read(request, lambda c: {"reasons": queries.handoff_reasons(c, w),
                                           "outcomes": queries.handoff_outcomes(c, w),
                                           "queue": queries.queue_wait(c, w),
                                           "agents": queries.agent_figures(c, w)})


@router.get("/intents")
async def intents(request: Request, w: Window = Depends(window),
                  limit: int = Query(10, ge=1, le=100)) -> dict[str, list[dict[str, Any]]]:
    """Top understood intents and top unrecognised messages (masked): what to teach next."""
    return await _read(request, lambda c: {
        "top_intents": queries.top_intents(c, w, limit),
        "unrecognised": _masked(queries.unrecognised_messages(c, w, limit))})


@router.get("/sentiment")
async def sentiment(request: Request, w: Window = Depends(window)) -> list[dict[str, Any]]:
    """Customer messages per sentiment label."""
    return await _read(request, lambda c: queries.sentiment_distribution(c, w))


@router.get("/complaints")
async def complaints(request: Request, w: Window = Depends(window)) -> dict[str, Any]:
    """Complaint cases by product, channel and cause."""
    return await _read(request, lambda c: queries.complaint_figures(c, w))


@router.get("/missed-questions")
async def missed_questions(request: Request, w: Window = Depends(window)) -> list[dict[str, Any]]:
    """Unrecognised and fallback messages (masked) grouped by meaning, biggest group first."""
    from nlu.encoder import load_encoder

    settings = request.app.state.settings
    messages = await _read(request, lambda c: queries.unrecognised_messages(c, w, MISSED_LIMIT))

    def embed(texts: list[str]):
        return load_encoder(settings.encoder_model).encode(texts, normalize_embeddings=True)

    return await run_in_threadpool(cluster_messages, messages, embed)


class TeachIn(BaseModel):
    text: str = Field(min_length=1, max_length=300)
    intent: str = Field(min_length=1, max_length=64)


@router.post("/missed-questions/learn", status_code=status.HTTP_201_CREATED,
             responses={200: {"description": "already a training example"},
                        422: {"description": "unknown intent, or personal data in the text"}})
async def learn(body: TeachIn, request: Request, response: Response) -> dict[str, Any]:
    """Append the message as a training example of ``intent`` to ``data/nlu/learned.yml``
    (Rasa NLU YAML) for the next ``bankbot train``."""
    state = request.app.state
    path = state.settings.data_dir / "nlu" / "learned.yml"
    try:
        added = await run_in_threadpool(teach_example, path, body.text, body.intent, state.nlu.intents)
    except TeachRejected as exc:
        raise HTTPException(422, str(exc)) from None
    if not added:
        response.status_code = status.HTTP_200_OK
    return {"added": added, "file": "data/nlu/learned.yml", "intent": body.intent}


@router.get("/intent-names")
async def intent_names(request: Request) -> list[str]:
    """The intents a missed question can be taught as."""
    return sorted(i for i in request.app.state.nlu.intents if i != "nlu_fallback")


def _masked(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**r, "text": mask_pii(r["text"])} for r in rows]
