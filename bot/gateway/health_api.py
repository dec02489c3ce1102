"""Liveness and readiness probes for operators and load balancers."""
from __future__ import annotations

from fastapi import APIRouter, Request, Response, status
from sqlalchemy import text

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "a dependency is not ready"}})
async def readyz(request: Request, response: Response) -> dict[str, bool]:
    """Ready when Rasa answers with a model, the NLU model is loaded and the database answers."""
    state = request.app.state
    checks = {"rasa": await state.rasa.is_ready(), "nlu": state.nlu is not None}
    try:
        with state.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = True
    except Exception:  # any driver error means not ready
        checks["database"] = False
    if not all(checks.values()):
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return checks
