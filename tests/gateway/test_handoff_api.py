"""The customer's side of a hand-off: queue status, back to the assistant, callback requests, and
what a customer hears when nobody can answer (out of hours, no agent online).

Real parts: the gateway's conversation and token stores, the hand-off desk and queue on SQLite,
the demo bank. Rasa is the only stand-in (``RecordingRasa`` records the pause/resume events).
"""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import anyio
import httpx
import pytest
from fastapi import FastAPI

from bot.bankcore.seed import seed_demo_bank
from bot.bankcore.sql_bankcore import SqlBankCore
from bot.conversations.store import ConversationStore, NewTurn
from bot.conversations.tokens import TokenStore
from bot.db import create_all, make_engine, make_session_factory
from bot.gateway import handoff_api
from bot.gateway.handoff_gate import HandoffGate
from bot.gateway.handoff_hooks import RasaGatewayHooks
from bot.settings import PROJECT_ROOT
from handoff.agents import AgentDirectory
from handoff.audit import AuditLog
from handoff.desk import HandoffDesk
from handoff.events import InProcessBus
from handoff.policy import load_policy
from handoff.queue import HandoffQueue
from tests.handoff.fakes import RecordingRasa

pytestmark = pytest.mark.anyio

TUESDAY_NOON = datetime(2026, 11, 24, 12, tzinfo=timezone.utc).timestamp()
SUNDAY_NOON = datetime(2026, 11, 22, 12, tzinfo=timezone.utc).timestamp()
ASK_FOR_A_PERSON = {"intent": {"name": "human_agent", "confidence": 0.98}}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class World:
    """The app under test and its parts, at a chosen time of the week."""

    def __init__(self, tmp_path: Path, now: float) -> None:
        self.now = now
        self.engine = make_engine(f"sqlite:///{tmp_path / 'bank.db'}")
        create_all(self.engine)
        sessions = make_session_factory(self.engine)
        seed_demo_bank(sessions, PROJECT_ROOT / "data" / "bank" / "demo_bank.yml")
        self.bank = SqlBankCore(sessions)
        self.store = ConversationStore(sessions)
        self.tokens = TokenStore(sessions, 3600)
        self.rasa = RecordingRasa()
        hooks = RasaGatewayHooks(self.rasa, self.store)
        policy = load_policy(PROJECT_ROOT / "data" / "handoff" / "policy.yml")
        clock = lambda: self.now  # noqa: E731
        self.agents = AgentDirectory(sessions, clock)
        self.desk = HandoffDesk(HandoffQueue(sessions, policy, clock), self.agents,
                                AuditLog(sessions, clock), InProcessBus(), policy, hooks)
        self.gate = HandoffGate(self.desk, hooks, self.store, self.bank)
        self.app = FastAPI()
        self.app.include_router(handoff_api.router)
        self.app.state.conversations, self.app.state.tokens = self.store, self.tokens
        self.app.state.handoff_gate = self.gate

    def token(self, username: str) -> dict[str, str]:
        customer = self.bank.authenticate(username, f"{username}-demo-pass")
        return {"Authorization": f"Bearer {self.tokens.issue(customer.id)[0]}"}

    async def asks_for_a_person(self, customer: str | None = "alice") -> tuple[str, str]:
        """A conversation whose customer asked for a person; returns its id and the notice."""
        customer_id = self.bank.authenticate(customer, f"{customer}-demo-pass").id if customer else None
        conversation = self.store.create("rest", customer_id)
        self.store.append(conversation.id, [
            NewTurn("customer", "let me talk to a human", "rest", nlu=ASK_FOR_A_PERSON),
            NewTurn("bot", "One moment.", "rest")])
        notice = await self.gate.after_bot_turn(conversation, "rest")
        return conversation.id, notice["text"]

    async def types(self, conversation_id: str, text: str) -> list[dict] | None:
        return await self.gate.relay_to_agent(self.store.get(conversation_id), text, "rest")


@pytest.fixture
def world(tmp_path: Path):
    w = World(tmp_path, TUESDAY_NOON)
    yield w
    w.engine.dispose()


@pytest.fixture
async def client(world: World):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=world.app),
                                 base_url="http://t") as c:
        yield c


async def test_nobody_online_the_customer_is_offered_a_callback_and_can_leave_one(world, client):
    cid, notice = await world.asks_for_a_person()
    assert "no colleague is available" in notice and "callback" in notice
    alice = world.token("alice")

    status = (await client.get(f"/api/conversations/{cid}/handoff", headers=alice)).json()
    assert (status["status"], status["position"], status["agents_online"]) == ("waiting", 1, 0)
    assert status["estimated_wait_s"] is None and "callback" in status["text"]

    for bad in ("call me maybe", "------", "12", "4000 0566 5566 5556"):
        refused = await client.post(f"/api/conversations/{cid}/handoff/callback", headers=alice,
                                    json={"phone": bad})
        assert refused.status_code == 422, bad
    assert await world.desk.with_human(cid)  # a refused request changes nothing

    done = await client.post(f"/api/conversations/{cid}/handoff/callback", headers=alice,
                             json={"phone": "+44 7700 900123", "preferred_time": "after 5pm"})
    assert done.status_code == 201, done.text
    assert "call you back (after 5pm)" in done.json()["text"]
    [callback] = world.desk.queue.callbacks()
    assert (callback["id"], callback["phone"]) == (done.json()["callback_id"], "+44 7700 900123")
    assert not await world.desk.with_human(cid)
    assert world.rasa.events[-1] == (cid, [{"event": "resume"}])  # the assistant answers again
    assert world.store.turns(cid)[-1].text == done.json()["text"]
    again = await client.post(f"/api/conversations/{cid}/handoff/callback", headers=alice,
                              json={"phone": "+44 7700 900123"})
    assert again.status_code == 409


async def test_out_of_hours_the_customer_hears_the_opening_hours_and_types_a_callback(world):
    world.now = SUNDAY_NOON
    world.agents.create("a", "pw")
    world.agents.login("a", "pw")  # even with an agent online, the team is closed
    cid, notice = await world.asks_for_a_person()
    assert "available Mon-Sat 08:00-20:00" in notice and "callback" in notice

    replies = await world.types(cid, "please call me on 07700 900123 on Monday morning")
    assert "call you back" in replies[0]["text"]
    [callback] = world.desk.queue.callbacks()
    assert callback["phone"] == "07700 900123" and "Monday morning" in callback["note"]
    assert not await world.desk.with_human(cid)
    assert await world.types(cid, "what's my balance?") is None  # the assistant answers again


async def test_typing_cancel_while_waiting_goes_back_to_the_assistant(world):
    cid, _ = await world.asks_for_a_person()
    for context in ("it's about my card", "card 4000 0566 5566 5556 was charged twice",
                    "my account is 12345678"):
        assert await world.types(cid, context) == []  # kept for the agent, not a callback
    replies = await world.types(cid, "Cancel")
    assert "back with the virtual assistant" in replies[0]["text"]
    assert not await world.desk.with_human(cid)
    assert world.desk.queue.callbacks() == []
    said = [(t.speaker, t.text) for t in world.store.turns(cid)][-3:]
    assert said == [("customer", "my account is 12345678"), ("customer", "Cancel"),
                    ("system", replies[0]["text"])]


async def test_with_an_agent_typed_words_go_to_the_agent(world):
    cid, _ = await world.asks_for_a_person()
    world.agents.create("a", "pw")
    agent = world.agents.login("a", "pw")[1]
    assert (await world.desk.claim(agent)).conversation_id == cid
    assert await world.types(cid, "cancel") == []
    assert await world.types(cid, "my number is 07700 900123") == []
    assert await world.desk.with_human(cid) and world.desk.queue.callbacks() == []


async def test_cancel_over_http_frees_the_agent_and_resumes_the_assistant(world, client):
    cid, _ = await world.asks_for_a_person()
    world.agents.create("a", "pw")
    agent = world.agents.login("a", "pw")[1]
    await world.desk.claim(agent)
    alice = world.token("alice")
    assert (await client.get(f"/api/conversations/{cid}/handoff", headers=alice)).json()["status"] \
        == "assigned"

    back = await client.post(f"/api/conversations/{cid}/handoff/cancel", headers=alice)
    assert back.status_code == 200, back.text
    assert "virtual assistant" in back.json()["text"]
    assert world.agents.get(agent.id).active_chats == 0
    assert world.store.get(cid).mode == "bot"
    status = (await client.get(f"/api/conversations/{cid}/handoff", headers=alice)).json()
    assert (status["status"], status["text"]) == ("none", "")
    assert (await client.post(f"/api/conversations/{cid}/handoff/cancel", headers=alice)
            ).status_code == 409


async def test_only_the_conversations_customer_may_act_on_it(world, client):
    cid, _ = await world.asks_for_a_person("alice")
    bob = world.token("bob")
    for method, path, body in (("GET", "", None), ("POST", "/cancel", None),
                               ("POST", "/callback", {"phone": "+44 7700 900123"})):
        url = f"/api/conversations/{cid}/handoff{path}"
        assert (await client.request(method, url, json=body)).status_code == 401  # no token
        assert (await client.request(method, url, json=body, headers=bob)).status_code == 403
        assert (await client.request(method, url, json=body, headers={
            "Authorization": "Bearer forged"})).status_code == 401
        assert (await client.request(method, f"/api/conversations/nope/handoff{path}", json=body,
                                     headers=bob)).status_code == 404
    assert await world.desk.with_human(cid) and world.desk.queue.callbacks() == []


async def test_an_anonymous_conversation_is_reached_by_its_id(world, client):
    cid, _ = await world.asks_for_a_person(None)
    back = await client.post(f"/api/conversations/{cid}/handoff/cancel")
    assert back.status_code == 200 and not await world.desk.with_human(cid)


def test_the_routes_are_documented(world):
    paths = world.app.openapi()["paths"]
    callback = paths["/api/conversations/{conversation_id}/handoff/callback"]["post"]
    assert {"201", "409", "422", "403", "404"} <= set(callback["responses"])
    assert "/api/conversations/{conversation_id}/handoff/cancel" in paths


def test_the_chat_socket_follows_the_same_rules(world):
    from starlette.testclient import TestClient

    from bot.gateway import ws_channel
    from bot.settings import Settings

    world.app.include_router(ws_channel.router)
    world.app.state.settings = Settings()
    world.app.state.handoff_desk = world.desk
    cid, _ = anyio.run(world.asks_for_a_person)
    token = world.token("alice")["Authorization"][7:]
    with TestClient(world.app) as http, http.websocket_connect("/ws/chat") as ws:
        ws.send_json({"type": "start", "token": token, "conversation_id": cid})
        assert ws.receive_json()["type"] == "session"
        ws.send_json({"type": "callback", "phone": "call me maybe"})
        assert "phone number" in ws.receive_json()["detail"]
        ws.send_json({"type": "cancel_handoff"})
        assert ws.receive_json()["type"] == "handed_back"
        ws.send_json({"type": "callback", "phone": "+44 7700 900123"})
        assert ws.receive_json() == {"type": "error", "detail": "no hand-off to leave a callback for"}
    assert world.desk.queue.callbacks() == []
