"""Several app instances sharing PostgreSQL and Redis: exclusive claims across processes, and live
messages between a customer on one instance and the agent on another."""
from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import textwrap
import uuid
from collections import Counter
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from bot.db import make_engine, make_session_factory
from bot.settings import PROJECT_ROOT, Settings
from handoff.agent_api import router
from handoff.agents import AgentDirectory
from handoff.events import RedisBus
from handoff.models import create_tables
from handoff.queue import HandoffQueue
from handoff.setup import build_desk
from handoff.triggers import HandoffDecision
from tests.pg import PG_URL, skip_without_postgres, throwaway_schema

pytestmark = pytest.mark.postgres

REDIS_URL = os.environ.get("BANKBOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
GENERAL = HandoffDecision("human_request", ("general", "lang:en"))

# Runs in a separate interpreter: its own engine and connection pool, 10 agents racing in threads.
WORKER = textwrap.dedent("""
    import json, sys, threading
    from bot.db import make_engine, make_session_factory
    from handoff.agents import AgentDirectory
    from handoff.queue import HandoffQueue
    from tests.handoff.conftest import POLICY_FILE
    from handoff.policy import load_policy
    url, agent_ids, entry_ids = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
    sf = make_session_factory(make_engine(url))
    queue, directory = HandoffQueue(sf, load_policy(POLICY_FILE)), AgentDirectory(sf)
    agents = [directory.get(i) for i in agent_ids]
    wins, lock = [], threading.Lock()
    print("ready", flush=True)
    sys.stdin.readline()
    def race(agent):
        for entry_id in entry_ids:
            if queue.claim(entry_id, agent) is not None:
                with lock:
                    wins.append([entry_id, agent.id])
    threads = [threading.Thread(target=race, args=(a,)) for a in agents]
    [t.start() for t in threads]; [t.join() for t in threads]
    print(json.dumps(wins), flush=True)
""")


@pytest.fixture
def pg_url():
    with throwaway_schema("handoff") as url:
        engine = make_engine(url)
        create_tables(engine)
        engine.dispose()
        yield url


def test_twenty_agents_in_two_processes_claim_each_conversation_exactly_once(pg_url, policy):
    engine = make_engine(pg_url)
    sf = make_session_factory(engine)
    queue, directory = HandoffQueue(sf, policy), AgentDirectory(sf)
    entry_ids = [queue.enqueue(f"c{i}", GENERAL).id for i in range(5)]
    agent_ids = [directory.create(f"a{i}", "pw", capacity=5).id for i in range(20)]
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, pg_url, json.dumps(ids),
                               json.dumps(entry_ids)], cwd=PROJECT_ROOT, text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
             for ids in (agent_ids[:10], agent_ids[10:])]
    for p in procs:
        assert p.stdout.readline().strip() == "ready"
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    wins = []
    for p in procs:
        out, _ = p.communicate(timeout=120)
        assert p.returncode == 0
        wins += json.loads(out.strip().splitlines()[-1])
    assert sorted(Counter(e for e, _ in wins).items()) == [(i, 1) for i in entry_ids]
    for entry_id, agent_id in wins:
        assert queue.get(entry_id).agent_id == agent_id
    assert sum(directory.get(a).active_chats for a in agent_ids) == 5
    engine.dispose()


@pytest.mark.anyio
async def test_redis_bus_carries_events_between_instances():
    prefix = f"test-{uuid.uuid4().hex[:8]}:"
    one, two = RedisBus(REDIS_URL, prefix), RedisBus(REDIS_URL, prefix)
    try:
        async with two.subscribe("handoff:conv:x") as sub:
            await one.publish("handoff:conv:x", {"type": "agent_message", "text": "hi"})
            await one.publish("handoff:conv:other", {"type": "agent_message", "text": "not for x"})
            assert await sub.get(2) == {"type": "agent_message", "text": "hi"}
            assert await sub.get(0.2) is None
    finally:
        await one.close()
        await two.close()


@pytest.mark.anyio
async def test_one_instance_serves_hundreds_of_sockets_over_one_redis_subscriber():
    prefix = f"test-{uuid.uuid4().hex[:8]}:"
    sender, receiver = RedisBus(REDIS_URL, prefix), RedisBus(REDIS_URL, prefix)
    try:
        async with contextlib.AsyncExitStack() as stack:
            subs = [await stack.enter_async_context(receiver.subscribe(f"handoff:conv:{i}"))
                    for i in range(300)]
            async with receiver.subscribe("handoff:conv:7") as second_listener:
                for i in range(300):
                    await sender.publish(f"handoff:conv:{i}", {"n": i})
                assert [(await sub.get(5))["n"] for sub in subs] == list(range(300))
                assert (await second_listener.get(5))["n"] == 7
            await sender.publish("handoff:conv:7", {"n": "after the second socket left"})
            assert (await subs[7].get(5))["n"] == "after the second socket left"
    finally:
        await sender.close()
        await receiver.close()


def _instance(tmp_path: Path, pg_url: str, prefix: str) -> tuple[FastAPI, Engine]:
    """What one app instance holds: its own engine and its own Redis connection."""
    settings = Settings(var_dir=tmp_path, data_dir=PROJECT_ROOT / "data", database_url=pg_url,
                        redis_url=REDIS_URL)
    engine = make_engine(pg_url)
    app = FastAPI()
    app.include_router(router)
    app.state.handoff_desk = build_desk(settings, engine, bus=RedisBus(REDIS_URL, prefix))
    return app, engine


@pytest.mark.anyio
async def test_customer_on_one_instance_and_agent_on_another_talk_through_redis(tmp_path, pg_url):
    prefix = f"test-{uuid.uuid4().hex[:8]}:"
    (customer_side, engine_a), (agent_side, engine_b) = (_instance(tmp_path, pg_url, prefix)
                                                         for _ in range(2))
    desk_a, desk_b = customer_side.state.handoff_desk, agent_side.state.handoff_desk
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=agent_side),
                                 base_url="http://b") as b:
        token = (await b.post("/agent/login", json={"username": "agent",
                                                    "password": "agent-demo-pass"})).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        async with desk_a.customer_events("c1") as customer:
            await desk_a.escalate("c1", GENERAL)
            entry = (await b.post("/agent/queue/next", headers=headers)).json()
            assert (await customer.get(2))["type"] == "agent_joined"
            await b.post(f"/agent/conversations/{entry['entry_id']}/messages", headers=headers,
                         json={"text": "Hello from instance B"})
            event = await customer.get(2)
            assert (event["type"], event["text"]) == ("agent_message", "Hello from instance B")
            async with desk_b.bus.subscribe(f"handoff:agent:{entry['agent_id']}") as inbox:
                assert await desk_a.customer_message("c1", "Hello from instance A") is True
                assert (await inbox.get(2))["text"] == "Hello from instance A"
    for desk, engine in ((desk_a, engine_a), (desk_b, engine_b)):
        await desk.bus.close()
        engine.dispose()


def test_two_app_instances_on_different_ports_lose_and_duplicate_nothing():
    """Real servers (uvicorn, two ports) sharing PostgreSQL and Redis: customers on one, agents on
    the other; every conversation claimed once and every message delivered exactly once."""
    skip_without_postgres()  # the bench makes and drops its own schema
    out = subprocess.run(
        [sys.executable, "bench/handoff_load.py", "--instances", "2", "--conversations", "12",
         "--agents", "4", "--capacity", "3", "--messages", "3", "--timeout", "60",
         "--database-url", PG_URL, "--redis-url", REDIS_URL],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stderr[-2000:]
    report = json.loads(out.stdout[out.stdout.index("{"):])
    assert (report["instances"], report["claimed"]) == (2, 12)
    assert (report["lost"], report["duplicated"], report["unexpected"]) == (0, 0, 0)
    assert report["messages_delivered"] == report["messages_expected"] == 72
