"""Prometheus metrics: turns, per-stage latency, errors, and hand-off figures read from the database.

The registry is per app (on ``app.state.metrics``) so tests and several apps in one process never
share counters. Hand-off totals and queue length come from SQL at scrape time, so every instance
reports the same shared queue and nothing drifts after a restart.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select

STAGES = ("gateway_turn", "nlu", "rasa", "actions", "asr", "tts")
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """The product's metrics; ``time(stage)`` is what other packages (speech: asr/tts) call."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.turns = Counter("bankbot_turns", "Customer turns handled", ["channel"],
                             registry=self.registry)
        self.stage_seconds = Histogram("bankbot_stage_seconds", "Latency of one stage of a turn",
                                       ["stage"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.errors = Counter("bankbot_errors", "Errors by kind", ["kind"], registry=self.registry)
        for stage in STAGES:
            self.stage_seconds.labels(stage)
        self._handoffs: HandoffCollector | None = None

    @contextmanager
    def time(self, stage: str) -> Iterator[None]:
        """Observe the block's duration under ``stage`` (also when it raises)."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.stage_seconds.labels(stage).observe(time.perf_counter() - started)

    def observe(self, stage: str, seconds: float) -> None:
        """Record one stage duration measured elsewhere (speech: ``asr``, ``tts``)."""
        self.stage_seconds.labels(stage).observe(seconds)

    def watch_handoffs(self, engine: Engine) -> None:
        """Report hand-off totals by reason and the waiting queue length from the shared tables."""
        if self._handoffs is not None:  # a restarted lifespan brings a new engine
            self.registry.unregister(self._handoffs)
        self._handoffs = HandoffCollector(engine)
        self.registry.register(self._handoffs)


class HandoffCollector(Collector):
    """Reads ``handoff_queue`` at scrape time."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        from handoff.models import QueueEntry

        total = CounterMetricFamily("bankbot_handoffs", "Hand-offs to a human, by reason",
                                    labels=["reason"])
        waiting = GaugeMetricFamily("bankbot_handoff_queue_length", "Conversations waiting for an agent")
        try:
            with self._engine.connect() as conn:
                for reason, count in conn.execute(
                        select(QueueEntry.reason, func.count()).group_by(QueueEntry.reason)):
                    total.add_metric([reason], count)
                waiting.add_metric([], conn.scalar(
                    select(func.count()).where(QueueEntry.status == "waiting")) or 0)
        except Exception:  # hand-off tables not created yet: report nothing rather than fail
            return
        yield total
        yield waiting
