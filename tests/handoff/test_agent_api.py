"""The agent API as agents (and intruders) use it: login, queue, claim, chat, resolve, hand back."""
from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from bot.db import make_engine
from bot.settings import PROJECT_ROOT, Settings
from handoff.agent_api import router
from handoff.events import InProcessBus
from handoff.setup import build_desk
from handoff.triggers import HandoffDecision
from tests.handoff.fakes import FakeTranscripts, RecordingHooks

pytestmark = pytest.mark.anyio

GENERAL = HandoffDecision("human_request", ("general", "lang:en"), 0.0, "customer asked for a person")
FRAUD = HandoffDecision("risk", ("fraud", "lang:en"), 40.0, "compromised_card")
DEMO = {"agent": "agent-demo-pass", "fraud": "fraud-demo-pass", "supervisor": "supervisor-demo-pass"}


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    settings = Settings(var_dir=tmp_path, data_dir=PROJECT_ROOT / "data", redis_url=None)
    engine = make_engine(f"sqlite:///{tmp_path / 'api.db'}")
    app = FastAPI()
    app.include_router(router)
    app.state.handoff_desk = build_desk(settings, engine, hooks=RecordingHooks(), bus=InProcessBus())
    app.state.transcripts = FakeTranscripts()
    yield app
    engine.dispose()


@pytest.fixture
async def client(app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://test") as c:
        yield c


async def login(client, username: str, password: str | None = None) -> dict:
    r = await client.post("/agent/login", json={"username": username,
                                                "password": password or DEMO[username]})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


async def escalate(app, cid: str, decision=GENERAL) -> None:
    app.state.transcripts.by_conversation[cid] = [
        {"sender": "user", "text": "my card was used in Spain", "intent": "compromised_card",
         "frustration": 0.4, "entities": [{"entity": "card", "value": "debit"}]},
        {"sender": "bot", "text": "Let me get a colleague.", "action": "action_request_human"},
    ]
    await app.state.handoff_desk.escalate(cid, decision, transcript=app.state.transcripts.turns(cid),
                                          customer="Jane Doe", channel="web")


async def test_demo_credentials_log_in_and_wrong_ones_do_not(client, app):
    headers = await login(client, "agent")
    me = (await client.get("/agent/me", headers=headers)).json()
    assert (me["username"], me["role"], me["status"]) == ("agent", "agent", "available")
    assert (await client.post("/agent/login", json={"username": "agent", "password": "nope"})
            ).status_code == 401
    denied = app.state.handoff_desk.audit.recent(5)
    assert denied[0]["action"] == "login" and denied[0]["outcome"] == "denied"


@pytest.mark.parametrize("auth", [None, "Bearer customer-session-token", "Basic abc", "Bearer "])
async def test_customers_and_strangers_cannot_reach_agent_endpoints(client, app, auth):
    await escalate(app, "c1")
    headers = {"Authorization": auth} if auth else {}
    for method, path in [("GET", "/agent/queue"), ("GET", "/agent/conversations/1"),
                         ("POST", "/agent/conversations/1/claim"), ("POST", "/agent/queue/next"),
                         ("GET", "/agent/supervisor/overview"), ("GET", "/agent/me")]:
        r = await client.request(method, path, headers=headers)
        assert r.status_code == 401, (method, path)
    assert app.state.handoff_desk.queue.open_for("c1").status == "waiting"


async def test_agent_flow_claim_chat_and_hand_back(client, app):
    desk = app.state.handoff_desk
    await escalate(app, "c1")
    agent = await login(client, "agent")
    [item] = (await client.get("/agent/queue", headers=agent)).json()
    assert item["reason"] == "human_request" and item["skills"] == ["general", "lang:en"]
    assert item["frustration"] == 0.4 and item["can_claim"] and "summary" not in item
    async with desk.customer_events("c1") as customer:
        conv = (await client.post(f"/agent/conversations/{item['entry_id']}/claim", headers=agent)).json()
        assert conv["summary"].startswith("Who: Jane Doe via web")
        assert conv["transcript"][0]["intent"] == "compromised_card"
        assert conv["entities"] == [{"entity": "card", "value": "debit"}]
        assert (await customer.get(1))["type"] == "agent_joined"

        r = await client.post(f"/agent/conversations/{conv['entry_id']}/messages", headers=agent,
                              json={"text": "Hi Jane, I'm looking at your card now."})
        assert r.status_code == 200
        event = await customer.get(1)
        assert (event["type"], event["text"]) == ("agent_message", "Hi Jane, I'm looking at your card now.")
        assert desk.hooks.agent_messages == [("c1", "Alex (demo agent)", event["text"])]
        await client.post(f"/agent/conversations/{conv['entry_id']}/typing", headers=agent,
                          json={"typing": True})
        assert (await customer.get(1))["type"] == "agent_typing"

        r = await client.post(f"/agent/conversations/{conv['entry_id']}/hand-back", headers=agent,
                              json={"slots": {"card_frozen": True}, "note": "froze the card"})
        assert r.json()["status"] == "returned"
        assert (await customer.get(1))["type"] == "handed_back"
    assert desk.hooks.resumed == [("c1", {"card_frozen": True})]
    r = await client.post(f"/agent/conversations/{conv['entry_id']}/messages", headers=agent,
                          json={"text": "still there?"})
    assert r.status_code == 409


async def test_an_agent_cannot_read_or_act_on_another_agents_conversation(client, app):
    await escalate(app, "c1")
    alex, sam, boss = [await login(client, n) for n in ("agent", "fraud", "supervisor")]
    entry_id = (await client.post("/agent/queue/next", headers=alex)).json()["entry_id"]
    assert (await client.post(f"/agent/conversations/{entry_id}/claim", headers=sam)).status_code == 409
    assert (await client.get(f"/agent/conversations/{entry_id}", headers=sam)).status_code == 403
    for path, body in [("messages", {"text": "hi"}), ("typing", {"typing": True}),
                       ("resolve", {"disposition": "resolved"}), ("hand-back", {})]:
        r = await client.post(f"/agent/conversations/{entry_id}/{path}", headers=sam, json=body)
        assert r.status_code == 403, path
    assert (await client.get(f"/agent/conversations/{entry_id}", headers=boss)).status_code == 200
    assert (await client.get("/agent/conversations/9999", headers=sam)).status_code == 404
    denials = [e for e in app.state.handoff_desk.audit.recent(50) if e["outcome"] == "denied"]
    assert {e["action"] for e in denials} >= {"view", "message", "typing", "resolve", "hand_back"}


async def test_skills_hide_and_block_conversations_an_agent_cannot_serve(client, app):
    await escalate(app, "fraud-case", FRAUD)
    alex, sam = await login(client, "agent"), await login(client, "fraud")
    [item] = (await client.get("/agent/queue", headers=sam)).json()
    assert (await client.get("/agent/queue", headers=alex)).json() == []
    assert (await client.post(f"/agent/conversations/{item['entry_id']}/claim", headers=alex)
            ).status_code == 409
    assert (await client.post("/agent/queue/next", headers=alex)).status_code == 404
    assert (await client.post("/agent/queue/next", headers=sam)).json()["reason"] == "risk"


async def test_resolve_with_disposition(client, app):
    await escalate(app, "c1")
    alex = await login(client, "agent")
    dispositions = (await client.get("/agent/dispositions", headers=alex)).json()
    assert "case_opened" in dispositions
    entry_id = (await client.post("/agent/queue/next", headers=alex)).json()["entry_id"]
    bad = await client.post(f"/agent/conversations/{entry_id}/resolve", headers=alex,
                            json={"disposition": "whatever"})
    assert bad.status_code == 422
    ok = await client.post(f"/agent/conversations/{entry_id}/resolve", headers=alex,
                           json={"disposition": "case_opened", "note": "case 7"})
    assert ok.json()["status"] == "resolved" and ok.json()["disposition"] == "case_opened"
    assert app.state.handoff_desk.hooks.resumed == [("c1", {})]  # the bot is not left paused
    assert (await client.get("/agent/conversations", headers=alex)).json() == []


async def test_release_transfers_to_another_agent_via_the_queue_front(client, app):
    await escalate(app, "c1")
    await escalate(app, "c2", FRAUD)
    alex, sam = await login(client, "agent"), await login(client, "fraud")
    entry_id = (await client.post("/agent/queue/next", headers=alex)).json()["entry_id"]
    assert (await client.post(f"/agent/conversations/{entry_id}/release", headers=sam)).status_code == 403
    released = await client.post(f"/agent/conversations/{entry_id}/release", headers=alex)
    assert released.json()["status"] == "waiting"
    assert (await client.get(f"/agent/conversations/{entry_id}", headers=alex)).status_code == 403
    assert (await client.post("/agent/queue/next", headers=sam)).json()["entry_id"] == entry_id


async def test_supervisor_sees_all_agents_and_queues_agents_do_not(client, app):
    await escalate(app, "c1")
    await escalate(app, "c2", FRAUD)
    alex, boss = await login(client, "agent"), await login(client, "supervisor")
    await client.post("/agent/queue/next", headers=alex)
    assert (await client.get("/agent/supervisor/overview", headers=alex)).status_code == 403
    view = (await client.get("/agent/supervisor/overview", headers=boss)).json()
    assert {a["username"] for a in view["agents"]} == {"agent", "fraud", "supervisor"}
    assert sorted(o.get("status", "waiting") for o in view["open"]) == ["assigned", "waiting"]
    assert any(e["action"] == "claim" for e in view["audit"])


async def test_no_double_replies_customer_messages_go_to_the_agent_not_the_bot(client, app):
    desk = app.state.handoff_desk
    assert await desk.customer_message("c1", "hello?") is False  # no hand-off: the bot answers
    await escalate(app, "c1")
    assert await desk.customer_message("c1", "anyone there?") is True  # waiting: not the bot
    alex = await login(client, "agent")
    entry_id = (await client.post("/agent/queue/next", headers=alex)).json()["entry_id"]
    agent_id = (await client.get("/agent/me", headers=alex)).json()["id"]
    async with desk.bus.subscribe(f"handoff:agent:{agent_id}") as inbox:
        assert await desk.customer_message("c1", "my card!", {"intent": "compromised_card"}) is True
        event = await inbox.get(1)
        assert (event["type"], event["entry_id"], event["text"]) == ("customer_message", entry_id, "my card!")
        assert await inbox.get(0.1) is None
        await desk.cancel("c1")
        assert (await inbox.get(1))["type"] == "closed"
        assert desk.hooks.resumed == [("c1", {})]
    assert await desk.customer_message("c1", "back to bot") is False


async def test_twenty_agents_racing_over_http_claim_each_conversation_once(client, app):
    desk = app.state.handoff_desk
    for i in range(20):
        desk.agents.create(f"racer{i}", "pw", capacity=5)
    for i in range(5):
        await escalate(app, f"c{i}")
    tokens = [await login(client, f"racer{i}", "pw") for i in range(20)]
    ids = [e.id for e in desk.queue.waiting()]

    async def race(headers):
        return [eid for eid in ids
                if (await client.post(f"/agent/conversations/{eid}/claim", headers=headers)
                    ).status_code == 200]

    wins = [eid for won in await asyncio.gather(*(race(t) for t in tokens)) for eid in won]
    assert sorted(wins) == sorted(ids)


def test_agent_websocket_gets_live_events_and_rejects_bad_tokens(app):
    desk = app.state.handoff_desk
    with TestClient(app) as tc:
        with tc.websocket_connect("/agent/ws") as ws:
            ws.send_json({"type": "auth", "token": "customer-session-token"})
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_json()
            assert closed.value.code == 4401
        token = tc.post("/agent/login", json={"username": "agent", "password": DEMO["agent"]}).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        with tc.websocket_connect("/agent/ws") as ws:
            ws.send_json({"type": "auth", "token": token})
            assert ws.receive_json()["type"] == "ready"
            tc.portal.call(escalate, app, "c1")
            assert ws.receive_json()["type"] == "queue_changed"
            entry_id = tc.post("/agent/queue/next", headers=headers).json()["entry_id"]
            seen = {ws.receive_json()["type"] for _ in range(2)}
            assert seen == {"queue_changed", "assigned"}
            tc.portal.call(desk.customer_message, "c1", "are you there?")
            event = ws.receive_json()
            assert (event["type"], event["entry_id"], event["text"]) == (
                "customer_message", entry_id, "are you there?")
            ws.send_json({"type": "ping"})


def test_console_page_is_served(app):
    with TestClient(app) as tc:
        page = tc.get("/agent/console")
        assert page.status_code == 200 and "agent console" in page.text
        assert "http://" not in page.text and "https://" not in page.text  # no CDN
