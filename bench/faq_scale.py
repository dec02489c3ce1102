"""FAQ index scale: build time, single-query p50/p99 and recall loss at 1k, 10k and 100k FAQ entries.

Entries are synthetic: each has as many texts as the real corpus has per FAQ (question,
alternatives, answer), embedded as random unit vectors of the encoder's dimension (search cost does
not depend on the text), and random words from a Zipf vocabulary for BM25. A query is one of an
entry's vectors plus noise (cosine ~0.9, a paraphrase) with three of its words.

- `faiss <kind>` rows time the bare faiss search for the product's candidate pool (k=100) and
  give recall@1 against exact search (the recall loss of the approximate index);
- `product` times the whole `FaqIndex.search` (faiss + max-sim per FAQ + BM25 fusion), given the
  query vector (the encoder's cost is in bench/faq_retrieval.py), on the index `make_index()` picks.

    .venv/bin/python bench/faq_scale.py [--queries 2000] [--sizes 1000,10000,100000]
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

from bot.settings import Settings  # noqa: E402
from knowledge_graph.bundle import load_bundle  # noqa: E402
from knowledge_graph.faq_corpus import FaqEntry  # noqa: E402
from knowledge_graph.faq_index import FaqIndex, entry_texts, make_index  # noqa: E402

DIM = 384  # all-MiniLM-L6-v2, the configured encoder
POOL = 100  # rows FaqIndex.search asks faiss for


def unit(x: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(x / np.linalg.norm(x, axis=1, keepdims=True), dtype=np.float32)


def synthetic_entries(n: int, alternatives: int, rng: np.random.Generator) -> list[FaqEntry]:
    vocab = [f"w{i}" for i in range(20_000)]
    zipf = 1 / np.arange(1, len(vocab) + 1)
    words = rng.choice(len(vocab), size=(n, 2 + alternatives, 12), p=zipf / zipf.sum())
    texts = [[" ".join(vocab[w] for w in t) for t in e] for e in words]
    return [FaqEntry(f"synthetic.e{i}", t[0], t[1], alternatives=t[2:]) for i, t in enumerate(texts)]


def timed(search, queries: np.ndarray) -> tuple[list[float], list]:
    """(wall p50, wall p99, CPU p50, CPU p99) in ms, and what each search returned.

    Wall time includes waiting while other processes hold the cores; the thread's CPU time does
    not, so it is the search's own cost on a busy machine.
    """
    wall, cpu, found = [], [], []
    for i in range(len(queries)):
        started, started_cpu = time.perf_counter(), time.thread_time()
        found.append(search(i))
        cpu.append(time.thread_time() - started_cpu)
        wall.append(time.perf_counter() - started)
    wall.sort()
    cpu.sort()
    pick = [len(wall) // 2, int(len(wall) * 0.99)]
    return [wall[i] * 1000 for i in pick] + [cpu[i] * 1000 for i in pick], found


def faiss_candidates(vectors: np.ndarray) -> dict[str, callable]:
    n = len(vectors)

    def flat():
        index = faiss.IndexFlatIP(DIM)
        index.add(vectors)
        return index

    def hnsw():
        index = faiss.IndexHNSWFlat(DIM, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efSearch = 128
        index.add(vectors)
        return index

    found = {"product": lambda: make_index(vectors), "flat": flat}
    if n <= 60_000:  # HNSW construction takes minutes per 100k vectors on this machine
        found["hnsw"] = hnsw
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--sizes", default="1000,10000,100000", help="FAQ entries")
    parser.add_argument("--product-only", action="store_true", help="skip the flat and HNSW comparisons")
    args = parser.parse_args()
    faq = load_bundle(Settings().data_dir / "knowledge").faq
    alternatives = round(sum(len(e.alternatives) for e in faq) / len(faq))
    texts = len(entry_texts(FaqEntry("x", "q", "a", alternatives=["b"] * alternatives)))
    rng = np.random.default_rng(13)
    print(f"dim {DIM}, {texts} texts per FAQ (question, {alternatives} alternatives, answer) as in data/knowledge, "
          f"{args.queries} single queries, faiss threads {faiss.omp_get_max_threads()}, load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (p99 includes preemption by other jobs)")
    print(f"{'entries':>8} {'vectors':>8} {'what':>15} {'index':>10} {'build s':>8} {'p50 ms':>7} {'p99 ms':>7} "
          f"{'cpu p50':>7} {'cpu p99':>7} {'recall@1':>8}")
    for n in map(int, args.sizes.split(",")):
        entries = synthetic_entries(n, alternatives, rng)
        rows = n * texts
        vectors = unit(rng.standard_normal((rows, DIM)))
        pick = rng.integers(0, rows, args.queries)
        noise = rng.standard_normal((args.queries, DIM)).astype(np.float32) * (0.5 / np.sqrt(DIM))
        queries = unit(vectors[pick] + noise)
        exact = faiss.IndexFlatIP(DIM)
        exact.add(vectors)
        truth = exact.search(queries, 1)[1][:, 0]
        del exact
        for name, build in faiss_candidates(vectors).items():
            if args.product_only and name != "product":
                continue
            started = time.perf_counter()
            index = build()
            build_s = time.perf_counter() - started
            kind = type(index).__name__.replace("Index", "")
            chosen = index.nprobe if kind == "IVFFlat" else None
            probes = sorted({8, 16, 32, 64, chosen}) if chosen else (None,)
            for nprobe in probes:
                if nprobe:
                    index.nprobe = nprobe
                ms, found = timed(lambda i, index=index: index.search(queries[i:i + 1], POOL)[1][0, 0], queries)
                recall = float(np.mean(np.array(found) == truth))
                label = kind + (f"/{nprobe}" if nprobe else "") + ("*" if nprobe and nprobe == chosen and name == "product" else "")
                print(f"{n:>8} {rows:>8} {'faiss ' + name:>15} {label:>10} {build_s:>8.2f} "
                      + " ".join(f"{v:>7.3f}" for v in ms) + f" {recall:>8.3f}")
            if chosen:
                index.nprobe = chosen
            if name == "product":
                faq_index = FaqIndex(entries, FaqIndex.layout(entries)[0], index, encoder=None)
                words = [" ".join(entries[r // texts].question.split()[:3]) for r in pick]
                weights = load_bundle(Settings().data_dir / "knowledge").retrieval.weights
                ms, _ = timed(lambda i: faq_index.search(words[i], 5, None, weights, queries[i]), queries)
                print(f"{n:>8} {rows:>8} {'FaqIndex.search':>15} {kind:>10} {'':>8} "
                      + " ".join(f"{v:>7.3f}" for v in ms) + f" {'-':>8}")
            del index
    print("IVF: nlist 2*sqrt(vectors), k-means on a sample; IVFFlat/N = nprobe N, * = what the product uses; "
          "HNSW: M 32, efSearch 128")


if __name__ == "__main__":
    main()
