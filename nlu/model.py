"""The intent classification head: a linear softmax layer over normalised sentence embeddings.

Stored as plain numpy arrays plus JSON (no pickle) so loading a model never runs code, and
inference is one matrix product that is safe to share between threads.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

WEIGHTS_FILE = "head.npz"
META_FILE = "meta.json"


@dataclass(frozen=True)
class IntentHead:
    """Linear softmax classifier: probabilities = softmax(embeddings @ weights.T + bias)."""

    intents: tuple[str, ...]
    weights: np.ndarray  # (n_intents, dim)
    bias: np.ndarray  # (n_intents,)

    def predict_proba(self, embeddings: np.ndarray) -> np.ndarray:
        logits = embeddings @ self.weights.T + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def save(self, folder: Path, meta: dict) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.savez(folder / WEIGHTS_FILE, weights=self.weights, bias=self.bias)
        (folder / META_FILE).write_text(
            json.dumps({**meta, "intents": list(self.intents)}, indent=2), encoding="utf-8"
        )

    @classmethod
    def load(cls, folder: Path) -> tuple["IntentHead", dict]:
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        with np.load(folder / WEIGHTS_FILE) as arrays:
            head = cls(
                intents=tuple(meta["intents"]),
                weights=arrays["weights"].astype(np.float32),
                bias=arrays["bias"].astype(np.float32),
            )
        return head, meta
