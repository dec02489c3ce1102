"""Choose the cosine thresholds of the semantic linking fallback (knowledge_graph/semantic_links.py).

Unseen wording is simulated on the older graph QA sets (graph_qa.yaml, holdout, holdout2, holdout3;
never holdout4 or later): for each question, every attribute, procedure and fee alias the exact
linker finds in it is removed from the alias table and from the phrases the encoder compares with,
so the question can only be answered if the fallback links it by meaning; questions the masked
exact pass still answers are left out (the fallback never sees them). A threshold pair scores
right answers minus twice the wrong graph answers (a wrong fact is worse than handing the question
to the FAQ). Leave-one-set-out cross-validation shows how well a pair chosen on three sets does on
the fourth; the pair chosen on all four is the one to put in semantic_links.py.

    .venv/bin/python bench/graph_semantic_tune.py
"""
from __future__ import annotations

import copy
import sys
from pathlib import Path

import numpy as np
import torch
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.settings import Settings  # noqa: E402
from knowledge_graph.answerer import KnowledgeAnswerer  # noqa: E402
from knowledge_graph.graph_qa import GraphQA  # noqa: E402
from knowledge_graph.linking import EntityLinker, normalize  # noqa: E402
from knowledge_graph.semantic_links import NODE_TYPES, QueryVector  # noqa: E402

SETS = ["graph_qa.yaml", "graph_qa_holdout.yaml", "graph_qa_holdout2.yaml", "graph_qa_holdout3.yaml"]
GRID = np.round(np.arange(0.35, 0.851, 0.025), 3)
WRONG_COST = 2


def masked_linker(linker: EntityLinker, text: str) -> tuple[EntityLinker, set[str]]:
    """A copy of ``linker`` without the attribute/procedure/fee aliases found in ``text`` (repeated
    until none is left, since a shorter alias can show once a longer one is gone)."""
    masked = copy.copy(linker)
    masked._table, masked._after_name = dict(linker._table), {}
    norm = normalize(text)
    masked._frames = [(p, k) for p, k in linker._frames if not p.search(norm)]
    removed: set[str] = set()
    while True:
        hits = [m for m in masked._scan(norm) if m.kind == "attribute"
                or m.kind == "node" and linker.kg.node(m.targets[0])["type"] in NODE_TYPES]
        if not hits:
            return masked, removed
        for m in hits:
            removed.add(m.alias)
            del masked._table[m.alias]


def outcomes(answerer: KnowledgeAnswerer, items: list[dict]) -> list[dict]:
    """Per masked question: its set, expected answer, and answers at every threshold pair."""
    semantic, base = answerer.graph_qa.semantic, answerer.graph_qa
    rows = []
    for item in items:
        linker, removed = masked_linker(base.linker, item["q"])
        if not removed:
            continue  # nothing for the fallback to stand in for
        semantic.exclude = lambda p, removed=removed: normalize(p.text) in removed
        if GraphQA(base.kg, linker, base.offers).answer(item["q"]) is not None:
            continue  # the masked question is still answered (rightly or not) without the fallback
        qa = GraphQA(base.kg, linker, base.offers, semantic)
        query = QueryVector(answerer.index.encoder, item["q"])
        grid = {}
        for ta in GRID:
            for tn in GRID:
                semantic.attribute_threshold, semantic.node_threshold = ta, tn
                got = qa.answer(item["q"], None, query)
                if got is None:
                    grid[ta, tn] = 0
                else:
                    ok = got.kind == item["kind"] and sorted(got.result) == sorted(item["answer"])
                    grid[ta, tn] = 1 if ok else -WRONG_COST
        rows.append({"set": item["set"], "q": item["q"], "grid": grid})
    semantic.exclude = lambda p: False
    return rows


def best_pair(rows: list[dict]) -> tuple[tuple[float, float], int]:
    """Highest total score; ties go to the higher (safer) thresholds."""
    totals = {pair: sum(r["grid"][pair] for r in rows) for pair in rows[0]["grid"]}
    pair = max(totals, key=lambda p: (totals[p], p[0] + p[1]))
    return pair, totals[pair]


def main() -> None:
    torch.set_num_threads(2)
    answerer = KnowledgeAnswerer.load(Settings())
    items = []
    for name in SETS:
        for item in yaml.safe_load((ROOT / "bench" / "data" / name).read_text())["items"]:
            items.append({**item, "set": name})
    rows = outcomes(answerer, items)
    print(f"{len(rows)} of {len(items)} questions reach the fallback once their aliases are masked")
    for held in SETS:
        train = [r for r in rows if r["set"] != held]
        test = [r for r in rows if r["set"] == held]
        pair, _ = best_pair(train)
        right = sum(r["grid"][pair] == 1 for r in test)
        wrong = sum(r["grid"][pair] < 0 for r in test)
        print(f"held out {held}: thresholds (attribute {pair[0]}, node {pair[1]}) -> right {right}, "
              f"wrong {wrong}, to FAQ {len(test) - right - wrong} of {len(test)} masked questions")
    pair, total = best_pair(rows)
    right = sum(r["grid"][pair] == 1 for r in rows)
    wrong = sum(r["grid"][pair] < 0 for r in rows)
    print(f"all sets: attribute {pair[0]}, node {pair[1]}: right {right}, wrong {wrong}, "
          f"to FAQ {len(rows) - right - wrong} of {len(rows)} (score {total})")
    for tn in GRID[::2]:
        print(f"  node {tn}: score {sum(r['grid'][pair[0], tn] for r in rows)}", end="")
    print()
    for ta in GRID[::2]:
        print(f"  attribute {ta}: score {sum(r['grid'][ta, pair[1]] for r in rows)}", end="")
    print()
    if "-v" in sys.argv:
        for r in rows:
            print(f"  {r['grid'][pair]:+d} {r['q']}")


if __name__ == "__main__":
    main()
