"""Vector index over FAQ questions: sentence-transformer embeddings in faiss, intent-aware re-ranking.

Each entry may own several rows (its question, and its question with the answer), so a query
matches whichever phrasing is closest; hits are de-duplicated per entry.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import faiss
import numpy as np

from knowledge_graph.faq_corpus import FaqEntry

EXACT_MAX_ROWS = 20_000  # below this a flat (exact) index is fast enough; above it, IVF


@dataclass(frozen=True)
class Hit:
    entry: FaqEntry
    score: float  # cosine plus the intent bonus, what the threshold is applied to
    cosine: float


def entry_texts(entry: FaqEntry) -> list[str]:
    """The texts embedded for one entry."""
    return [entry.question, f"{entry.question} {entry.answer}"]


def _intent_key(name: str) -> str:
    """BANKING77 spells a few intents oddly ("Refund_not_showing_up", "reverted_card_payment?")."""
    return name.lower().rstrip("?")


def make_index(vectors: np.ndarray) -> faiss.Index:
    """Exact inner product for small corpora; IVF (trained on the vectors) for large ones."""
    n, dim = vectors.shape
    if n <= EXACT_MAX_ROWS:
        index = faiss.IndexFlatIP(dim)
    else:
        nlist = int(4 * math.sqrt(n))
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
        index.train(vectors)
        index.nprobe = 16
    index.add(vectors)
    return index


def encode(encoder: Any, texts: Sequence[str]) -> np.ndarray:
    """Unit-length float32 embeddings (inner product == cosine)."""
    vecs = encoder.encode(list(texts), batch_size=64, normalize_embeddings=True,
                          convert_to_numpy=True, show_progress_bar=False)
    return np.ascontiguousarray(vecs, dtype=np.float32)


class FaqIndex:
    """Search FAQ entries by meaning; the NLU intent, when given, nudges matching entries up."""

    def __init__(self, entries: list[FaqEntry], rows: np.ndarray, index: faiss.Index, encoder: Any):
        self.entries, self.rows, self.index, self.encoder = entries, rows, index, encoder

    @classmethod
    def build(cls, entries: list[FaqEntry], encoder: Any) -> FaqIndex:
        texts, rows = [], []
        for i, entry in enumerate(entries):
            for text in entry_texts(entry):
                texts.append(text)
                rows.append(i)
        return cls(entries, np.array(rows, dtype=np.int64), make_index(encode(encoder, texts)), encoder)

    def search(self, text: str, k: int = 5, intent: str | None = None, intent_bonus: float = 0.0) -> list[Hit]:
        """Top-k entries by cosine (+ ``intent_bonus`` where the entry serves ``intent``)."""
        query = encode(self.encoder, [text])
        scores, ids = self.index.search(query, min(len(self.rows), k * 4 + 8))
        best: dict[int, float] = {}
        for score, row in zip(scores[0], ids[0]):
            if row >= 0:
                e = int(self.rows[row])
                best[e] = max(best.get(e, -1.0), float(score))
        hits = []
        for e, cosine in best.items():
            entry = self.entries[e]
            bonus = intent_bonus if intent and _intent_key(intent) in {_intent_key(i) for i in entry.intents} else 0.0
            hits.append(Hit(entry, cosine + bonus, cosine))
        return sorted(hits, key=lambda h: -h.score)[:k]

    def save(self, folder: Path) -> None:
        faiss.write_index(self.index, str(folder / "faq.faiss"))
        np.save(folder / "faq_rows.npy", self.rows)
        (folder / "faq.json").write_text(json.dumps([e.to_dict() for e in self.entries], ensure_ascii=False, indent=1))

    @classmethod
    def load(cls, folder: Path, encoder: Any) -> FaqIndex:
        entries = [FaqEntry(**d) for d in json.loads((folder / "faq.json").read_text())]
        return cls(entries, np.load(folder / "faq_rows.npy"), faiss.read_index(str(folder / "faq.faiss")), encoder)
