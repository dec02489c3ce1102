"""Text-turn latency through the REST channel against a running stack.

Usage: start the product (`make run`), then
    .venv/bin/python bench/turn_latency.py [--url http://127.0.0.1:8000] [--turns 200] [--concurrency 20]
Prints p50/p95/p99 latency and turns/s for sequential turns and for N concurrent conversations.
Each conversation is --length turns long (a realistic chat), so the tracker Rasa loads per turn
stays the size it has in production.
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import time

import httpx

MESSAGES = [
    "hello", "what's my balance", "my card hasn't arrived yet", "how do I top up by bank transfer",
    "thanks", "why was I charged a fee for withdrawing cash", "is there a fee for exchanging money",
    "goodbye",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def stage_means(metrics_text: str) -> dict[str, tuple[float, float]]:
    """(seconds summed, count) per stage from the app's Prometheus histograms."""
    found: dict[str, list[float]] = {}
    for line in metrics_text.splitlines():
        for suffix, slot in (("_sum", 0), ("_count", 1)):
            prefix = f"bankbot_stage_seconds{suffix}{{stage=\""
            if line.startswith(prefix):
                stage = line[len(prefix):line.index('"', len(prefix))]
                found.setdefault(stage, [0.0, 0.0])[slot] = float(line.rsplit(" ", 1)[1])
    return {stage: (total, count) for stage, (total, count) in found.items()}


def report(label: str, latencies: list[float], elapsed: float) -> None:
    ms = [v * 1000 for v in latencies]
    print(f"{label}: turns={len(ms)} p50={percentile(ms, 50):.1f}ms p95={percentile(ms, 95):.1f}ms "
          f"p99={percentile(ms, 99):.1f}ms mean={statistics.mean(ms):.1f}ms "
          f"throughput={len(ms) / elapsed:.1f} turns/s")


async def conversation(http: httpx.AsyncClient, headers: dict, turns: int, latencies: list[float]) -> None:
    start = await http.post("/api/conversations", json={"channel": "rest"}, headers=headers)
    sender = start.json()["conversation_id"]
    for message in itertools.islice(itertools.cycle(MESSAGES), turns):
        began = time.perf_counter()
        response = await http.post("/webhooks/rest/webhook", json={"sender": sender, "message": message},
                                   headers=headers)
        latencies.append(time.perf_counter() - began)
        response.raise_for_status()


async def worker(http: httpx.AsyncClient, headers: dict, conversations: int, length: int,
                 latencies: list[float]) -> None:
    for _ in range(conversations):
        await conversation(http, headers, length, latencies)


async def run(url: str, turns: int, concurrency: int, length: int, user: str, password: str) -> None:
    limits = httpx.Limits(max_connections=concurrency + 5)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:
        login = await http.post("/api/auth/login", json={"username": user, "password": password})
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        await conversation(http, headers, length, [])  # warm-up
        conversations = max(1, turns // length)
        latencies: list[float] = []
        began = time.perf_counter()
        await worker(http, headers, conversations, length, latencies)
        report("sequential (1 client)", latencies, time.perf_counter() - began)
        latencies = []
        per_worker = max(1, conversations // concurrency)
        began = time.perf_counter()
        await asyncio.gather(*(worker(http, headers, per_worker, length, latencies)
                               for _ in range(concurrency)))
        report(f"concurrent ({concurrency} conversations at once)", latencies,
               time.perf_counter() - began)
        stages = stage_means((await http.get("/metrics")).text)
        print("mean seconds per call by stage (whole process lifetime): " + ", ".join(
            f"{stage}={total / count * 1000:.0f}ms" for stage, (total, count) in sorted(stages.items())
            if count))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--length", type=int, default=8, help="turns per conversation")
    parser.add_argument("--user", default="alice")
    parser.add_argument("--password", default="alice-demo-pass")
    args = parser.parse_args()
    asyncio.run(run(args.url, args.turns, args.concurrency, args.length, args.user, args.password))


if __name__ == "__main__":
    main()
