"""Choose the cosine thresholds and the margin of the semantic linking fallback
(knowledge_graph/semantic_links.py).

Unseen wording is simulated on the older graph QA sets (graph_qa.yaml, holdout, holdout2, holdout3;
never holdout4 or later): for each question, every attribute, procedure and fee alias the exact
linker finds in it is removed from the alias table and from the phrases the encoder compares with,
so the question can only be answered if the fallback links it by meaning; questions the masked
exact pass still answers are left out (the fallback never sees them). A setting (attribute
threshold, node threshold, margin over the runner-up) scores right answers minus twice the wrong
graph answers (a wrong fact is worse than handing the question to the FAQ); ties go to the higher
thresholds, then to the larger margin (the safer choice). Leave-one-set-out cross-validation shows
how well a setting chosen on three sets does on the fourth; the one chosen on all four is the one to
put in semantic_links.py.

    .venv/bin/python bench/graph_semantic_tune.py
"""
from __future__ import annotations

import copy
import functools
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
MARGINS = np.round(np.append(np.arange(0.0, 0.061, 0.01), [0.08, 0.1]), 3)
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


class _RoutesOnce(GraphQA):
    """Routing depends only on the mentions, and the grid only changes which semantic mention joins
    them: each distinct set of mentions is routed once (the grid has thousands of points)."""

    def __init__(self, *args):
        super().__init__(*args)
        self._routes: dict[tuple, object] = {}

    def _route(self, text, norm, mentions):
        key = tuple(mentions)
        if key not in self._routes:
            self._routes[key] = super()._route(text, norm, mentions)
        return self._routes[key]


def outcomes(answerer: KnowledgeAnswerer, items: list[dict]) -> list[dict]:
    """Per masked question: its set, expected answer, and answers at every grid point."""
    semantic, base = answerer.graph_qa.semantic, answerer.graph_qa
    rows = []
    for item in items:
        linker, removed = masked_linker(base.linker, item["q"])
        if not removed:
            continue  # nothing for the fallback to stand in for
        semantic.exclude = lambda p, removed=removed: normalize(p.text) in removed
        if GraphQA(base.kg, linker, base.offers).answer(item["q"]) is not None:
            continue  # the masked question is still answered (rightly or not) without the fallback
        qa = _RoutesOnce(base.kg, linker, base.offers, semantic)
        linker.link = functools.lru_cache(maxsize=None)(linker.link)
        semantic.best = _same_answer_for_same_vector(semantic.best)
        query = QueryVector(answerer.index.encoder, item["q"])
        grid = {}
        for ta in GRID:
            for tn in GRID:
                for margin in MARGINS:
                    semantic.attribute_threshold, semantic.node_threshold, semantic.margin = ta, tn, margin
                    got = qa.answer(item["q"], None, query)
                    if got is None:
                        grid[ta, tn, margin] = 0
                    else:
                        ok = got.kind == item["kind"] and sorted(got.result) == sorted(item["answer"])
                        grid[ta, tn, margin] = 1 if ok else -WRONG_COST
        rows.append({"set": item["set"], "q": item["q"], "grid": grid})
        del semantic.best
    semantic.exclude = lambda p: False
    return rows


def _same_answer_for_same_vector(best):
    """``SemanticLinker.best`` memoised for one question: it reads no threshold, so the grid need
    not repeat it."""
    cache = {}

    def memo(query, kind, targets):
        key = (query.tobytes(), kind, tuple(sorted(targets)))
        if key not in cache:
            cache[key] = best(query, kind, targets)
        return cache[key]
    return memo


def best_point(rows: list[dict]) -> tuple[tuple[float, float, float], int]:
    """Highest total score; ties go to the higher (safer) thresholds, then to the larger margin."""
    totals = {point: sum(r["grid"][point] for r in rows) for point in rows[0]["grid"]}
    point = max(totals, key=lambda p: (totals[p], p[0] + p[1], p[2]))
    return point, totals[point]


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
        point, _ = best_point(train)
        right = sum(r["grid"][point] == 1 for r in test)
        wrong = sum(r["grid"][point] < 0 for r in test)
        print(f"held out {held}: attribute {point[0]}, node {point[1]}, margin {point[2]} -> right {right}, "
              f"wrong {wrong}, to FAQ {len(test) - right - wrong} of {len(test)} masked questions")
    point, total = best_point(rows)
    right = sum(r["grid"][point] == 1 for r in rows)
    wrong = sum(r["grid"][point] < 0 for r in rows)
    print(f"all sets: attribute {point[0]}, node {point[1]}, margin {point[2]}: right {right}, wrong {wrong}, "
          f"to FAQ {len(rows) - right - wrong} of {len(rows)} (score {total})")
    for tn in GRID[::2]:
        print(f"  node {tn}: score {sum(r['grid'][point[0], tn, point[2]] for r in rows)}", end="")
    print()
    for ta in GRID[::2]:
        print(f"  attribute {ta}: score {sum(r['grid'][ta, point[1], point[2]] for r in rows)}", end="")
    print()
    for margin in MARGINS:
        print(f"  margin {margin}: score {sum(r['grid'][point[0], point[1], margin] for r in rows)}", end="")
    print()
    if "-v" in sys.argv:
        for r in rows:
            print(f"  {r['grid'][point]:+d} {r['q']}")


if __name__ == "__main__":
    main()
