"""Hooks that feed metrics from the running product without changing its modules.

``TurnMetrics`` is one of the turn pipeline's observers; ``ObservedRasaClient`` is a drop-in
subclass the app factory builds instead of the plain client; ``StageTimingMiddleware`` times the
NLU and action endpoints Rasa calls.
"""
from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from bot.conversations.observers import TurnRecord
from bot.observability.metrics import Metrics
from bot.rasa.client import RasaClient, RasaUnavailable

STAGE_BY_PATH = {"/nlu/model/parse": "nlu", "/actions/webhook": "actions"}


class ObservedRasaClient(RasaClient):
    """Times Rasa's turn processing and counts its failures."""

    def __init__(self, base_url: str, timeout_s: float, token: str, metrics: Metrics) -> None:
        super().__init__(base_url, timeout_s, token)
        self._metrics = metrics

    async def send(self, sender: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        with self._metrics.time("rasa"):
            try:
                return await super().send(sender, text, metadata)
            except RasaUnavailable:
                self._metrics.errors.labels("rasa_unavailable").inc()
                raise

class TurnMetrics:
    """Counts turns per channel, times the whole gateway turn and counts turns that failed."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    async def turn_done(self, record: TurnRecord) -> None:
        if record.failed:
            self._metrics.errors.labels("turn").inc()
            return
        self._metrics.stage_seconds.labels("gateway_turn").observe(record.seconds)
        self._metrics.turns.labels(record.channel).inc()


class StageTimingMiddleware:
    """Pure ASGI middleware: latency of the NLU/action endpoints, and a count of 5xx responses."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        stage = STAGE_BY_PATH.get(scope["path"])

        async def watch(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and message["status"] >= 500:
                self.metrics.errors.labels("http_5xx").inc()
            await send(message)

        try:
            if stage is None:
                await self.app(scope, receive, watch)
                return
            with self.metrics.time(stage):
                await self.app(scope, receive, watch)
        except Exception:  # unhandled: the server's error middleware outside us answers 500
            self.metrics.errors.labels("http_5xx").inc()
            raise
