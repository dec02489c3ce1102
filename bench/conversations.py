"""Replay scripted multi-turn conversations through the REST channel of a running stack and print
task success rate and turns per task (and the turn latency seen on the way).

A conversation succeeds when every turn's expected patterns appear in the bot's replies and the
ledger moved exactly as scripted (checked through GET /api/accounts). Conversations that need a
step-up code read it from the demo bank's outbox, so they need --database-url (the stack's ledger);
without it they are skipped and counted as such. Run it against a freshly seeded stack.

Usage: python bench/conversations.py --url http://127.0.0.1:8000 [--database-url sqlite:///var/bankbot.db]
       [--file bench/data/conversations.yml] [--verbose]
"""
from __future__ import annotations

import argparse
import re
import statistics
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import httpx
import yaml

DEFAULT_FILE = Path(__file__).with_name("data") / "conversations.yml"
PASSWORDS = {"alice": "alice-demo-pass", "bob": "bob-demo-pass", "carol": "carol-demo-pass",
             "dave": "dave-demo-pass", "erin": "erin-demo-pass"}


class OtpReader:
    """Latest security code sent to a customer, from the demo bank's outbox."""

    def __init__(self, database_url: str) -> None:
        from bot.bankcore.sql_bankcore import SqlBankCore
        from bot.db import make_engine, make_session_factory

        self._bank = SqlBankCore(make_session_factory(make_engine(database_url)))

    def latest(self, username: str) -> str:
        customer = self._bank.authenticate(username, PASSWORDS[username])
        body = self._bank.outbox(customer.id)[0].body
        return re.search(r"\b\d{6}\b", body).group(0)


def balances(client: httpx.Client, headers: dict[str, str]) -> dict[str, Decimal]:
    return {a["name"]: Decimal(str(a["balance"])) for a in client.get("/api/accounts", headers=headers).json()}


def run_one(client: httpx.Client, conversation: dict, otp: OtpReader | None, verbose: bool,
            latencies: list[float]) -> tuple[bool, str]:
    user = conversation["user"]
    headers: dict[str, str] = {}
    if user != "anon":
        token = client.post("/api/auth/login", json={"username": user, "password": PASSWORDS[user]}).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
    before = balances(client, headers) if conversation.get("ledger") else {}
    sender = client.post("/api/conversations", json={"channel": "rest"}, headers=headers).json()["conversation_id"]
    for turn in conversation["turns"]:
        message = turn["say"]
        if "{otp}" in message:
            message = message.replace("{otp}", otp.latest(user))
        sent = time.perf_counter()
        replies = client.post("/webhooks/rest/webhook", json={"sender": sender, "message": message},
                              headers=headers).json()
        latencies.append(time.perf_counter() - sent)
        for reply in replies:  # identified in the chat: the app hands over the conversation's token
            if session := (reply.get("custom") or {}).get("session"):
                headers = {"Authorization": f"Bearer {session['token']}"}
        said = "\n".join(r.get("text", "") for r in replies)
        if verbose:
            print(f"  > {message}\n    " + said.replace("\n", "\n    "))
        missing = [p for p in turn.get("expect", []) if not re.search(p, said, re.IGNORECASE)]
        if missing:
            return False, f"turn {message!r}: expected {missing}, got {said!r}"
    if conversation.get("ledger"):
        after = balances(client, headers)
        for name, delta in conversation["ledger"].items():
            if after[name] - before[name] != Decimal(delta):
                return False, f"ledger: {name} moved {after[name] - before[name]}, expected {delta}"
    return True, ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--database-url", default=None, help="the stack's ledger, for step-up codes")
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    conversations = yaml.safe_load(args.file.read_text())["conversations"]
    otp = OtpReader(args.database_url) if args.database_url else None
    results, turns, skipped, latencies = [], defaultdict(list), 0, []
    started = time.monotonic()
    with httpx.Client(base_url=args.url, timeout=60) as client:
        for conversation in conversations:
            if otp is None and any("{otp}" in t["say"] for t in conversation["turns"]):
                skipped += 1
                continue
            if args.verbose:
                print(f"- {conversation['name']}")
            ok, why = run_one(client, conversation, otp, args.verbose, latencies)
            results.append(ok)
            turns[conversation["task"]].append(len(conversation["turns"]))
            print(f"{'PASS' if ok else 'FAIL'}  {conversation['name']}" + (f"\n      {why}" if why else ""))
    total_turns = sum(sum(v) for v in turns.values())
    print(f"\nconversations: {len(results)} run, {skipped} skipped (need --database-url)")
    print(f"task success rate: {sum(results) / len(results):.1%} ({sum(results)}/{len(results)})")
    print(f"turns per task: mean {statistics.mean(t for v in turns.values() for t in v):.2f} "
          f"over {total_turns} turns; by task: "
          + ", ".join(f"{task} {statistics.mean(v):.1f}" for task, v in sorted(turns.items())))
    ordered = sorted(latencies)
    print(f"turn latency: p50 {1000 * statistics.median(ordered):.0f} ms, "
          f"p95 {1000 * ordered[int(0.95 * (len(ordered) - 1))]:.0f} ms (sequential, one conversation at a time)")
    print(f"wall time: {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
