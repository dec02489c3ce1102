"""Knowledge questions the way a customer asks them: through the running stack's REST channel, one
question per fresh conversation, and the same question again inside a transfer form; the component
figure (NLU + KnowledgeAnswerer called directly) beside it.

Per set it prints: right answer, wrong answer, the rephrase reply, the out-of-scope reply and
clarifying questions over the REST channel; the component's right count; inside the form, right
answers and how often the form then asked its pending question again. Sets: every graph QA set,
the FAQ paraphrases and the blind end-to-end sets (``--sets`` picks some by file name).

A reply is right when it states what the item expects: a graph fact's values (from the reply's
``custom.result`` or its text), exactly the expected node ids (lists, comparisons, documents,
procedures), the expected FAQ as the answer's source, the not-offered answer, the out-of-scope reply
for non-banking questions, or a clarifying question for vague ones; for the FAQ paraphrases no FAQ
answers (``faq: null``), any reply but a knowledge answer (a clarifying question, the out-of-scope
reply, a greeting): the bot must not guess.

    .venv/bin/python bench/e2e_knowledge.py [--url URL] [--sets NAME ...] [--no-form] [-v]

Without ``--url`` it starts its own stack (``bankbot serve`` on free ports, SQLite in a temp folder).
"""
from __future__ import annotations

import argparse
import re
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nlu.service import lookup_intent  # noqa: E402
from tests.stack.running import run_stack  # noqa: E402

DATA = ROOT / "bench" / "data"
SETS = [*(DATA / f"graph_qa{suffix}.yaml" for suffix in
          ["", "_holdout", *(f"_holdout{i}" for i in range(2, 14))]),
        DATA / "faq_paraphrases.yaml", DATA / "e2e_knowledge_blind1.yaml", DATA / "e2e_knowledge_blind2.yaml"]
ANSWERABLE = {"graph", "faq", "not_offered"}
FORM_OPENER = "I'd like to make a transfer"
USER, PASSWORD = "alice", "alice-demo-pass"


@dataclass(frozen=True)
class Item:
    q: str
    kind: str  # graph | faq | not_offered | out_of_scope | clarify | no_guess
    answer: tuple[str, ...] = ()
    before: tuple[str, ...] = ()


@dataclass
class Reply:
    """What the customer got for one message: all texts, and the knowledge payload if any."""

    text: str
    kind: str | None = None
    sources: list[str] = field(default_factory=list)
    result: list[str] | None = None


def load_items(path: Path) -> list[Item]:
    doc = yaml.safe_load(path.read_text())
    items = []
    for raw in doc["items"]:
        if "faq" in raw:  # the FAQ paraphrase set: faq id, or null for "no FAQ answers it: do not guess"
            items.append(Item(raw["q"], "faq" if raw["faq"] else "no_guess", (raw["faq"],) if raw["faq"] else ()))
        else:
            items.append(Item(raw["q"], raw["kind"], tuple(raw.get("answer") or ()), tuple(raw.get("before") or ())))
    return items


def plain(text: str) -> str:
    """Lower case, single spaces, no thousands separators."""
    return re.sub(r"(?<=\d),(?=\d{3}\b)", "", " ".join(str(text).lower().split()))


class Judge:
    """One verdict for a REST reply and for a component answer alike."""

    def __init__(self) -> None:
        domain = yaml.safe_load((ROOT / "data" / "rasa" / "domain.yml").read_text())
        self.rephrase = domain["responses"]["utter_please_rephrase"][0]["text"]
        self.out_of_scope = domain["responses"]["utter_out_of_scope"][0]["text"]
        self.ask_payee = domain["responses"]["utter_ask_payee"][0]["text"]
        self.names = {}
        for file in (ROOT / "data" / "knowledge" / "graph").glob("*.yaml"):
            for node in yaml.safe_load(file.read_text()).get("nodes") or []:
                self.names[node["id"]] = node.get("name", node["id"])

    def category(self, item: Item, reply: Reply) -> str:
        if self.right(item, reply):
            return "right"
        if self.rephrase in reply.text:
            return "rephrase"
        if self.out_of_scope in reply.text:
            return "out_of_scope"
        if reply.kind == "clarify":
            return "clarify"
        return "wrong"

    def right(self, item: Item, reply: Reply) -> bool:
        if item.kind == "out_of_scope":
            return self.out_of_scope in reply.text
        if item.kind == "clarify":
            return reply.kind == "clarify"
        if item.kind == "no_guess":  # vague or off-topic: anything but a knowledge answer
            return reply.kind not in ANSWERABLE
        if item.kind == "not_offered":
            return reply.kind == "not_offered"
        if item.kind == "faq":
            return bool(reply.sources) and reply.sources[0] == item.answer[0]
        if reply.result is not None and reply.kind == "graph" and sorted(reply.result) == sorted(item.answer):
            return True
        if all(a in self.names for a in item.answer):  # node ids: named in a payload-less reply
            return reply.result is None and all(plain(self.names[a]) in plain(reply.text) for a in item.answer)
        return all(plain(v) in plain(reply.text) for v in item.answer)


def reply_of(messages: list[dict[str, Any]]) -> Reply:
    reply = Reply("\n".join(m.get("text") or "" for m in messages))
    for message in messages:
        custom = message.get("custom") or {}
        if "kind" in custom or "sources" in custom:
            reply.kind = custom.get("kind")
            reply.sources = list(custom.get("sources") or [])
            reply.result = custom.get("result")
            break
    return reply


class Channel:
    """The REST channel of a running stack, one httpx client per thread."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._local = threading.local()
        self._token: str | None = None

    def client(self) -> httpx.Client:
        if not hasattr(self._local, "client"):
            self._local.client = httpx.Client(base_url=self.url, timeout=120)
        return self._local.client

    def headers(self, logged_in: bool) -> dict[str, str]:
        if not logged_in:
            return {}
        if self._token is None:
            response = self.client().post("/api/auth/login", json={"username": USER, "password": PASSWORD})
            self._token = response.json()["token"]
        return {"Authorization": f"Bearer {self._token}"}

    def start(self, logged_in: bool = False) -> str:
        response = self.client().post("/api/conversations", json={"channel": "rest"},
                                      headers=self.headers(logged_in))
        response.raise_for_status()
        return response.json()["conversation_id"]

    def say(self, sender: str, text: str, logged_in: bool = False) -> list[dict[str, Any]]:
        response = self.client().post("/webhooks/rest/webhook", json={"sender": sender, "message": text},
                                      headers=self.headers(logged_in))
        response.raise_for_status()
        return response.json()


def ask_fresh(channel: Channel, item: Item) -> Reply:
    sender = channel.start()
    for message in item.before:
        channel.say(sender, message)
    return reply_of(channel.say(sender, item.q))


def ask_in_form(channel: Channel, item: Item, judge: Judge) -> tuple[Reply, bool]:
    """The question while the transfer form waits for the payee; True when the form asked again."""
    sender = channel.start(logged_in=True)
    opened = reply_of(channel.say(sender, FORM_OPENER, logged_in=True))
    if judge.ask_payee not in opened.text:
        return Reply(f"(the form did not start: {opened.text!r})"), False
    for message in item.before:
        channel.say(sender, message, logged_in=True)
    messages = channel.say(sender, item.q, logged_in=True)
    resumed = bool(messages) and judge.ask_payee in (messages[-1].get("text") or "")
    return reply_of(messages), resumed


class Component:
    """The NLU and the knowledge layer called directly, as bench/graph_qa.py does; for non-banking
    items, the NLU's own out-of-scope detection."""

    def __init__(self) -> None:
        from bot.settings import Settings
        from knowledge_graph.answerer import KnowledgeAnswerer
        from nlu.labels import OUT_OF_SCOPE
        from nlu.service import NluService

        settings = Settings()
        self._nlu = NluService.load(settings)
        self._answerer = KnowledgeAnswerer.load(settings, rebuild=False)
        self._oos = OUT_OF_SCOPE
        self._lock = threading.Lock()

    def reply(self, item: Item, judge: Judge) -> Reply:
        with self._lock:
            parse = self._nlu.parse(item.q)
            if item.kind == "out_of_scope":  # the NLU's own out-of-scope detection
                ranking = [r for r in parse["intent_ranking"] if r["name"] != "nlu_fallback"]
                return Reply(judge.out_of_scope if ranking[0]["name"] == self._oos else "")
            answer = self._answerer.answer(item.q, lookup_intent(parse), parse["entities"])
        return Reply(answer.text, answer.kind, answer.sources, answer.result if answer.kind == "graph" else None)


def run_set(path: Path, channel: Channel, judge: Judge, component: Component | None, form: bool,
            verbose: bool, workers: int) -> dict[str, Any]:
    items = load_items(path)

    def one(item: Item) -> dict[str, Any]:
        fresh = ask_fresh(channel, item)
        row = {"item": item, "fresh": judge.category(item, fresh), "reply": fresh}
        if component is not None:
            row["component"] = judge.right(item, component.reply(item, judge))
        if form:
            inside, resumed = ask_in_form(channel, item, judge)
            row.update(form=judge.right(item, inside), resumed=resumed, form_reply=inside)
        return row

    with ThreadPoolExecutor(workers) as pool:
        rows = list(pool.map(one, items))
    if verbose:
        for row in rows:
            if row["fresh"] != "right" or (form and not row["form"]):
                item: Item = row["item"]
                print(f"  {row['fresh'].upper():12} {item.kind:12} {' / '.join([*item.before, item.q])!r}\n"
                      f"      expected {list(item.answer)}; got {row['reply'].kind} {row['reply'].result} "
                      f"{row['reply'].text[:160]!r}"
                      + (f"\n      in form: {'right' if row['form'] else 'WRONG'}, "
                         f"{'resumed' if row['resumed'] else 'NOT RESUMED'}: {row['form_reply'].text[:160]!r}"
                         if form else ""))
    return {"name": path.stem, "rows": rows}


def print_table(results: list[dict[str, Any]], form: bool, component: bool) -> None:
    header = f"{'set':28} {'n':>4} {'right':>6} {'wrong':>6} {'rephr':>6} {'oos':>5} {'clar':>5}"
    header += f" {'component':>10}" if component else ""
    header += f" {'form right':>11} {'resumed':>8}" if form else ""
    print(header)
    totals: Counter[str] = Counter()
    answerable = rephrased = non_banking = declined = 0
    for result in results:
        rows = result["rows"]
        counts = Counter(row["fresh"] for row in rows)
        n = len(rows)
        line = (f"{result['name']:28} {n:>4} {counts['right']:>6} {counts['wrong']:>6} {counts['rephrase']:>6} "
                f"{counts['out_of_scope']:>5} {counts['clarify']:>5}")
        if component:
            line += f" {sum(r['component'] for r in rows):>10}"
        if form:
            line += f" {sum(r['form'] for r in rows):>11} {sum(r['resumed'] for r in rows):>8}"
        print(line + f"   ({counts['right'] / n:.1%} right" + (
            f", component {sum(r['component'] for r in rows) / n:.1%}" if component else "") + ")")
        totals.update(counts)
        totals["n"] += n
        answerable += sum(r["item"].kind in ANSWERABLE for r in rows)
        rephrased += sum(r["item"].kind in ANSWERABLE and r["fresh"] == "rephrase" for r in rows)
        non_banking += sum(r["item"].kind == "out_of_scope" for r in rows)
        declined += sum(r["item"].kind == "out_of_scope" and r["fresh"] == "right" for r in rows)
    print(f"{'all':28} {totals['n']:>4} {totals['right']:>6} {totals['wrong']:>6} {totals['rephrase']:>6} "
          f"{totals['out_of_scope']:>5} {totals['clarify']:>5}")
    print(f"rephrase reply on answerable questions: {rephrased}/{answerable} = {rephrased / max(answerable, 1):.1%}")
    if non_banking:
        print(f"non-banking questions declined: {declined}/{non_banking} = {declined / non_banking:.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running stack (default: start one)")
    parser.add_argument("--sets", nargs="*", help="set file names without .yaml (default: all)")
    parser.add_argument("--no-form", action="store_true", help="skip the inside-a-form run")
    parser.add_argument("--no-component", action="store_true", help="skip the component figure")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("-v", "--verbose", action="store_true", help="print every miss")
    args = parser.parse_args()
    sets = [p for p in SETS if not args.sets or p.stem in args.sets]
    judge = Judge()
    component = None if args.no_component else Component()
    started = time.monotonic()

    def run(url: str) -> None:
        channel = Channel(url)
        results = []
        for path in sets:
            results.append(run_set(path, channel, judge, component, not args.no_form, args.verbose, args.workers))
            print(f"... {path.stem} done ({time.monotonic() - started:.0f} s)", flush=True)
        print_table(results, not args.no_form, component is not None)
        print(f"wall time: {time.monotonic() - started:.0f} s")

    if args.url:
        run(args.url)
    else:
        with tempfile.TemporaryDirectory() as tmp, run_stack(Path(tmp)) as stack:
            run(stack.url)


if __name__ == "__main__":
    main()
