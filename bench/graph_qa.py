"""Graph QA exact-match accuracy on hand-written questions (attributes, filters, multi-hop,
comparisons, procedures, overviews, products we don't offer).

An answer matches when its kind and its bare facts (values or node ids, order-free) equal the
expected ones. Runs through the full KnowledgeAnswerer, so a question the graph misses and the
FAQ answers counts as wrong.

    .venv/bin/python bench/graph_qa.py [-v]

Scores every set: graph_qa.yaml (written with the code), graph_qa_holdout.yaml (first held-out
set; two fixes followed its first run) and graph_qa_holdout2.yaml (second held-out set, written
from the graph's content without the templates' wording; first-run figure in knowledge_results.md)
graph_qa_holdout3.yaml (written after the holdout2 fixes) and graph_qa_holdout4.yaml (60 questions
written blind from the graph's content only) and graph_qa_holdout5.yaml (60 more, written blind
after the holdout4 fixes); their first-run figures are in knowledge_results.md.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import torch
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.settings import Settings  # noqa: E402
from knowledge_graph.answerer import KnowledgeAnswerer  # noqa: E402

SETS = [ROOT / "bench" / "data" / name for name in ("graph_qa.yaml", "graph_qa_holdout.yaml", "graph_qa_holdout2.yaml",
                                                             "graph_qa_holdout3.yaml", "graph_qa_holdout4.yaml",
                                                             "graph_qa_holdout5.yaml")]


def score(answerer: KnowledgeAnswerer, data: Path, verbose: bool) -> list[float]:
    """Print exact match on one set; return the answer latencies."""
    items = yaml.safe_load(data.read_text())["items"]
    correct, by_kind, times = 0, {}, []
    for item in items:
        started = time.perf_counter()
        answer = answerer.answer(item["q"])
        times.append(time.perf_counter() - started)
        ok = answer.kind == item["kind"] and sorted(answer.result) == sorted(item["answer"])
        correct += ok
        kind_ok, kind_n = by_kind.get(item["kind"], (0, 0))
        by_kind[item["kind"]] = (kind_ok + ok, kind_n + 1)
        if verbose and not ok:
            print(f"MISS {item['q']!r}: got {answer.kind} {answer.result}, expected {item['kind']} {item['answer']}")
    print(f"graph QA exact match on {data.name}: {correct}/{len(items)} = {correct / len(items):.3f}  ("
          + ", ".join(f"{kind} {ok}/{n}" for kind, (ok, n) in sorted(by_kind.items())) + ")")
    return times


def main() -> None:
    verbose = "-v" in sys.argv
    torch.set_num_threads(2)
    answerer = KnowledgeAnswerer.load(Settings())
    times = sorted(t for data in SETS for t in score(answerer, data, verbose))
    print(f"answer latency p50 {times[len(times) // 2] * 1000:.1f} ms (graph answers skip the encoder)")


if __name__ == "__main__":
    main()
