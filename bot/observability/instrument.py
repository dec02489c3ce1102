"""Hooks that feed metrics and logs from the running product without changing its modules.

``ObservedTurnService`` and ``ObservedRasaClient`` are drop-in subclasses the app factory builds
instead of the plain ones; ``StageTimingMiddleware`` times the NLU and action endpoints Rasa calls.
"""
from __future__ import annotations

import time
from contextvars import ContextVar
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.analytics.complaints import ComplaintRecogniser
from bot.analytics.survey import FeedbackSurvey, is_survey_turn
from bot.analytics.timings import ResponseTimes
from bot.conversations.store import Conversation, ConversationStore
from bot.gateway.handoff_gate import HandoffGate
from bot.gateway.turns import Secrets, TurnService
from bot.observability.logs import conversation_context
from bot.observability.metrics import Metrics
from bot.rasa.client import RasaClient, RasaUnavailable

STAGE_BY_PATH = {"/nlu/model/parse": "nlu", "/actions/webhook": "actions"}
_latest_parse: ContextVar[dict[str, Any] | None] = ContextVar("latest_parse", default=None)


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

    async def latest_message(self, sender: str) -> dict[str, Any]:
        """Rasa's parse of the turn, also kept for the observed turn (complaint recognition)."""
        parse = await super().latest_message(sender)
        _latest_parse.set(parse)
        return parse


class ObservedTurnService(TurnService):
    """Tags logs with the conversation id, times the whole turn, records the response time and
    opens complaint cases when ``complaints`` is set."""

    complaints: ComplaintRecogniser | None = None

    def __init__(self, store: ConversationStore, rasa: RasaClient, metrics: Metrics,
                 timings: ResponseTimes, handoff: HandoffGate | None = None,
                 survey: FeedbackSurvey | None = None, secrets: Secrets | None = None) -> None:
        super().__init__(store, rasa, handoff, survey, secrets)
        self._metrics = metrics
        self._timings = timings

    async def handle(self, conversation: Conversation, text: str, channel: str,
                     source: str | None = None) -> list[dict[str, Any]]:
        with conversation_context(conversation.id):
            _latest_parse.set(None)
            started = time.perf_counter()
            try:
                replies = await super().handle(conversation, text, channel, source)
            except Exception:
                self._metrics.errors.labels("turn").inc()
                raise
            elapsed = time.perf_counter() - started
            self._metrics.stage_seconds.labels("gateway_turn").observe(elapsed)
            self._metrics.turns.labels(channel).inc()
            # no replies: the message went to the agent; survey answers are not the dialogue's speed
            if replies and not is_survey_turn(replies):
                await run_in_threadpool(self._timings.record, conversation.id, channel, elapsed)
            parse = _latest_parse.get()
            if parse and self.complaints:
                await run_in_threadpool(self.complaints.observe, conversation.id, parse, text)
            return replies


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
