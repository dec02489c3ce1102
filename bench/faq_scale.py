"""FAQ index scale: build time and single-query search p50/p99 at 1k, 10k and 100k entries.

Entries are synthetic random unit vectors of the encoder's dimension (search cost does not depend
on the text); queries are entries plus noise, so recall@1 against exact search is meaningful.
`product` is the index make_index() picks for that size; flat/IVF/HNSW are shown for comparison.

    .venv/bin/python bench/faq_scale.py [--queries 2000]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import faiss
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge_graph.faq_index import make_index  # noqa: E402

DIM = 384  # all-MiniLM-L6-v2, the configured encoder


def unit(x: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(x / np.linalg.norm(x, axis=1, keepdims=True), dtype=np.float32)


def candidates(vectors: np.ndarray) -> dict[str, callable]:
    n = len(vectors)

    def flat():
        index = faiss.IndexFlatIP(DIM)
        index.add(vectors)
        return index

    def ivf():
        nlist = max(1, min(int(4 * np.sqrt(n)), n // 39))
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(DIM), DIM, nlist, faiss.METRIC_INNER_PRODUCT)
        index.train(vectors)
        index.add(vectors)
        index.nprobe = 16
        return index

    def hnsw():
        index = faiss.IndexHNSWFlat(DIM, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efSearch = 64
        index.add(vectors)
        return index

    return {"product": lambda: make_index(vectors), "flat": flat, "ivf": ivf, "hnsw": hnsw}


def measure(index: faiss.Index, queries: np.ndarray, truth: np.ndarray) -> tuple[float, float, float]:
    times, hits = [], 0
    for i in range(len(queries)):
        started = time.perf_counter()
        _, ids = index.search(queries[i:i + 1], 5)
        times.append(time.perf_counter() - started)
        hits += ids[0, 0] == truth[i]
    times.sort()
    return times[len(times) // 2] * 1000, times[int(len(times) * 0.99)] * 1000, hits / len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--threads", type=int, default=1, help="faiss threads; one query at a time gains nothing from more")
    args = parser.parse_args()
    faiss.omp_set_num_threads(args.threads)
    rng = np.random.default_rng(13)
    print(f"dim {DIM}, {args.queries} single queries, faiss threads {args.threads}, "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (p99 includes preemption by other jobs)")
    print(f"{'entries':>8} {'index':>8} {'type':>16} {'build s':>8} {'p50 ms':>7} {'p99 ms':>7} {'recall@1':>8}")
    for n in map(int, args.sizes.split(",")):
        vectors = unit(rng.standard_normal((n, DIM)))
        pick = rng.integers(0, n, args.queries)
        noise = rng.standard_normal((args.queries, DIM)).astype(np.float32) * (0.5 / np.sqrt(DIM))
        queries = unit(vectors[pick] + noise)  # a paraphrase-like neighbour: cosine ~0.9 to its entry
        exact = faiss.IndexFlatIP(DIM)
        exact.add(vectors)
        truth = exact.search(queries, 1)[1][:, 0]
        for name, build in candidates(vectors).items():
            started = time.perf_counter()
            index = build()
            build_s = time.perf_counter() - started
            p50, p99, recall = measure(index, queries, truth)
            kind = type(index).__name__.replace("Index", "")
            print(f"{n:>8} {name:>8} {kind:>16} {build_s:>8.2f} {p50:>7.3f} {p99:>7.3f} {recall:>8.3f}")


if __name__ == "__main__":
    main()
