"""Vector index over FAQ texts with lexical fusion and intent-aware re-ranking.

Each FAQ is embedded several times: its question, its alternative phrasings and its answer; an
FAQ scores the best cosine of any of its texts (answers scaled by ``answer_weight``, since an answer
matches the topic rather than the question). BM25 over the FAQ's words, on the fixed scale of
knowledge_graph/lexical.py, adds ``lexical_weight`` times that score. The weights are chosen by
cross-validation on the FAQ's own alternatives (bench/faq_tune.py), never on the paraphrase
bench, which only picks the answer threshold.
"""
from __future__ import annotations

import heapq
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import faiss
import numpy as np

from knowledge_graph.faq_corpus import FaqEntry
from knowledge_graph.lexical import Bm25

EXACT_MAX_ROWS = 5_000  # up to here exact search is ~0.1 ms; above it IVF (figures: bench/faq_scale.py)
IVF_PROBE_SHARE = 20  # search 1/20 of the lists (at least 32): recall@1 vs exact >= 0.99 on random vectors,
IVF_MIN_NPROBE = 32   # the worst case for IVF (bench/faq_scale.py)
IVF_TRAIN_PER_LIST = 40  # k-means sample size per list: enough for the centroids, seconds not minutes to build
LEXICAL_POOL = 20  # best lexical FAQs considered even when the dense search did not return them

# One query at a time: OpenMP threads only add hand-off cost and, on a busy machine, tail latency.
faiss.omp_set_num_threads(1)


@dataclass(frozen=True)
class Hit:
    entry: FaqEntry
    score: float  # fused score (cosine + lexical + intent bonus), what the threshold is applied to
    cosine: float  # best cosine of the FAQ's texts


@dataclass(frozen=True)
class Weights:
    """How the signals combine; the product reads them from retrieval.yaml."""

    intent_bonus: float = 0.0
    lexical_weight: float = 0.0
    answer_weight: float = 1.0


def entry_texts(entry: FaqEntry) -> list[tuple[str, str]]:
    """(field, text) pairs embedded for one entry."""
    return ([("question", entry.question)] + [("alternative", a) for a in entry.alternatives]
            + [("answer", entry.answer)])


def lexical_text(entry: FaqEntry) -> str:
    """The words BM25 sees for one entry."""
    return " ".join([entry.question, *entry.alternatives, entry.answer])


def _intent_key(name: str) -> str:
    """BANKING77 spells a few intents oddly ("Refund_not_showing_up", "reverted_card_payment?")."""
    return name.lower().rstrip("?")


def make_index(vectors: np.ndarray) -> faiss.Index:
    """Exact inner product for small corpora; IVF (k-means on a sample of the vectors) for large ones."""
    n, dim = vectors.shape
    if n <= EXACT_MAX_ROWS:
        index = faiss.IndexFlatIP(dim)
    else:
        nlist = int(2 * math.sqrt(n))
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
        index.cp.max_points_per_centroid = IVF_TRAIN_PER_LIST
        index.cp.niter = 10
        index.train(vectors)
        index.nprobe = max(IVF_MIN_NPROBE, nlist // IVF_PROBE_SHARE)
    index.add(vectors)
    return index


def encode(encoder: Any, texts: Sequence[str]) -> np.ndarray:
    """Unit-length float32 embeddings (inner product == cosine)."""
    vecs = encoder.encode(list(texts), batch_size=64, normalize_embeddings=True,
                          convert_to_numpy=True, show_progress_bar=False)
    return np.ascontiguousarray(vecs, dtype=np.float32)


class FaqIndex:
    """Search FAQ entries by meaning and words; the NLU intent, when given, nudges matching entries up."""

    def __init__(self, entries: list[FaqEntry], rows: list[tuple[int, str]], index: faiss.Index, encoder: Any):
        self.entries, self.rows, self.index, self.encoder = entries, rows, index, encoder
        self.row_entry = np.array([e for e, _ in rows], dtype=np.int64)
        self.row_is_answer = np.array([f == "answer" for _, f in rows])
        self.lexical = Bm25([lexical_text(e) for e in entries])
        self.entry_intents = [{_intent_key(i) for i in e.intents} for e in entries]

    @classmethod
    def build(cls, entries: list[FaqEntry], encoder: Any) -> FaqIndex:
        rows, texts = cls.layout(entries)
        return cls(entries, rows, make_index(encode(encoder, texts)), encoder)

    @classmethod
    def from_vectors(cls, entries: list[FaqEntry], vectors: np.ndarray, encoder: Any) -> FaqIndex:
        """An index over already-embedded texts (``vectors`` in ``layout`` order), for cross-validation."""
        return cls(entries, cls.layout(entries)[0], make_index(vectors), encoder)

    @staticmethod
    def layout(entries: list[FaqEntry]) -> tuple[list[tuple[int, str]], list[str]]:
        """Row i of the index is (entry number, field) and embeds texts[i]."""
        pairs = [(i, field, text) for i, e in enumerate(entries) for field, text in entry_texts(e)]
        return [(i, f) for i, f, _ in pairs], [t for _, _, t in pairs]

    def search(self, text: str, k: int = 5, intent: str | None = None, weights: Weights = Weights(),
               query_vector: np.ndarray | None = None) -> list[Hit]:
        """Top-k entries by fused score."""
        query = encode(self.encoder, [text]) if query_vector is None else query_vector.reshape(1, -1)
        # a wide pool, so an FAQ of the predicted intent or with the right words can climb into the top k
        pool = min(len(self.rows), max(100, 20 * k))
        scores, ids = self.index.search(query, pool)
        found = ids[0] >= 0
        rows, cosines = ids[0][found], scores[0][found].astype(np.float64)
        cosines[self.row_is_answer[rows]] *= weights.answer_weight
        dense: dict[int, float] = {}
        for entry, cosine in zip(self.row_entry[rows].tolist(), cosines.tolist()):
            if cosine > dense.get(entry, -1.0):
                dense[entry] = cosine
        floor = min(dense.values(), default=0.0)  # an FAQ outside the pool is at most this close
        lexical = self.lexical.pool(text, list(dense), LEXICAL_POOL) if weights.lexical_weight else {}
        key = _intent_key(intent) if intent else None
        fused = []  # (score, entry, cosine); a Hit is made only for the k kept
        for entry in dense.keys() | lexical.keys():
            cosine = dense.get(entry, floor)
            score = cosine
            if lexical:
                score += weights.lexical_weight * lexical[entry]
            if key and key in self.entry_intents[entry]:
                score += weights.intent_bonus
            fused.append((score, entry, cosine))
        return [Hit(self.entries[e], s, c) for s, e, c in heapq.nlargest(k, fused)]

    def save(self, folder: Path) -> None:
        faiss.write_index(self.index, str(folder / "faq.faiss"))
        (folder / "faq.json").write_text(json.dumps([e.to_dict() for e in self.entries], ensure_ascii=False, indent=1))

    @classmethod
    def load(cls, folder: Path, encoder: Any) -> FaqIndex:
        entries = [FaqEntry(**d) for d in json.loads((folder / "faq.json").read_text())]
        return cls(entries, cls.layout(entries)[0], faiss.read_index(str(folder / "faq.faiss")), encoder)
