"""The intent classifier over normalised sentence embeddings: a linear softmax head averaged with
similarity-weighted votes of the nearest training examples (5-fold CV on BANKING77: linear 92.3%,
kNN 91.9%, the average 93.0%; see bench/nlu_cv.py).

Stored as plain numpy arrays plus JSON (no pickle) so loading a model never runs code. Inference
is a matrix product and an exact inner-product search (faiss: ~0.6 ms for one message against 13k
examples, where numpy's product took ~1.7 ms), both safe to share between threads.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

ARRAYS_FILE = "model.npz"
META_FILE = "meta.json"


def softmax(logits: np.ndarray) -> np.ndarray:
    logits = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(logits)
    return exp / exp.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class IntentModel:
    """probabilities = w * softmax(linear) + (1 - w) * kNN votes, over ``intents``."""

    intents: tuple[str, ...]
    weights: np.ndarray  # (n_intents, dim) linear head
    bias: np.ndarray  # (n_intents,)
    examples: np.ndarray  # (n_examples, dim) normalised training embeddings
    example_labels: np.ndarray  # (n_examples,) index into intents
    k: int = 10
    temperature: float = 0.05
    linear_weight: float = 0.5

    def linear_proba(self, embeddings: np.ndarray) -> np.ndarray:
        return softmax(embeddings @ self.weights.T + self.bias)

    @cached_property
    def _index(self):
        """Exact inner-product (cosine: the vectors are normalised) index over the examples."""
        import faiss

        index = faiss.IndexFlatIP(self.examples.shape[1])
        index.add(np.ascontiguousarray(self.examples, dtype=np.float32))
        return index

    def knn_proba(self, embeddings: np.ndarray) -> np.ndarray:
        """Softmax-weighted votes of the k most cosine-similar training examples."""
        k = min(self.k, len(self.examples))
        sims, top = self._index.search(np.ascontiguousarray(embeddings, dtype=np.float32), k)
        votes = np.exp((sims.astype(np.float64) - 1.0) / self.temperature)
        probs = np.stack([np.bincount(self.example_labels[top[row]], weights=votes[row],
                                      minlength=len(self.intents)) for row in range(len(embeddings))])
        return probs / probs.sum(axis=1, keepdims=True)

    def predict_proba(self, embeddings: np.ndarray) -> np.ndarray:
        w = self.linear_weight
        return w * self.linear_proba(embeddings) + (1 - w) * self.knn_proba(embeddings)

    def save(self, folder: Path, meta: dict) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.savez(folder / ARRAYS_FILE, weights=self.weights, bias=self.bias,
                 examples=self.examples.astype(np.float16), example_labels=self.example_labels)
        knn = {"k": self.k, "temperature": self.temperature, "linear_weight": self.linear_weight}
        (folder / META_FILE).write_text(
            json.dumps({**meta, "intents": list(self.intents), "knn": knn}, indent=2),
            encoding="utf-8",
        )

    @classmethod
    def load(cls, folder: Path) -> tuple["IntentModel", dict]:
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        with np.load(folder / ARRAYS_FILE) as arrays:
            model = cls(
                intents=tuple(meta["intents"]),
                weights=arrays["weights"].astype(np.float32),
                bias=arrays["bias"].astype(np.float32),
                examples=arrays["examples"].astype(np.float32),
                example_labels=arrays["example_labels"].astype(np.int64),
                **meta["knn"],
            )
        return model, meta
