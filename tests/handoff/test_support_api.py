"""Helping the customer from the console: masked customer view, card quick actions through the
real BankCore (audited with the agent's name), and knowledge suggestions."""
from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from bot.bankcore.seed import seed_demo_bank
from bot.bankcore.sql_bankcore import SqlBankCore
from bot.bankcore.sql_models import CustomerRow
from bot.db import make_engine, make_session_factory
from bot.settings import PROJECT_ROOT, Settings
from handoff.agent_api import router
from handoff.assist import suggest
from handoff.events import InProcessBus
from handoff.setup import build_desk
from handoff.triggers import HandoffDecision
from tests.handoff.fakes import FakeKnowledge, FakeTranscripts

pytestmark = pytest.mark.anyio

DEMO_BANK = PROJECT_ROOT / "data" / "bank" / "demo_bank.yml"
CARDS = HandoffDecision("risk", ("cards", "lang:en"), 30.0, "lost_or_stolen_card")
KNOWLEDGE = {
    "my card was stolen": ("faq", "Freeze it now in the app, then report it stolen.", [
        "how do I report a stolen card", "how do I freeze my card", "what is the weather"]),
    "how do I report a stolen card": ("faq", "Freeze it now in the app, then report it stolen.", []),
    "how do I freeze my card": ("faq", "Cards > Freeze. You can unfreeze any time.", []),
}


@pytest.fixture(scope="module")
def bank_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bank") / "bank.db"
    engine = make_engine(f"sqlite:///{path}")
    seed_demo_bank(make_session_factory(engine), DEMO_BANK)
    engine.dispose()
    return path


@pytest.fixture
def app(tmp_path: Path, bank_template: Path):
    path = tmp_path / "bank.db"
    path.write_bytes(bank_template.read_bytes())
    engine = make_engine(f"sqlite:///{path}")
    settings = Settings(var_dir=tmp_path, data_dir=PROJECT_ROOT / "data", redis_url=None)
    app = FastAPI()
    app.include_router(router)
    app.state.handoff_desk = build_desk(settings, engine, bus=InProcessBus())
    app.state.bankcore = SqlBankCore(make_session_factory(engine))
    app.state.transcripts = FakeTranscripts()
    app.state.knowledge = FakeKnowledge(KNOWLEDGE)
    with make_session_factory(engine)() as s:
        app.state.ids = {u: i for u, i in s.execute(select(CustomerRow.username, CustomerRow.id))}
    yield app
    engine.dispose()


@pytest.fixture
async def client(app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        yield c


async def held_by(client, app, username: str, customer: str | None = "alice") -> tuple[dict, int]:
    """A conversation of ``customer`` escalated and claimed by ``username``; returns headers, entry."""
    cid = f"conv-{customer}"
    app.state.transcripts.by_conversation[cid] = [
        {"sender": "user", "text": "my card was stolen", "intent": "lost_or_stolen_card"}]
    customer_id = str(app.state.ids[customer]) if customer else None
    await app.state.handoff_desk.escalate(cid, CARDS, customer_id=customer_id)
    password = {"agent": "agent-demo-pass", "fraud": "fraud-demo-pass"}[username]
    token = (await client.post("/agent/login", json={"username": username, "password": password})
             ).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    entry_id = (await client.post("/agent/queue/next", headers=headers)).json()["entry_id"]
    return headers, entry_id


async def test_customer_view_is_masked_and_only_for_the_holder(client, app):
    alex, entry_id = await held_by(client, app, "agent")
    r = await client.get(f"/agent/conversations/{entry_id}/customer", headers=alex)
    view = r.json()
    assert view["verified"] and view["name"] and view["accounts"] and view["cards"]
    assert all(a["number"].startswith("****") for a in view["accounts"])
    assert all(c["number"].startswith("**** **** ****") for c in view["cards"])
    assert not re.search(r"\d{8,}", r.text.replace(view["customer_number"], ""))  # no full numbers
    token = (await client.post("/agent/login", json={"username": "fraud",
                                                     "password": "fraud-demo-pass"})).json()["token"]
    sam = {"Authorization": f"Bearer {token}"}
    assert (await client.get(f"/agent/conversations/{entry_id}/customer", headers=sam)).status_code == 403


async def test_unverified_customer_shows_nothing_and_allows_no_card_action(client, app):
    alex, entry_id = await held_by(client, app, "agent", customer=None)
    assert (await client.get(f"/agent/conversations/{entry_id}/customer", headers=alex)
            ).json() == {"verified": False, "name": None, "customer_number": None, "tier": None,
                         "accounts": [], "cards": [], "recent_actions": [], "open_cases": []}
    r = await client.post(f"/agent/conversations/{entry_id}/cards/1/status", headers=alex,
                          json={"status": "frozen"})
    assert r.status_code == 409


async def test_agent_freezes_the_customers_card_and_the_bank_audit_names_them(client, app):
    bank = app.state.bankcore
    alex, entry_id = await held_by(client, app, "agent")
    alice = app.state.ids["alice"]
    card = next(c for c in bank.list_cards(alice) if c.status == "active")
    r = await client.post(f"/agent/conversations/{entry_id}/cards/{card.id}/status", headers=alex,
                          json={"status": "frozen", "reason": "customer reports theft"})
    assert r.status_code == 200 and r.json()["status"] == "frozen"
    assert next(c for c in bank.list_cards(alice) if c.id == card.id).status == "frozen"
    assert bank.list_audit(alice, 1)[0].actor == "agent:agent"
    assert app.state.handoff_desk.audit.recent(1)[0]["action"] == "card_status"


async def test_agent_cannot_touch_another_customers_card(client, app):
    bank = app.state.bankcore
    alex, entry_id = await held_by(client, app, "agent")
    bobs = bank.list_cards(app.state.ids["bob"])[0]
    r = await client.post(f"/agent/conversations/{entry_id}/cards/{bobs.id}/status", headers=alex,
                          json={"status": "blocked"})
    assert r.status_code == 403
    assert bank.list_cards(app.state.ids["bob"])[0].status == bobs.status
    assert app.state.handoff_desk.audit.recent(1)[0]["outcome"] == "denied"


async def test_suggestions_answer_the_latest_customer_message(client, app):
    alex, entry_id = await held_by(client, app, "agent")
    r = await client.get(f"/agent/conversations/{entry_id}/suggestions", headers=alex)
    assert [s["text"] for s in r.json()] == ["Freeze it now in the app, then report it stolen.",
                                             "Cards > Freeze. You can unfreeze any time."]
    assert app.state.knowledge.asked[0] == ("my card was stolen", "lost_or_stolen_card")
    r = await client.get(f"/agent/conversations/{entry_id}/suggestions", headers=alex,
                         params={"text": "how do I freeze my card"})
    assert r.json()[0]["question"] == "how do I freeze my card"
    del app.state.knowledge
    assert (await client.get(f"/agent/conversations/{entry_id}/suggestions", headers=alex)
            ).status_code == 503


def test_suggest_skips_clarifications_and_duplicates():
    knowledge = FakeKnowledge(KNOWLEDGE)
    assert suggest(knowledge, "what is the weather") == []
    found = suggest(knowledge, "my card was stolen", limit=5)
    assert [s.question for s in found] == ["my card was stolen", "how do I freeze my card"]
