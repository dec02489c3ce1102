"""Recognise complaints in customer messages (intent + sentiment) and open a case for each.

The rules live in ``data/analytics/complaints.yml`` so operators decide which intents, said
unhappily, count as a complaint about which product and cause.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker
from starlette.concurrency import run_in_threadpool

from bot.analytics.feedback import ComplaintStore
from bot.analytics.tables import ComplaintRow
from bot.conversations.observers import TurnRecord


@dataclass(frozen=True)
class ComplaintRules:
    """Which intents are complaints when said unhappily, and about what."""

    intents: dict[str, tuple[str, str]]
    min_frustration: float

    @classmethod
    def load(cls, path: Path) -> "ComplaintRules":
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
        raw = raw or {}
        intents = {name: (str(rule["product"]), str(rule["cause"]))
                   for name, rule in (raw.get("intents") or {}).items()}
        return cls(intents, float(raw.get("min_frustration", 0.5)))

    def match(self, parse: dict[str, Any]) -> tuple[str, str] | None:
        """(product, cause) when the parse is a listed intent said with negative sentiment."""
        rule = self.intents.get(((parse.get("intent") or {}).get("name")) or "")
        if rule is None:
            return None
        sentiment = parse.get("sentiment")
        if isinstance(sentiment, dict):
            unhappy = (sentiment.get("label") == "negative"
                       or float(sentiment.get("frustration") or 0.0) >= self.min_frustration)
        else:
            unhappy = sentiment == "negative"
        return rule if unhappy else None


class ComplaintRecogniser:
    """Opens a complaint case the first time a conversation complains about a product and cause."""

    def __init__(self, rules: ComplaintRules, store: ComplaintStore, session_factory: sessionmaker) -> None:
        self._rules = rules
        self._store = store
        self._sessions = session_factory

    async def turn_done(self, record: TurnRecord) -> None:
        """Observer of the turn pipeline: every message the dialogue read."""
        if record.parse and not record.failed:
            await run_in_threadpool(self.observe, record.conversation_id, record.parse, record.text)

    def observe(self, conversation_id: str, parse: dict[str, Any], text: str) -> bool:
        """Record a case if ``parse`` is a complaint not yet recorded; True when one was opened."""
        found = self._rules.match(parse)
        if found is None:
            return False
        product, cause = found
        with self._sessions() as session:
            if session.scalar(select(ComplaintRow.id).where(
                    ComplaintRow.conversation_id == conversation_id, ComplaintRow.product == product,
                    ComplaintRow.cause == cause).limit(1)) is not None:
                return False
        self._store.record(conversation_id, product, cause, description=text)  # masked where it is stored
        return True
