"""A database (SQLite, and PostgreSQL in its own schema) holding conversations with known outcomes."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
from sqlalchemy import Engine

import bot.analytics.tables  # noqa: F401 - registers the analytics tables on Base
from bot.analytics.tables import ComplaintRow, FeedbackRow, ResponseTimeRow
from bot.conversations.tables import ConversationRow, TurnRow
from bot.db import create_all, make_engine, make_session_factory
from handoff.models import Agent, QueueEntry
from tests.pg import throwaway_schema

DAY1, DAY2, LATER = (2026, 3, 2), (2026, 3, 3), (2026, 4, 1)

# id, channel, day, [(text, intent, sentiment)], response seconds; intent None: no NLU parse (the
# message went to an agent, or Rasa was down)
CONVERSATIONS = [
    ("c1", "rest", DAY1, [("what's my balance", "check_balance", "neutral")], [0.2]),
    ("c2", "rest", DAY1, [("asdf qwer", "nlu_fallback", {"label": "negative"}),
                          ("my card number is 4111 1111 1111 1111 help", "nlu_fallback",
                           {"label": "negative", "frustration": 0.7})], [0.4, 0.6]),
    ("c3", "websocket", DAY1, [("I want a human", "human_agent", {"label": "negative"}),
                               ("thanks, it's sorted", None, None)], [0.3]),  # relayed to the agent
    ("c4", "websocket", DAY2, [("what's the weather", "out_of_scope", "negative"),
                               ("useless, give me an agent", "human_agent", "negative")], [0.5, 0.7]),
    ("c5", "rest", DAY2, [("thanks", "thanks", "positive")], [0.1]),
    ("c6", "rest", DAY2, [], []),
    ("c7", "rest", LATER, [("hello", "greet", None)], [0.2]),
    ("c8", "voice", DAY2, [("agent please", "human_agent", "neutral")], []),
]
# conversation, reason, agent, enqueued, assigned, closed, status, disposition
HANDOFFS = [
    ("c3", "customer_request", "ann", 1000.0, 1060.0, 1360.0, "resolved", "resolved"),
    ("c4", "frustration", "ann", 2000.0, 2120.0, None, "assigned", None),
    ("c8", "customer_request", None, 3000.0, None, None, "waiting", None),
    # c6 never spoke, so this hand-off (closed without resolving) is outside every figure
    ("c6", "frustration", "bob", 4000.0, 4010.0, 4020.0, "resolved", "customer_left"),
]
# conversation, UNIX time, what the agent holding it wrote: ann answers c3 30 s after claiming it
# and c4 after 90 s (first response 60 s on average); bob's c6 is outside every figure
AGENT_MESSAGES = [("c3", 1090.0, "Hi, I'm Ann."), ("c3", 1200.0, "Done."), ("c4", 2210.0, "Sorry about that."),
                  ("c6", 4015.0, "Hello?")]
FEEDBACK = [("c1", 5, 10, "quick"), ("c3", 4, 6, None), ("c4", 2, None, "slow")]
COMPLAINTS = [("c4", "credit_card", "websocket", "fees"), ("c5", "current_account", "rest", "fees"),
              ("c2", "credit_card", "rest", "service")]


def _at(day: tuple[int, int, int], minute: int = 0) -> datetime:
    return datetime(*day, 10, minute, tzinfo=timezone.utc)


def load_fixture(engine: Engine) -> None:
    """Insert the known conversations, hand-offs, feedback and complaints."""
    sessions = make_session_factory(engine)
    with sessions.begin() as s:
        agents = {name: Agent(username=name, display_name=name.title(), password_hash="x", role="agent")
                  for name in ("ann", "bob")}
        s.add_all(agents.values())
        for cid, channel, day, turns, seconds in CONVERSATIONS:
            s.add(ConversationRow(id=cid, channel=channel, customer_id=None, mode="bot", created_at=_at(day)))
            s.flush()
            for i, (said, intent, sentiment) in enumerate(turns):
                nlu = {"intent": {"name": intent, "confidence": 0.9}, "entities": []} if intent else None
                if nlu and sentiment is not None:
                    nlu["sentiment"] = {"label": sentiment, "frustration": 0.5} if isinstance(
                        sentiment, str) and cid == "c8" else sentiment
                s.add(TurnRow(conversation_id=cid, seq=2 * i + 1, speaker="customer", text=said,
                              channel=channel, created_at=_at(day, i), nlu=nlu, meta=None))
                if intent:
                    s.add(TurnRow(conversation_id=cid, seq=2 * i + 2, speaker="bot", text="ok",
                                  channel=channel, created_at=_at(day, i), nlu=None, meta=None))
            for sec in seconds:
                s.add(ResponseTimeRow(conversation_id=cid, channel=channel, seconds=sec, created_at=_at(day)))
                s.flush()
        s.flush()
        for cid, reason, agent, enq, assigned, closed, status, disposition in HANDOFFS:
            s.add(QueueEntry(conversation_id=cid, reason=reason, priority=1.0, rank=1.0, status=status,
                             disposition=disposition,
                             agent_id=agents[agent].id if agent else None, created_at=enq, enqueued_at=enq,
                             assigned_at=assigned, closed_at=closed))
        for seq, (cid, at, text) in enumerate(AGENT_MESSAGES, start=100):
            s.add(TurnRow(conversation_id=cid, seq=seq, speaker="agent", text=text, channel="rest",
                          created_at=datetime.fromtimestamp(at, timezone.utc), nlu=None, meta={"agent": "x"}))
        for cid, csat, nps, comment in FEEDBACK:
            s.add(FeedbackRow(conversation_id=cid, csat=csat, nps=nps, comment=comment, created_at=_at(DAY2)))
        for cid, product, channel, cause in COMPLAINTS:
            s.add(ComplaintRow(conversation_id=cid, product=product, channel=channel, cause=cause,
                               status="open", created_at=_at(DAY2)))


def _sqlite(tmp_path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'analytics.db'}")
    create_all(engine)
    yield engine
    engine.dispose()


def _postgres() -> Iterator[Engine]:
    with throwaway_schema("analytics") as url:
        engine = make_engine(url)
        try:
            create_all(engine)
            yield engine
        finally:
            engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    """An empty database with every table, on SQLite and on PostgreSQL."""
    yield from (_sqlite(tmp_path) if request.param == "sqlite" else _postgres())


@pytest.fixture
def engine(empty_engine: Engine) -> Engine:
    """The database loaded with the known-outcome fixture."""
    load_fixture(empty_engine)
    return empty_engine
