"""Metrics in Prometheus format: per-stage histograms, turns, errors and hand-offs from the database."""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from bot.db import create_all, make_engine, make_session_factory
from bot.observability import api as metrics_api
from bot.observability.instrument import StageTimingMiddleware
from bot.observability.metrics import STAGES, Metrics
from handoff.models import QueueEntry


def samples(client: TestClient) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.text) for s in family.samples}


def test_stages_handoffs_queue_and_errors(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    create_all(engine)
    with make_session_factory(engine).begin() as s:
        for cid, reason, status in (("a", "customer_request", "waiting"), ("b", "frustration", "resolved"),
                                    ("c", "customer_request", "waiting")):
            s.add(QueueEntry(conversation_id=cid, reason=reason, priority=1, rank=1, status=status,
                             created_at=1.0, enqueued_at=1.0))
    metrics = Metrics()
    metrics.watch_handoffs(engine)
    metrics.watch_handoffs(engine)  # a second lifespan must not register twice
    app = FastAPI()
    app.state.metrics = metrics
    app.add_middleware(StageTimingMiddleware, metrics=metrics)
    app.include_router(metrics_api.router)

    @app.post("/nlu/model/parse")
    async def parse() -> dict:
        return {}

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("boom")

    client = TestClient(app, raise_server_exceptions=False)
    client.post("/nlu/model/parse")
    client.get("/boom")
    with metrics.time("asr"):
        pass
    metrics.turns.labels("rest").inc()
    got = samples(client)
    for stage in STAGES:
        assert ("bankbot_stage_seconds_count", (("stage", stage),)) in got
    assert got[("bankbot_stage_seconds_count", (("stage", "nlu"),))] == 1
    assert got[("bankbot_stage_seconds_count", (("stage", "asr"),))] == 1
    assert got[("bankbot_turns_total", (("channel", "rest"),))] == 1
    assert got[("bankbot_errors_total", (("kind", "http_5xx"),))] == 1
    assert got[("bankbot_handoffs_total", (("reason", "customer_request"),))] == 2
    assert got[("bankbot_handoffs_total", (("reason", "frustration"),))] == 1
    assert got[("bankbot_handoff_queue_length", ())] == 2
    engine.dispose()
