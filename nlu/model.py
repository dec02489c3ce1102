"""The intent classifier: a linear softmax head and an MLP over every encoder layer's pooled output
(nlu.onnx_encoder.encode_layers), averaged with similarity-weighted votes of the nearest training
examples by sentence embedding and a TF-IDF head over the text itself (5-fold CV on BANKING77: see
bench/nlu_cv.py and the figures in data/nlu/README.md).

Stored as plain numpy arrays plus JSON (no pickle) so loading a model never runs code. Inference
is a matrix product and an exact inner-product search (faiss: ~0.6 ms for one message against 13k
examples, where numpy's product took ~1.7 ms), both safe to share between threads.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from nlu.mlp_head import mlp_logits
from nlu.tfidf_head import TfidfConfig, TfidfHead

ARRAYS_FILE = "model.npz"
META_FILE = "meta.json"


def softmax(logits: np.ndarray) -> np.ndarray:
    logits = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(logits)
    return exp / exp.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class IntentModel:
    """probabilities = mean of softmax(linear), softmax(MLP), kNN votes and softmax(TF-IDF), over
    ``intents``.

    Input rows are layer features; their last ``examples.shape[1]`` columns are the sentence
    embedding (the final layer's), which is what kNN compares.
    """

    intents: tuple[str, ...]
    weights: np.ndarray  # (n_intents, feature_dim) linear head
    bias: np.ndarray  # (n_intents,)
    mlp: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # w1, b1, w2, b2 (nlu.mlp_head)
    examples: np.ndarray  # (n_examples, dim) normalised training embeddings
    example_labels: np.ndarray  # (n_examples,) index into intents
    lexical: TfidfHead
    k: int = 10
    temperature: float = 0.05

    def embedding(self, features: np.ndarray) -> np.ndarray:
        """The sentence embedding inside the layer features."""
        return features[:, -self.examples.shape[1]:]

    def linear_proba(self, features: np.ndarray) -> np.ndarray:
        return softmax(features @ self.weights.T + self.bias)

    def mlp_proba(self, features: np.ndarray) -> np.ndarray:
        return softmax(mlp_logits(features, *self.mlp))

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

    def predict_proba(self, features: np.ndarray, texts: list[str]) -> np.ndarray:
        """``features`` are the layer features of ``texts`` (the cleaned texts themselves)."""
        knn = self.knn_proba(self.embedding(features))
        lexical = softmax(self.lexical.logits(texts))
        return (self.linear_proba(features) + self.mlp_proba(features) + knn + lexical) / 4

    def save(self, folder: Path, meta: dict) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        w1, b1, w2, b2 = self.mlp
        np.savez(folder / ARRAYS_FILE, weights=self.weights, bias=self.bias,
                 mlp_w1=w1, mlp_b1=b1, mlp_w2=w2, mlp_b2=b2,
                 examples=self.examples.astype(np.float16), example_labels=self.example_labels)
        self.lexical.save(folder)
        knn = {"k": self.k, "temperature": self.temperature}
        (folder / META_FILE).write_text(
            json.dumps({**meta, "intents": list(self.intents), "knn": knn}, indent=2),
            encoding="utf-8",
        )

    @classmethod
    def load(cls, folder: Path) -> tuple["IntentModel", dict]:
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        tfidf: dict[str, Any] = {key: tuple(value) if isinstance(value, list) else value
                 for key, value in meta["classifier"]["tfidf"].items()}
        with np.load(folder / ARRAYS_FILE) as arrays:
            model = cls(
                intents=tuple(meta["intents"]),
                weights=arrays["weights"].astype(np.float32),
                bias=arrays["bias"].astype(np.float32),
                mlp=tuple(arrays[f"mlp_{name}"].astype(np.float32) for name in ("w1", "b1", "w2", "b2")),
                examples=arrays["examples"].astype(np.float32),
                example_labels=arrays["example_labels"].astype(np.int64),
                lexical=TfidfHead.load(folder, TfidfConfig(**tfidf)),
                **meta["knn"],
            )
        return model, meta
