"""Per-entity precision/recall of the rule-based entity extractors (nlu/entities).

Three sets: NLU++ banking slots (../shared/data/nlupp_banking, mapped: amount_of_money->amount,
date->date, date_period/date_from/date_to->date_range, company_name->merchant,
person_name->payee; relative dates resolve against its reference date 2022-03-15), the entity
annotations in data/nlu/*.yml (spans only), and bench/data/entities_gold.yml (spans + values).
A prediction is correct when its type matches and its span overlaps a gold span; "value" is the
share of those with the exact normalised value (where the gold set has one). date and date_range
count as one type "date" for NLU++ and data/nlu, whose annotators split them differently.

Usage: python bench/entities_eval.py [--nlupp DIR]
"""
from __future__ import annotations

import argparse
import glob
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import yaml

from nlu.entities import extract_entities

ROOT = Path(__file__).resolve().parents[1]
NLUPP_MAP = {"amount_of_money": "amount", "date": "date", "date_period": "date_range",
             "date_from": "date_range", "date_to": "date_range", "company_name": "merchant",
             "person_name": "payee"}
NLUPP_TODAY = date(2022, 3, 15)
_ANNOTATION = re.compile(r"\[(?P<text>[^\]]+?)\]\((?P<entity>[a-z_]+)\)")


@dataclass
class Gold:
    entity: str
    start: int
    end: int
    value: str | None = None


@dataclass
class Scores:
    tp: int = 0
    pred: int = 0
    gold: int = 0
    value_checked: int = 0
    value_ok: int = 0

    def line(self, name: str) -> str:
        p = self.tp / self.pred if self.pred else 0.0
        r = self.tp / self.gold if self.gold else 0.0
        v = f"{self.value_ok / self.value_checked:6.1%}" if self.value_checked else "     -"
        return f"  {name:12s} precision {p:6.1%}  recall {r:6.1%}  value {v}  (gold {self.gold}, predicted {self.pred})"


def _same_value(entity: str, predicted: str, gold: str) -> bool:
    if entity == "amount":
        return Decimal(predicted) == Decimal(gold)
    if entity in ("date", "date_range"):
        a, b = predicted.split("/") if "/" in predicted else (predicted, predicted)
        ga, gb = gold.split("/") if "/" in gold else (gold, gold)
        return (a, b) == (ga, gb) or (gold.startswith("from:") and a == gold[5:]) or (
            gold.startswith("to:") and b == gold[3:])
    return predicted.lower() == gold.lower()


def score(texts: list[tuple[str, list[Gold]]], today: date, merge_dates: bool,
          payees: list[str] | None = None, types: set[str] | None = None) -> dict[str, Scores]:
    def kind(name: str) -> str:
        return "date" if merge_dates and name in ("date", "date_range") else name

    scores: dict[str, Scores] = defaultdict(Scores)
    for text, golds in texts:
        predicted = [e for e in extract_entities(text, today, payees)
                     if types is None or kind(e["entity"]) in types]
        for g in golds:
            scores[kind(g.entity)].gold += 1
        used: set[int] = set()
        for p in predicted:
            s = scores[kind(p["entity"])]
            s.pred += 1
            for i, g in enumerate(golds):
                if i in used or kind(g.entity) != kind(p["entity"]) or p["end"] <= g.start or p["start"] >= g.end:
                    continue
                used.add(i)
                s.tp += 1
                if g.value is not None:
                    s.value_checked += 1
                    s.value_ok += _same_value(p["entity"], p["value"], g.value)
                break
    return dict(sorted(scores.items()))


def _iso(d: dict) -> str:
    return date(d["year"], d["month"], d["day"]).isoformat()


def nlupp_examples(folder: Path) -> list[tuple[str, list[Gold]]]:
    out = []
    for path in sorted(glob.glob(str(folder / "fold*.json"))):
        for item in json.loads(Path(path).read_text()):
            golds = []
            for name, slot in (item.get("slots") or {}).items():
                if name not in NLUPP_MAP:
                    continue
                start, end = slot["span"]
                value = slot.get("value", slot.get("values"))
                gold_value = None
                try:
                    if name == "amount_of_money":
                        gold_value = str(value["amount"])
                    elif name == "date":
                        gold_value = _iso(value)
                    elif name == "date_period" and value.get("from") and value.get("to"):
                        gold_value = f"{_iso(value['from'])}/{_iso(value['to'])}"
                    elif name == "date_from":
                        gold_value = "from:" + _iso(value)
                    elif name == "date_to":
                        gold_value = "to:" + _iso(value)
                except (KeyError, TypeError, ValueError):
                    gold_value = None
                golds.append(Gold(NLUPP_MAP[name], start, end, gold_value))
            out.append((item["text"], golds))
    return out


def yaml_annotations(folder: Path) -> list[tuple[str, list[Gold]]]:
    out = []
    for path in sorted(folder.glob("*.yml")):
        for block in (yaml.safe_load(path.read_text()) or {}).get("nlu") or []:
            for line in str(block.get("examples") or "").splitlines():
                line = line.strip()[2:] if line.strip().startswith("- ") else ""
                if "](" not in line:
                    continue
                text, golds, cursor = "", [], 0
                for m in _ANNOTATION.finditer(line):
                    text += line[cursor:m.start()]
                    golds.append(Gold(m.group("entity"), len(text), len(text) + len(m.group("text"))))
                    text += m.group("text")
                    cursor = m.end()
                out.append((text + line[cursor:], golds))
    return out


def gold_file(path: Path) -> tuple[list[tuple[str, list[Gold]]], date, list[str]]:
    doc = yaml.safe_load(path.read_text())
    out = []
    for item in doc["examples"]:
        text, golds = item["text"], []
        for e in item["entities"]:
            start = text.index(str(e["text"]))
            golds.append(Gold(e["entity"], start, start + len(str(e["text"])), str(e["value"])))
        out.append((text, golds))
    return out, date.fromisoformat(str(doc["today"])), doc.get("payees") or []


def report(title: str, scores: dict[str, Scores]) -> None:
    print(title)
    total = Scores()
    for name, s in scores.items():
        print(s.line(name))
        total.tp, total.pred, total.gold = total.tp + s.tp, total.pred + s.pred, total.gold + s.gold
        total.value_checked += s.value_checked
        total.value_ok += s.value_ok
    print(total.line("ALL"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nlupp", type=Path, default=ROOT.parent / "shared" / "data" / "nlupp_banking")
    args = parser.parse_args()
    nlupp = nlupp_examples(args.nlupp)
    report(f"NLU++ banking ({len(nlupp)} utterances, slots mapped to our entities)",
           score(nlupp, NLUPP_TODAY, merge_dates=True, types={"amount", "date", "merchant", "payee"}))
    annotated = yaml_annotations(ROOT / "data" / "nlu")
    report(f"data/nlu annotations ({len(annotated)} utterances, spans only)",
           score(annotated, date.today(), merge_dates=True))
    gold, today, payees = gold_file(ROOT / "bench" / "data" / "entities_gold.yml")
    report(f"bench/data/entities_gold.yml ({len(gold)} utterances, spans + values)",
           score(gold, today, merge_dates=False, payees=payees))


if __name__ == "__main__":
    main()
