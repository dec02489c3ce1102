"""Retention anonymises old transcripts without changing old figures; export and deletion on request."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import (
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    select,
    update,
)

from bot.analytics import queries
from bot.analytics.privacy import delete_customer, export_customer
from bot.analytics.retention import REDACTED, anonymise_before
from bot.analytics.sql import Window
from bot.analytics.tables import FeedbackRow
from bot.conversations.tables import ConversationRow, TurnRow
from bot.db import create_all, make_engine
from bot.settings import PROJECT_ROOT
from handoff.models import QueueEntry
from tests.analytics.conftest import load_fixture

MARCH_15 = datetime(2026, 3, 15, tzinfo=timezone.utc)


def rasa_events(engine: Engine) -> Table:
    """The columns of Rasa's SQLTrackerStore ``events`` table that erasure relies on."""
    table = Table("events", MetaData(), Column("id", Integer, primary_key=True), Column("sender_id", String(255)),
                  Column("type_name", String(255)), Column("timestamp", Float), Column("data", Text))
    table.create(engine)
    with engine.begin() as conn:
        conn.execute(table.insert(), [
            {"sender_id": "c2", "type_name": "user", "timestamp": datetime(2026, 3, 2, tzinfo=timezone.utc).timestamp(),
             "data": '{"text": "my card number is 4111 1111 1111 1111"}'},
            {"sender_id": "c7", "type_name": "user", "timestamp": datetime(2026, 4, 1, tzinfo=timezone.utc).timestamp(),
             "data": '{"text": "hello"}'}])
    return table


def bind(engine: Engine, customer_id: int, *conversation_ids: str) -> None:
    with engine.begin() as conn:
        conn.execute(update(ConversationRow).where(ConversationRow.id.in_(conversation_ids))
                     .values(customer_id=customer_id))


def test_retention_redacts_old_turns_and_keeps_figures(engine: Engine, tmp_path: Path) -> None:
    bind(engine, 42, "c2", "c7")
    tracker = make_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    events = rasa_events(tracker)
    with engine.connect() as conn:
        before = queries.summary(conn, Window())
    report = anonymise_before(engine, MARCH_15, tracker)
    # every turn of March (c1-c5, c8) and the agents' messages (queue-time fixtures, older still)
    assert (report.conversations, report.turns, report.tracker_events) == (1, 21, 1)
    with engine.connect() as conn:
        after = queries.summary(conn, Window())
        texts = dict(conn.execute(select(TurnRow.conversation_id, TurnRow.text).where(TurnRow.seq == 1)).all())
        c2_nlu = conn.scalar(select(TurnRow.nlu).where(TurnRow.conversation_id == "c2", TurnRow.seq == 1))
        owners = dict(conn.execute(select(ConversationRow.id, ConversationRow.customer_id)).all())
        comments = dict(conn.execute(select(FeedbackRow.conversation_id, FeedbackRow.comment)).all())
        summaries = conn.scalars(select(QueueEntry.summary)).all()
    assert texts["c2"] == REDACTED and texts["c7"] == "hello"
    assert "entities" not in c2_nlu and c2_nlu["intent"]["name"] == "nlu_fallback"
    assert owners["c2"] is None and owners["c7"] == 42
    assert comments["c1"] is None and set(summaries) == {""}
    assert after["overview"] == before["overview"] and after["top_intents"] == before["top_intents"]
    with tracker.connect() as conn:
        assert conn.scalars(select(events.c.sender_id)).all() == ["c7"]
    again = anonymise_before(engine, MARCH_15, tracker)
    assert (again.conversations, again.turns, again.tracker_events) == (0, 0, 0)
    tracker.dispose()


def test_export_then_delete_a_customer(engine: Engine, tmp_path: Path) -> None:
    bind(engine, 7, "c3", "c4")
    exported = export_customer(engine, 7)
    assert [c["id"] for c in exported["conversations"]] == ["c3", "c4"]
    c4 = exported["conversations"][1]
    assert [t["text"] for t in c4["turns"] if t["speaker"] == "customer"] == [
        "what's the weather", "useless, give me an agent"]
    assert c4["feedback"]["csat"] == 2 and c4["complaints"][0]["product"] == "credit_card"
    assert c4["handoffs"][0]["reason"] == "frustration"
    json.dumps(exported)  # serialisable as is
    report = delete_customer(engine, 7)
    assert (report.conversations, report.turns) == (2, 10)  # c3: 3 + 2 by the agent, c4: 4 + 1
    with engine.connect() as conn:
        remaining = set(conn.scalars(select(ConversationRow.id)))
        assert not remaining & {"c3", "c4"} and "c1" in remaining
        assert conn.scalar(select(func.count()).where(QueueEntry.conversation_id.in_(["c3", "c4"]))) == 0
    assert export_customer(engine, 7) == {"customer_id": 7, "conversations": []}


def test_cli_commands(tmp_path: Path) -> None:
    db = tmp_path / "bank.db"
    engine = make_engine(f"sqlite:///{db}")
    create_all(engine)
    load_fixture(engine)
    bind(engine, 9, "c1")
    engine.dispose()
    env = {**os.environ, "BANKBOT_DATABASE_URL": f"sqlite:///{db}", "BANKBOT_VAR_DIR": str(tmp_path)}

    def bankbot(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=PROJECT_ROOT, env=env,
                              capture_output=True, text=True, timeout=120)

    out = tmp_path / "c9.json"
    assert bankbot("export-customer", "9", "--out", str(out)).returncode == 0
    assert json.loads(out.read_text())["conversations"][0]["id"] == "c1"
    refused = bankbot("delete-customer", "9")
    assert refused.returncode != 0 and "--yes" in refused.stderr
    done = bankbot("delete-customer", "9", "--yes")
    assert done.returncode == 0 and "deleted 1 conversations, 2 turns" in done.stdout
    assert bankbot("retention", "run", "--days", "0").returncode != 0
    ran = bankbot("retention", "run", "--days", "30")
    assert ran.returncode == 0 and "turns" in ran.stdout, ran.stderr
