"""Bm25.pool against BM25 written out plainly: same scores, same k best (up to ties)."""
from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

from knowledge_graph.lexical import Bm25, tokens


def plain_bm25(docs: list[str], query: str, k1: float = 1.2, b: float = 0.75) -> np.ndarray:
    """Every document's score by the textbook formula, on the fixed scale (two unique words = 1)."""
    toks = [tokens(d) for d in docs]
    n, mean = len(toks), np.mean([len(t) for t in toks])
    df = Counter(w for t in toks for w in set(t))
    out = np.zeros(n)
    for i, t in enumerate(toks):
        tf = Counter(t)
        for w in set(tokens(query)) & tf.keys():
            idf = math.log(1 + (n - df[w] + 0.5) / (df[w] + 0.5))
            out[i] += idf * tf[w] * (k1 + 1) / (tf[w] + k1 * (1 - b + b * len(t) / mean))
    return out / (2 * math.log(1 + (n - 0.5) / 1.5))


@pytest.fixture(scope="module")
def corpus() -> list[str]:
    """Zipf-distributed words and varied lengths, so common words are stored as dense rows and rare
    ones as postings, and lengths give distinct scores."""
    rng = np.random.default_rng(7)
    p = 1 / np.arange(1, 61)
    return [" ".join(f"w{w}" for w in rng.choice(60, size=rng.integers(3, 25), p=p / p.sum())) for _ in range(400)]


def test_pool_matches_plain_bm25(corpus):
    bm25 = Bm25(corpus)
    assert bm25.rows and bm25.postings  # both stores take part
    rng = np.random.default_rng(8)
    for _ in range(300):
        query = " ".join(f"w{w}" for w in rng.integers(0, 65, size=rng.integers(1, 5)))  # w60+ are unknown
        reference = plain_bm25(corpus, query)
        candidates = rng.choice(len(corpus), size=30, replace=False).tolist()
        k = int(rng.choice([1, 5, 20, 60, 500]))
        found = bm25.pool(query, candidates, k)
        np.testing.assert_allclose([found[c] for c in candidates], reference[candidates], rtol=1e-5, atol=1e-7)
        top = bm25.pool(query, [], k)
        expected = np.sort(reference[reference > 0])[::-1][:k]
        assert len(top) == len(expected)
        np.testing.assert_allclose(sorted(top.values(), reverse=True), expected, rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(list(top.values()), reference[list(top)], rtol=1e-5, atol=1e-7)
        assert top.items() <= found.items()
