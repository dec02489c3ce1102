"""BM25 over FAQ texts: exact words ("chargeback", "SWIFT", "e-CNY") that a small sentence encoder blurs.

Scores are absolute evidence on a fixed scale, 1 being two words that no other FAQ uses matched
once each, so the fused score stays comparable across questions: a vague "what's the fee" (one
common word) adds little even to the FAQ it matches best, a precise question with rare words adds
much. (Dividing by the best FAQ's score instead would give the vague question the full weight.)
"""
from __future__ import annotations

import math
import re
from collections import Counter
from typing import Sequence

import numpy as np

_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_STOP = frozenset(
    "a an the i me my we our you your it its is are was were be been being am do does did doing have has had "
    "to of in on at for from by with about as into over after before than then so if or and but not no can "
    "could would should will shall may might must what which who whom whose when where why how this that "
    "these those there here any some all just very too also up out get got please there's i'm it's don't "
    "can't won't s t d ll re ve m".split()
)


def tokens(text: str) -> list[str]:
    """Lower-cased words without stop words, with plural/verb endings trimmed (cards -> card)."""
    return [_stem(w) for w in _WORD.findall(text.lower().replace("’", "'")) if w not in _STOP]


def _stem(word: str) -> str:
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: len(word) - len(suffix)] + keep
    return word


class Bm25:
    """Okapi BM25 with an inverted index of numpy arrays, so a query costs a few vector adds even at 100k FAQs."""

    def __init__(self, docs: Sequence[str], k1: float = 1.2, b: float = 0.75):
        toks = [tokens(d) for d in docs]
        self.n = len(toks)
        self.scale = 2 * math.log(1 + (self.n - 0.5) / 1.5)  # idf of two words that one document has
        lengths = np.array([len(t) for t in toks], dtype=np.float32)
        norm = k1 * (1 - b + b * lengths / max(float(lengths.mean()) if self.n else 0.0, 1e-9))
        postings: dict[str, tuple[list[int], list[float]]] = {}
        for i, t in enumerate(toks):
            for word, tf in Counter(t).items():
                ids, weights = postings.setdefault(word, ([], []))
                ids.append(i)
                weights.append(tf * (k1 + 1) / (tf + norm[i]))
        self.postings = {
            w: (np.array(ids, dtype=np.int64),
                np.array(weights, dtype=np.float32) * math.log(1 + (self.n - len(ids) + 0.5) / (len(ids) + 0.5)))
            for w, (ids, weights) in postings.items()
        }

    def scores(self, query: str) -> np.ndarray:
        """BM25 per document on the fixed scale described above."""
        out = np.zeros(self.n, dtype=np.float32)
        for word in set(tokens(query)):
            if word in self.postings:
                ids, weights = self.postings[word]
                out[ids] += weights
        return out / self.scale if self.scale > 0 else out

    def top(self, scores: np.ndarray, k: int) -> np.ndarray:
        """Indices of the k best documents with a positive score (unordered)."""
        if self.n > k:
            best = np.argpartition(-scores, k)[:k]
        else:
            best = np.arange(self.n)
        return best[scores[best] > 0]
