"""The analytics, feedback and complaint HTTP routes on a real database (no Rasa needed)."""
from __future__ import annotations

import contextlib
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError

from bot.analytics import api as analytics_api
from bot.analytics import auth as analytics_auth
from bot.analytics import feedback_api
from bot.analytics.feedback import ComplaintStore, FeedbackStore
from bot.analytics.tables import ComplaintRow, FeedbackRow
from bot.conversations.store import ConversationStore
from bot.conversations.tokens import TokenStore
from bot.db import make_session_factory
from bot.settings import PROJECT_ROOT, Settings
from handoff.events import InProcessBus
from handoff.setup import build_desk
from nlu.dataset import load_file

TOKEN = {"Authorization": "Bearer op-secret"}


def make_client(engine: Engine, data_dir: Path, operator_token: str | None = "op-secret") -> TestClient:
    app = FastAPI()
    sessions = make_session_factory(engine)
    app.state.settings = Settings(operator_token=operator_token, data_dir=data_dir, nps_sample_rate=1.0)
    app.state.engine = engine
    app.state.conversations = ConversationStore(sessions)
    app.state.tokens = TokenStore(sessions, 3600)
    app.state.feedback = FeedbackStore(sessions)
    app.state.complaints = ComplaintStore(sessions)
    # a named stand-in for the trained NLU service: only its intent list is used here
    app.state.nlu = SimpleNamespace(intents=("check_balance", "human_agent", "nlu_fallback", "out_of_scope"))
    desk_settings = Settings(data_dir=PROJECT_ROOT / "data", var_dir=data_dir, redis_url=None)
    app.state.handoff_desk = desk = build_desk(desk_settings, engine, bus=InProcessBus(), seed_agents=False)
    for username, role in (("sam", "supervisor"), ("alex", "agent")):
        with contextlib.suppress(IntegrityError):  # created by an earlier client on this database
            desk.agents.create(username, "pass-word", role=role)
    for module in (feedback_api, analytics_auth, analytics_api):
        app.include_router(module.router)
    return TestClient(app)


@pytest.fixture
def client(engine: Engine, tmp_path: Path) -> TestClient:
    return make_client(engine, tmp_path)


def test_analytics_need_the_operator_token(engine: Engine, tmp_path: Path) -> None:
    client = make_client(engine, tmp_path)
    assert client.get("/api/analytics/summary").status_code == 401
    assert client.get("/api/analytics/summary", headers={"Authorization": "Bearer nope"}).status_code == 401
    closed = make_client(engine, tmp_path, operator_token=None)  # no machine token configured
    assert closed.get("/api/analytics/summary", headers=TOKEN).status_code == 401


def test_supervisors_log_in_and_agents_are_refused(engine: Engine, tmp_path: Path) -> None:
    client = make_client(engine, tmp_path, operator_token=None)
    assert client.post("/api/analytics/login", json={"username": "sam", "password": "wrong"}).status_code == 401
    assert client.post("/api/analytics/login", json={"username": "alex", "password": "pass-word"}).status_code == 403
    agent_token = client.app.state.handoff_desk.agents.login("alex", "pass-word")[0]
    assert client.get("/api/analytics/summary",
                      headers={"Authorization": f"Bearer {agent_token}"}).status_code == 403
    login = client.post("/api/analytics/login", json={"username": "sam", "password": "pass-word"})
    assert login.status_code == 200 and login.json()["username"] == "sam"
    summary = client.get("/api/analytics/summary", headers={"Authorization": f"Bearer {login.json()['token']}"})
    assert summary.status_code == 200 and summary.json()["overview"]["conversations"] == 7
    audit = [(e["action"], e["outcome"]) for e in client.app.state.handoff_desk.audit.recent(10)]
    assert ("analytics_login", "ok") in audit and ("analytics_login", "denied") in audit


def test_summary_matches_the_fixture_and_masks_messages(client: TestClient) -> None:
    s = client.get("/api/analytics/summary", headers=TOKEN).json()
    assert s["overview"]["conversations"] == 7 and s["overview"]["resolved"] == 4
    assert s["queue"] == {"avg_wait_s": 90.0, "waiting": 1}
    texts = " ".join(m["text"] for m in s["unrecognised"])
    assert "4111 1111 1111 1111" not in texts and "[card ****1111]" in texts


def test_filters_reach_every_endpoint(client: TestClient) -> None:
    params = {"start": "2026-03-03", "end": "2026-03-03"}
    assert client.get("/api/analytics/overview", params=params, headers=TOKEN).json()["conversations"] == 3
    assert list(client.get("/api/analytics/daily", params=params, headers=TOKEN).json()) == ["2026-03-03"]
    assert client.get("/api/analytics/channels", params={"channel": "voice"}, headers=TOKEN).json() == {
        "voice": pytest.approx(client.get("/api/analytics/channels", headers=TOKEN).json()["voice"])}
    handoffs = client.get("/api/analytics/handoffs", params=params, headers=TOKEN).json()
    assert [r["reason"] for r in handoffs["reasons"]] == ["customer_request", "frustration"]
    assert client.get("/api/analytics/complaints", params=params, headers=TOKEN).json()["total"] == 2
    bad = client.get("/api/analytics/overview", params={"start": "2026-03-03", "end": "2026-03-01"}, headers=TOKEN)
    assert bad.status_code == 422


def test_feedback_is_stored_once_and_validated(client: TestClient, engine: Engine) -> None:
    prompt = client.get("/api/conversations/c5/feedback/prompt").json()
    assert prompt["csat_question"] and prompt["nps_question"]  # sample rate 1.0 in this app
    for bad in ({"csat": 0}, {"csat": 6}, {"csat": "5"}, {"csat": 4.5}, {"nps": 11}, {"nps": -1}, {},
                {"csat": 3, "comment": "x" * 1001}):
        assert client.post("/api/conversations/c5/feedback", json=bad).status_code == 422, bad
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).where(FeedbackRow.conversation_id == "c5")) == 0
    ok = client.post("/api/conversations/c5/feedback", json={"csat": 4, "comment": "  fine  "})
    assert ok.status_code == 201 and ok.json() == {"conversation_id": "c5", "csat": 4, "nps": None,
                                                   "comment": "fine"}
    assert client.post("/api/conversations/c5/feedback", json={"csat": 5}).status_code == 409
    assert client.post("/api/conversations/c5/feedback", json={"nps": 9}).json()["nps"] == 9
    assert client.get("/api/conversations/c5/feedback/prompt").json() == {"csat_question": None,
                                                                          "nps_question": None}
    assert client.post("/api/conversations/nope/feedback", json={"csat": 4}).status_code == 404


def test_complaints_are_cases_with_the_conversation_channel(client: TestClient, engine: Engine) -> None:
    made = client.post("/api/conversations/c8/complaints",
                       json={"product": "Mortgage", "cause": "delay", "description": "slow"})
    assert made.status_code == 201 and made.json()["channel"] == "voice" and made.json()["product"] == "mortgage"
    for bad in ({"product": "x", "cause": "fees"}, {"product": "card; drop table", "cause": "fees"}):
        assert client.post("/api/conversations/c8/complaints", json=bad).status_code == 422
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).where(ComplaintRow.conversation_id == "c8")) == 1


def test_teaching_a_missed_question_writes_valid_rasa_yaml(client: TestClient, tmp_path: Path) -> None:
    body = {"text": "how much cash have I got", "intent": "check_balance"}
    assert client.post("/api/analytics/missed-questions/learn", json=body, headers=TOKEN).status_code == 201
    again = client.post("/api/analytics/missed-questions/learn", json=body, headers=TOKEN)
    assert again.status_code == 200 and again.json()["added"] is False
    client.post("/api/analytics/missed-questions/learn", json={"text": "get me a person", "intent": "human_agent"},
                headers=TOKEN)
    for bad in ({"text": "hello", "intent": "no_such_intent"},
                {"text": "my card is 4111 1111 1111 1111", "intent": "check_balance"}):
        assert client.post("/api/analytics/missed-questions/learn", json=bad, headers=TOKEN).status_code == 422
    learned = tmp_path / "nlu" / "learned.yml"
    doc = yaml.safe_load(learned.read_text())
    assert doc["version"] == "3.1"
    assert {(e.text, e.intent) for e in load_file(learned)} == {
        ("how much cash have I got", "check_balance"), ("get me a person", "human_agent")}
