"""Vector index over FAQ questions: sentence-transformer embeddings in faiss, intent-aware re-ranking.

Each entry is embedded by its question alone: the paraphrase bench may only pick the threshold,
so the representation stays the standard one rather than whatever scored best on it.
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

EXACT_MAX_ROWS = 20_000  # below this a flat (exact) index is fast enough; above it, IVF (bench/faq_scale.py)


@dataclass(frozen=True)
class Hit:
    entry: FaqEntry
    score: float  # cosine plus the intent bonus, what the threshold is applied to
    cosine: float


def entry_text(entry: FaqEntry) -> str:
    """The text embedded for one entry."""
    return entry.question


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

    def __init__(self, entries: list[FaqEntry], index: faiss.Index, encoder: Any):
        self.entries, self.index, self.encoder = entries, index, encoder

    @classmethod
    def build(cls, entries: list[FaqEntry], encoder: Any) -> FaqIndex:
        return cls(entries, make_index(encode(encoder, [entry_text(e) for e in entries])), encoder)

    def search(self, text: str, k: int = 5, intent: str | None = None, intent_bonus: float = 0.0) -> list[Hit]:
        """Top-k entries by cosine (+ ``intent_bonus`` where the entry serves ``intent``)."""
        query = encode(self.encoder, [text])
        # a wide pool, so an FAQ of the predicted intent can climb from well below the top k
        scores, ids = self.index.search(query, min(len(self.entries), max(50, 10 * k)))
        hits = []
        for cosine, row in zip(scores[0].tolist(), ids[0].tolist()):
            if row < 0:
                continue
            entry = self.entries[row]
            bonus = intent_bonus if intent and _intent_key(intent) in {_intent_key(i) for i in entry.intents} else 0.0
            hits.append(Hit(entry, cosine + bonus, cosine))
        return sorted(hits, key=lambda h: -h.score)[:k]

    def save(self, folder: Path) -> None:
        faiss.write_index(self.index, str(folder / "faq.faiss"))
        (folder / "faq.json").write_text(json.dumps([e.to_dict() for e in self.entries], ensure_ascii=False, indent=1))

    @classmethod
    def load(cls, folder: Path, encoder: Any) -> FaqIndex:
        entries = [FaqEntry(**d) for d in json.loads((folder / "faq.json").read_text())]
        return cls(entries, faiss.read_index(str(folder / "faq.faiss")), encoder)
