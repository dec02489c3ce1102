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


DENSE_SHARE = 16  # a word in more than 1/16 of the documents is stored as a dense row (see Bm25)
LEAD = 32  # each word's best documents kept apart: they bound a query's k-th best score from below


class Bm25:
    """Okapi BM25 over an inverted index of numpy arrays, scored into one dense array per query.

    Adding a word's documents one by one costs a scattered write each (~3.5 ns here), adding a
    dense row of all documents a vectorised add (well under 1 ns a document), so a word in more than
    1/DENSE_SHARE of the documents is kept as a dense row: at 100k FAQs the commonest words have
    tens of thousands of documents each. Weights are stored already divided by the scale above.
    """

    def __init__(self, docs: Sequence[str], k1: float = 1.2, b: float = 0.75):
        toks = [tokens(d) for d in docs]
        self.n = len(toks)
        scale = 2 * math.log(1 + (self.n - 0.5) / 1.5)  # idf of two words that one document has
        lengths = np.array([len(t) for t in toks], dtype=np.float32)
        norm = k1 * (1 - b + b * lengths / max(float(lengths.mean()) if self.n else 0.0, 1e-9))
        postings: dict[str, tuple[list[int], list[float]]] = {}
        for i, t in enumerate(toks):
            for word, tf in Counter(t).items():
                ids, weights = postings.setdefault(word, ([], []))
                ids.append(i)
                weights.append(tf * (k1 + 1) / (tf + norm[i]))
        self.postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # word -> (documents, weights)
        self.rows: dict[str, np.ndarray] = {}  # common word -> weight of every document (0 without it)
        self.leads: dict[str, np.ndarray] = {}  # word -> its LEAD highest-weighted documents
        for word, (ids, weights) in postings.items():
            idf = math.log(1 + (self.n - len(ids) + 0.5) / (len(ids) + 0.5))
            docs = np.array(ids, dtype=np.int64)
            w = (np.array(weights, dtype=np.float64) * (idf / scale)).astype(np.float32)
            self.leads[word] = docs if len(docs) <= LEAD else docs[np.argpartition(-w, LEAD)[:LEAD]]
            if len(docs) * DENSE_SHARE > self.n:
                self.rows[word] = np.zeros(self.n, dtype=np.float32)
                self.rows[word][docs] = w
            else:
                self.postings[word] = (docs, w)

    def _scores(self, words: set[str]) -> np.ndarray:
        """BM25 of every document on the fixed scale described above."""
        rows = [self.rows[w] for w in words if w in self.rows]
        out = rows[0].copy() if rows else np.zeros(self.n, dtype=np.float32)
        for row in rows[1:]:
            out += row
        for word in words & self.postings.keys():
            ids, weights = self.postings[word]
            out[ids] += weights
        return out

    def pool(self, query: str, candidates: Sequence[int], k: int) -> dict[int, float]:
        """{document: score} for ``candidates`` and for the k best documents with a positive score.

        Selecting the k best is the costly part at 100k documents (argpartition ~0.15 ms), so the
        query words' leading documents, scored exactly, give a floor for the k-th best score first:
        only the few documents at or above it are partitioned.
        """
        words = set(tokens(query)) & self.leads.keys()
        out = self._scores(words)
        lead = np.unique(np.concatenate([self.leads[w] for w in words])) if words else np.empty(0, np.int64)
        if len(lead) >= k > 0:
            best = np.flatnonzero(out >= np.partition(out[lead], len(lead) - k)[len(lead) - k])
        else:
            best = np.flatnonzero(out > 0)
        if len(best) > k:
            best = best[np.argpartition(-out[best], k)[:k]]
        ids = np.concatenate([np.asarray(candidates, dtype=np.int64), best])
        return dict(zip(ids.tolist(), out[ids].tolist()))
