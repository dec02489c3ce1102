"""Hand-off under load: N conversations escalate at once to M agents over real sockets.

Starts the agent API in separate server process(es) (uvicorn), then from this process opens one
WebSocket per customer and per agent, escalates every conversation, lets agents claim through
REST, and exchanges messages both ways. Prints time-to-claim, delivery latency p50/p99 and
whether any message was lost or duplicated.

The customer socket here is a stand-in for the gateway's (``/bench/customer/{id}``): it calls the
same ``HandoffDesk`` seam the gateway calls.

    .venv/bin/python bench/handoff_load.py                    # SQLite, one instance
    .venv/bin/python bench/handoff_load.py --instances 2 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test --redis-url redis://127.0.0.1:6379/0
"""
import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PASSWORD = "bench-pass"


def serve(args: argparse.Namespace) -> None:
    """Server mode: the agent router plus a customer socket that calls the desk like the gateway."""
    import uvicorn
    from fastapi import FastAPI, WebSocket, WebSocketDisconnect

    from bot.db import make_engine
    from bot.settings import Settings
    from handoff.agent_api import router
    from handoff.events import RedisBus
    from handoff.setup import build_desk
    from handoff.triggers import HandoffDecision

    settings = Settings(database_url=args.database_url, redis_url=args.redis_url)
    bus = RedisBus(args.redis_url, args.prefix) if args.redis_url else None
    desk = build_desk(settings, make_engine(args.database_url), bus=bus, seed_agents=False)
    app = FastAPI()
    app.include_router(router)
    app.state.handoff_desk = desk
    decision = HandoffDecision("human_request", ("general", "lang:en"), 0.0, "bench")

    @app.websocket("/bench/customer/{cid}")
    async def customer(ws: WebSocket, cid: str) -> None:
        await ws.accept()
        async with desk.customer_events(cid) as sub:
            async def forward() -> None:
                async for event in sub:
                    await ws.send_json(event)

            task = asyncio.create_task(forward())
            await ws.send_json({"type": "ready"})
            try:
                while True:
                    msg = await ws.receive_json()
                    if msg["type"] == "escalate":
                        await desk.escalate(cid, decision, channel="bench")
                    else:
                        await desk.customer_message(cid, msg["text"])
            except WebSocketDisconnect:
                pass
            finally:
                task.cancel()

    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", ws_max_queue=1024)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run(args: argparse.Namespace, ports: list[int]) -> dict:
    import httpx
    import websockets

    bases = [f"127.0.0.1:{p}" for p in ports]
    agent_base = [bases[(j + 1) % len(bases)] for j in range(args.agents)]
    cust_base = [bases[i % len(bases)] for i in range(args.conversations)]
    cids = [f"bench-{uuid.uuid4().hex[:8]}-{i}" for i in range(args.conversations)]
    escalated: dict[str, float] = {}
    claimed: dict[str, float] = {}
    received: Counter[str] = Counter()
    lat_to_customer: list[float] = []
    lat_to_agent: list[float] = []
    joined: dict[str, asyncio.Event] = {c: asyncio.Event() for c in cids}
    limits = httpx.Limits(max_connections=args.agents * 2)
    http = httpx.AsyncClient(timeout=30, limits=limits)

    async def customer(i: int, ready: asyncio.Event, done: asyncio.Event) -> None:
        cid = cids[i]
        async with websockets.connect(f"ws://{cust_base[i]}/bench/customer/{cid}", max_queue=None) as ws:
            assert json.loads(await ws.recv())["type"] == "ready"
            ready.set()
            await go.wait()
            escalated[cid] = time.perf_counter()
            await ws.send(json.dumps({"type": "escalate"}))

            async def listen() -> None:
                async for raw in ws:
                    ev = json.loads(raw)
                    if ev["type"] == "agent_joined":
                        joined[cid].set()
                    elif ev["type"] == "agent_message":
                        key, sent = ev["text"].split("|")
                        received[key] += 1
                        lat_to_customer.append(time.perf_counter() - float(sent))

            listener = asyncio.create_task(listen())
            await joined[cid].wait()
            for k in range(args.messages):
                await ws.send(json.dumps({"type": "message",
                                          "text": f"c:{cid}:{k}|{time.perf_counter()}"}))
                await asyncio.sleep(args.gap)
            await done.wait()
            listener.cancel()

    async def agent(j: int, ready: asyncio.Event, done: asyncio.Event) -> None:
        base = agent_base[j]
        r = await http.post(f"http://{base}/agent/login",
                            json={"username": f"bench{j}", "password": PASSWORD})
        headers = {"Authorization": f"Bearer {r.json()['token']}"}
        async with websockets.connect(f"ws://{base}/agent/ws", max_queue=None) as ws:
            await ws.send(json.dumps({"type": "auth", "token": headers["Authorization"][7:]}))
            assert json.loads(await ws.recv())["type"] == "ready"

            queue_moved = asyncio.Event()

            async def listen() -> None:
                async for raw in ws:
                    ev = json.loads(raw)
                    if ev["type"] == "queue_changed":
                        queue_moved.set()
                    elif ev["type"] == "customer_message":
                        key, sent = ev["text"].split("|")
                        received[key] += 1
                        lat_to_agent.append(time.perf_counter() - float(sent))

            listener = asyncio.create_task(listen())
            ready.set()
            await go.wait()
            mine: list[dict] = []
            while len(claimed) < len(cids):
                r = await http.post(f"http://{base}/agent/queue/next", headers=headers)
                if r.status_code == 200:
                    conv = r.json()
                    claimed[conv["conversation_id"]] = time.perf_counter()
                    mine.append(conv)
                else:  # like the console: try again when the queue changes
                    queue_moved.clear()
                    try:
                        await asyncio.wait_for(queue_moved.wait(), 0.5)
                    except asyncio.TimeoutError:
                        pass
            for k in range(args.messages):
                for conv in mine:
                    text = f"a:{conv['conversation_id']}:{k}|{time.perf_counter()}"
                    await http.post(f"http://{base}/agent/conversations/{conv['entry_id']}/messages",
                                    headers=headers, json={"text": text})
                await asyncio.sleep(args.gap)
            await done.wait()
            listener.cancel()

    go, done = asyncio.Event(), asyncio.Event()
    readies = [asyncio.Event() for _ in range(args.conversations + args.agents)]
    tasks = [asyncio.create_task(customer(i, readies[i], done)) for i in range(args.conversations)]
    tasks += [asyncio.create_task(agent(j, readies[args.conversations + j], done))
              for j in range(args.agents)]
    while not all(r.is_set() for r in readies):
        failed = [t for t in tasks if t.done() and t.exception()]
        if failed:
            raise RuntimeError("a client failed to connect") from failed[0].exception()
        await asyncio.sleep(0.05)
    start = time.perf_counter()
    go.set()
    expected = 2 * args.conversations * args.messages
    deadline = time.perf_counter() + args.timeout
    while sum(received.values()) < expected and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    await asyncio.sleep(1.0)  # let any duplicate arrive before counting
    elapsed = time.perf_counter() - start
    done.set()
    await asyncio.sleep(0.2)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await http.aclose()
    ttc = [claimed[c] - escalated[c] for c in cids if c in claimed and c in escalated]
    keys = {f"{side}:{c}:{k}" for c in cids for k in range(args.messages) for side in "ca"}
    return {
        "conversations": args.conversations, "agents": args.agents, "instances": len(ports),
        "database": args.database_url.split(":")[0], "bus": "redis" if args.redis_url else "in-process",
        "claimed": len(claimed),
        "time_to_claim_s": {"p50": _pct(ttc, 0.5), "p99": _pct(ttc, 0.99), "max": max(ttc, default=0)},
        "agent_to_customer_ms": {"p50": 1000 * _pct(lat_to_customer, 0.5),
                                 "p99": 1000 * _pct(lat_to_customer, 0.99)},
        "customer_to_agent_ms": {"p50": 1000 * _pct(lat_to_agent, 0.5),
                                 "p99": 1000 * _pct(lat_to_agent, 0.99)},
        "messages_expected": expected, "messages_delivered": sum(min(n, 1) for n in received.values()),
        "lost": len(keys - set(received)), "duplicated": sum(1 for n in received.values() if n > 1),
        "unexpected": len(set(received) - keys), "elapsed_s": elapsed,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--conversations", type=int, default=200)
    ap.add_argument("--agents", type=int, default=20)
    ap.add_argument("--capacity", type=int, default=10, help="concurrent chats per agent")
    ap.add_argument("--messages", type=int, default=5, help="messages each way per conversation")
    ap.add_argument("--gap", type=float, default=0.05, help="seconds between a sender's messages")
    ap.add_argument("--instances", type=int, default=1)
    ap.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    ap.add_argument("--redis-url", default=None, help="needed with --instances > 1")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--prefix", default="bench:", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(args)
        return
    if args.instances > 1 and not (args.redis_url and args.database_url):
        ap.error("several instances need a shared --database-url and --redis-url")
    if args.agents * args.capacity < args.conversations:
        ap.error("agents x capacity must cover every conversation")
    with tempfile.TemporaryDirectory() as tmp:
        schema = None
        if args.database_url is None:
            args.database_url = f"sqlite:///{Path(tmp) / 'handoff-bench.db'}"
        elif args.database_url.startswith("postgresql"):
            schema = f"handoff_bench_{uuid.uuid4().hex[:8]}"
            _pg(args.database_url, f'CREATE SCHEMA "{schema}"')
            base_url = args.database_url
            args.database_url = f"{base_url}?options=-csearch_path%3D{schema}"
        try:
            _prepare(args)
            print(json.dumps(_measure(args), indent=2))
        finally:
            if schema:
                _pg(base_url, f'DROP SCHEMA "{schema}" CASCADE')


def _pg(url: str, sql: str) -> None:
    from sqlalchemy import text

    from bot.db import make_engine
    engine = make_engine(url)
    with engine.begin() as c:
        c.execute(text(sql))
    engine.dispose()


def _prepare(args: argparse.Namespace) -> None:
    """Tables and bench agents, created before any server starts."""
    from bot.db import make_engine, make_session_factory
    from handoff.agents import AgentDirectory
    from handoff.models import create_tables

    engine = make_engine(args.database_url)
    create_tables(engine)
    directory = AgentDirectory(make_session_factory(engine))
    for j in range(args.agents):
        directory.create(f"bench{j}", PASSWORD, capacity=args.capacity)
    engine.dispose()


def _measure(args: argparse.Namespace) -> dict:
    ports = [_free_port() for _ in range(args.instances)]
    args.prefix = f"bench-{uuid.uuid4().hex[:8]}:"
    servers = [subprocess.Popen(
        [sys.executable, __file__, "--serve", "--port", str(p), "--database-url", args.database_url,
         "--prefix", args.prefix] + (["--redis-url", args.redis_url] if args.redis_url else []),
        cwd=ROOT, env={**os.environ, "BANKBOT_RASA_MANAGE": "false"}) for p in ports]
    try:
        for p in ports:
            _wait_listening(p)
        return asyncio.run(run(args, ports))
    finally:
        for s in servers:
            s.terminate()
            s.wait(10)


def _wait_listening(port: int, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"server on port {port} did not start")


if __name__ == "__main__":
    main()
