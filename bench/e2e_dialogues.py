"""Goal-driven simulated customers through the running stack's REST channel, judged by their effect.

Each dialogue (``bench/data/e2e_dialogues*.yaml``, format in ``bench/data/e2e_blind_brief/
dialogues.md``) gives a customer, the tasks they want done (what they open with, what they answer
when asked, whether they confirm), where they switch task or ask something on the side, and the
expected effect. The simulator reads the bot's last message to tell what it is being asked (amount,
payee, account, confirmation, "switch?", "go back to ...?", identification, security code ...)
and answers from the goal, the way a customer with that goal would. The judge looks only at
effects: balance changes through ``GET /api/accounts``, card status and dispute cases in the
ledger, and facts the customer needed to be told (a balance, a salary amount). The demo bank is
re-seeded before every dialogue, so each starts from the same ledger.

Prints PASS/FAIL per dialogue, task success overall and for dialogues with task switches,
digressions, cancellations and anonymous customers, and turns per task.

    .venv/bin/python bench/e2e_dialogues.py [--file F ...] [--url URL --database-url DB] [-v]

Without ``--url`` it starts its own stack (``bankbot serve`` on free ports, SQLite in a temp folder).
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import yaml
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.bankcore.seed import seed_demo_bank  # noqa: E402
from bot.bankcore.sql_bankcore import SqlBankCore  # noqa: E402
from bot.bankcore.sql_models import DisputeRow  # noqa: E402
from bot.db import make_engine, make_session_factory  # noqa: E402
from tests.stack.running import run_stack  # noqa: E402

DATA = ROOT / "bench" / "data"
FILES = [DATA / "e2e_dialogues_blind1.yaml", DATA / "e2e_dialogues_blind2.yaml"]
DEMO_BANK = ROOT / "data" / "bank" / "demo_bank.yml"
MAX_MESSAGES = 30
MAX_REPEATS = 3  # the same question this many times in a row: the customer gives up on the task

# What the bot's last message asks, first match wins (the simulator's reading of the bot).
ASKS = [
    ("switch", r"\bswitch\b"),
    ("resume", r"\b(?:go back to|carry on with|pick up|resume|continue with)\b"),
    ("person", r"\b(?:connect|put) you (?:through )?to a colleague\b.*\?"),
    ("confirm", r"shall i go ahead|please confirm|go ahead\?"),
    ("code", r"\bcode\b"),
    ("customer_number", r"customer number"),
    ("secret", r"date of birth|\bPIN\b"),
    ("transaction", r"which payment"),
    ("reason", r"what went wrong"),
    ("new_payee_name", r"name of the person or company"),
    ("new_payee_bank", r"which bank"),
    ("new_payee_account", r"account number\?"),
    ("payee", r"who would you like to (?:send|pay)|send money to\?|which payee"),
    ("from_account", r"which account|come from|pay (?:it )?from"),
    ("amount", r"how much|another amount"),
    ("date", r"when should the money go|which (?:day|date)|what date"),
    ("card", r"which card"),
]
DEFAULTS = {"date": "today", "confirm": "yes", "switch": "yes", "resume": "yes", "person": "no"}


def asked(text: str) -> str | None:
    for name, pattern in ASKS:
        if re.search(pattern, text, re.IGNORECASE):
            return name
    return None


def said_value(value: Any) -> str:
    """YAML reads a bare yes/no as a bool; a customer says it."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


def plain(text: str) -> str:
    return re.sub(r"(?<=\d),(?=\d{3}\b)", "", " ".join(str(text).lower().split()))


@dataclass
class Task:
    index: int  # 1-based, as the YAML's `at: {task: N}` counts
    spec: dict[str, Any]

    def answer(self, question: str) -> str | None:
        if question in ("confirm", "switch", "resume", "person"):
            return said_value(self.spec.get(question, DEFAULTS[question]))
        give = self.spec.get("give") or {}
        if question in give:
            return said_value(give[question])
        return DEFAULTS.get(question)


@dataclass
class Run:
    messages: int = 0
    replies: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    transcript: list[str] = field(default_factory=list)


class Bank:
    """The stack's ledger, read directly for what the customer API does not show."""

    def __init__(self, database_url: str) -> None:
        self._factory = make_session_factory(make_engine(database_url))
        self.core = SqlBankCore(self._factory)
        self.customers = {c["username"]: c for c in yaml.safe_load(DEMO_BANK.read_text())["customers"]}

    def reset(self) -> None:
        seed_demo_bank(self._factory, DEMO_BANK, reset=True)

    def customer_id(self, username: str) -> int:
        c = self.customers[username]
        return self.core.authenticate(username, c["password"]).id

    def cards(self, username: str) -> dict[str, str]:
        return {c.last4: c.status for c in self.core.list_cards(self.customer_id(username))}

    def disputes(self, username: str) -> int:
        with self._factory() as s:
            return s.scalar(select(func.count()).select_from(DisputeRow).where(
                DisputeRow.customer_id == self.customer_id(username)))

    def code(self, username: str) -> str:
        body = self.core.outbox(self.customer_id(username))[0].body
        return re.search(r"\b\d{6}\b", body).group(0)


class Customer:
    """One simulated customer working through a dialogue's tasks."""

    def __init__(self, client: httpx.Client, bank: Bank, dialogue: dict[str, Any], verbose: bool) -> None:
        self.client, self.bank, self.dialogue, self.verbose = client, bank, dialogue, verbose
        user = str(dialogue["user"])
        self.anonymous = user.startswith("anon:")
        self.username = user.removeprefix("anon:")
        self.profile = bank.customers[self.username]
        self.tasks = [Task(i, spec) for i, spec in enumerate(dialogue["tasks"], start=1)]
        self.events = [("task", t) for t in self.tasks if t.spec.get("at")]
        self.events += [("aside", a) for a in dialogue.get("asides") or []]
        self.run = Run()
        self.headers = self._login()
        self.chat_headers: dict[str, str] = {} if self.anonymous else self.headers
        self.sender = client.post("/api/conversations", json={"channel": "rest"},
                                  headers={} if self.anonymous else self.headers).json()["conversation_id"]

    def _login(self) -> dict[str, str]:
        token = self.client.post("/api/auth/login", json={"username": self.username,
                                                          "password": self.profile["password"]}).json()["token"]
        return {"Authorization": f"Bearer {token}"}

    def balances(self) -> dict[str, Decimal]:
        rows = self.client.get("/api/accounts", headers=self.headers).json()
        return {a["name"]: Decimal(str(a["balance"])) for a in rows}

    def say(self, text: str) -> str:
        replies = self.client.post("/webhooks/rest/webhook", json={"sender": self.sender, "message": text},
                                   headers=self.chat_headers).json()
        for reply in replies:  # identified in the chat: the app hands over the conversation's token
            if session := (reply.get("custom") or {}).get("session"):
                self.chat_headers = {"Authorization": f"Bearer {session['token']}"}
        said = "\n".join(r.get("text") or "" for r in replies)
        self.run.messages += 1
        self.run.replies.append(said)
        self.run.transcript.append(f"  > {text}\n    " + said.replace("\n", "\n    "))
        return replies[-1].get("text") or "" if replies else ""

    def _event(self, task: Task, question: str | None) -> tuple[str, Any] | None:
        for event in self.events:
            at = event[1].get("at") if event[0] == "aside" else event[1].spec["at"]
            if int(at.get("task", 1)) == task.index and at.get("asked") == question:
                self.events.remove(event)
                return event
        return None

    def play(self) -> Run:
        pending = [t for t in self.tasks if not t.spec.get("at")]
        stack: list[Task] = []
        last: str | None = None
        repeats = 0
        while pending or stack:
            if not stack:
                stack.append(pending.pop(0))
                bot = self.say(str(stack[-1].spec["say"]))
            while stack and self.run.messages < MAX_MESSAGES:
                task, question = stack[-1], asked(bot)
                repeats = repeats + 1 if question and question == last else 0
                last = question
                if repeats >= MAX_REPEATS:
                    self.run.problems.append(f"task {task.index}: asked {question!r} {repeats + 1} times")
                    stack.pop()
                    break
                cancel = task.spec.get("cancel_at") or {}
                event = self._event(task, question) if question else None
                if event and event[0] == "task":
                    stack.append(event[1])
                    bot = self.say(str(event[1].spec["say"]))
                elif event:  # an aside: its reply must state what it expects
                    aside = event[1]
                    bot = self.say(str(aside["say"]))
                    missing = [v for v in aside.get("expect") or [] if plain(v) not in plain(self.run.replies[-1])]
                    if missing:
                        self.run.problems.append(f"aside {aside['say']!r}: reply did not state {missing}")
                elif question and cancel.get("asked") == question:
                    self.say(str(cancel["say"]))
                    stack.pop()
                    break
                elif question == "resume":
                    bot = self.say(task.answer("resume"))
                    stack.pop()
                elif question == "customer_number":
                    bot = self.say(str(self.profile["customer_number"]))
                elif question == "secret":
                    bot = self.say(str(self.profile["pin"]))
                elif question == "code":
                    bot = self.say(self.bank.code(self.username))
                elif question is not None and task.answer(question) is not None:
                    bot = self.say(task.answer(question))
                else:  # the bot asks nothing this task can answer: the task is over, one way or another
                    stack.pop()
                    if stack and question is not None and stack[-1].answer(question) is not None:
                        continue  # the bot went straight back to the interrupted task's question
                    if stack:  # an interrupted task the bot did not offer to resume: the customer gives up
                        self.run.problems.append(f"task {stack[-1].index} was never resumed")
                        stack.clear()
                    break
            if self.run.messages >= MAX_MESSAGES:
                self.run.problems.append("too many messages")
                break
        for kind, event in self.events:
            self.run.problems.append(f"{kind} never came up: {event.spec['say'] if kind == 'task' else event['say']!r}")
        return self.run


def judge(customer: Customer, before: dict[str, Any], run: Run) -> list[str]:
    expect = customer.dialogue.get("expect") or {}
    problems = list(run.problems)
    after = customer.balances()
    ledger = {name: Decimal(str(delta)) for name, delta in (expect.get("ledger") or {}).items()}
    for name, balance in after.items():
        moved = balance - before["balances"].get(name, balance)
        if moved != ledger.get(name, Decimal(0)):
            problems.append(f"ledger: {name} moved {moved}, expected {ledger.get(name, Decimal(0))}")
    cards = customer.bank.cards(customer.username)
    for last4, status in (expect.get("cards") or {}).items():
        if cards.get(str(last4)) != status:
            problems.append(f"card {last4} is {cards.get(str(last4))}, expected {status}")
    opened = customer.bank.disputes(customer.username) - before["disputes"]
    if opened != int(expect.get("disputes") or 0):
        problems.append(f"{opened} dispute(s) opened, expected {expect.get('disputes') or 0}")
    text = plain("\n".join(run.replies))
    for value in expect.get("said") or []:
        if plain(value) not in text:
            problems.append(f"never said {value!r}")
    for name in expect.get("tells_balance") or []:
        values = {f"{before['balances'][name]:.2f}", f"{after[name]:.2f}"}
        if not any(v.lstrip("-") in text for v in values):
            problems.append(f"never told the balance of {name} ({' or '.join(sorted(values))})")
    return problems


def features(dialogue: dict[str, Any]) -> list[str]:
    tasks = dialogue["tasks"]
    found = []
    if any(t.get("at") for t in tasks):
        found.append("task switch")
    if dialogue.get("asides"):
        found.append("digression")
    if any(t.get("cancel_at") or t.get("confirm") in (False, "no") or str(t.get("confirm", "")).lower().startswith("no")
           for t in tasks):
        found.append("cancel/decline")
    if str(dialogue["user"]).startswith("anon:"):
        found.append("anonymous")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, nargs="*", help="dialogue files (default: the blind sets)")
    parser.add_argument("--url", help="a running stack (needs --database-url; default: start one)")
    parser.add_argument("--database-url", help="the running stack's database")
    parser.add_argument("--only", help="run dialogues whose name contains this")
    parser.add_argument("-v", "--verbose", action="store_true", help="print the failed dialogues' transcripts")
    args = parser.parse_args()
    files = args.file or FILES

    def run(url: str, database_url: str) -> None:
        bank = Bank(database_url)
        started = time.monotonic()
        with httpx.Client(base_url=url, timeout=120) as client:
            for path in files:
                dialogues = yaml.safe_load(path.read_text())["dialogues"]
                dialogues = [d for d in dialogues if not args.only or args.only in d["name"]]
                results: list[tuple[dict, bool, int]] = []
                print(f"== {path.name}")
                for dialogue in dialogues:
                    bank.reset()
                    customer = Customer(client, bank, dialogue, args.verbose)
                    before = {"balances": customer.balances(), "disputes": bank.disputes(customer.username)}
                    outcome = customer.play()
                    problems = judge(customer, before, outcome)
                    results.append((dialogue, not problems, outcome.messages))
                    print(f"{'PASS' if not problems else 'FAIL'}  {dialogue['name']}"
                          + "".join(f"\n      {p}" for p in problems), flush=True)
                    if problems and args.verbose:
                        print("\n".join(outcome.transcript))
                summarise(results)
        print(f"wall time: {time.monotonic() - started:.0f} s")

    if args.url:
        if not args.database_url:
            parser.error("--url needs --database-url (the bench re-seeds the demo bank and reads the ledger)")
        run(args.url, args.database_url)
    else:
        with tempfile.TemporaryDirectory() as tmp, run_stack(Path(tmp)) as stack:
            run(stack.url, stack.database_url)


def summarise(results: list[tuple[dict, bool, int]]) -> None:
    passed = sum(ok for _, ok, _ in results)
    print(f"task success: {passed}/{len(results)} = {passed / max(len(results), 1):.1%}")
    for name in ("task switch", "digression", "cancel/decline", "anonymous"):
        subset = [ok for dialogue, ok, _ in results if name in features(dialogue)]
        if subset:
            print(f"  with {name}: {sum(subset)}/{len(subset)}")
    per_task = [messages / len(d["tasks"]) for d, _, messages in results]
    print(f"turns per task: mean {statistics.mean(per_task):.2f}")


if __name__ == "__main__":
    main()
