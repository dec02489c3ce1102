"""Sentiment label and frustration score from the same sentence embedding the intents use.

Two linear heads (3-way sentiment, binary frustration) trained on a GoEmotions sample plus banking
complaints written here (data/nlu/sentiment/*.csv), so they add a matrix product, not an encoder
pass. The encoder is uncased, so shouting (mostly capitals) and repeated '!' raise frustration
explicitly.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nlu.model import softmax

SENTIMENT_FILE = "sentiment.npz"
# Hand-written banking rows are few but in-domain: each counts as this many GoEmotions comments.
IN_DOMAIN_WEIGHT = 10.0
GENERATED_FILES = {"goemotions.csv"}
SHOUTING_BOOST = 0.4
EXCLAMATION_BOOST = 0.15


@dataclass(frozen=True)
class SentimentRow:
    text: str
    sentiment: str
    frustrated: int
    weight: float = 1.0


def load_sentiment_rows(folder: Path) -> list[SentimentRow]:
    """Every ``text,sentiment,frustrated`` row in the CSV files of ``folder``, in a stable order."""
    rows: list[SentimentRow] = []
    for file in sorted(folder.glob("*.csv")):
        weight = 1.0 if file.name in GENERATED_FILES else IN_DOMAIN_WEIGHT
        with file.open(newline="", encoding="utf-8") as fh:
            rows.extend(
                SentimentRow(r["text"], r["sentiment"], int(r["frustrated"]), weight)
                for r in csv.DictReader(fh)
            )
    return rows


def style_boost(text: str) -> float:
    """Extra frustration for SHOUTING and '!!' that the uncased encoder cannot see."""
    letters = [c for c in text if c.isalpha()]
    boost = 0.0
    if len(letters) >= 6 and sum(c.isupper() for c in letters) / len(letters) >= 0.7:
        boost += SHOUTING_BOOST
    if "!!" in text:
        boost += EXCLAMATION_BOOST
    return boost


@dataclass(frozen=True)
class SentimentModel:
    labels: tuple[str, ...]
    weights: np.ndarray  # (n_labels, dim)
    bias: np.ndarray  # (n_labels,)
    frustration_weights: np.ndarray  # (dim,)
    frustration_bias: float

    def predict(self, embedding: np.ndarray, text: str) -> dict[str, Any]:
        """{"label", "confidence", "scores", "frustration"} for one message."""
        probs = softmax(embedding[None, :] @ self.weights.T + self.bias)[0]
        logit = float(embedding @ self.frustration_weights + self.frustration_bias)
        frustration = 1.0 / (1.0 + np.exp(-logit))
        frustration = min(1.0, frustration + style_boost(text) * (1.0 - frustration))
        best = int(probs.argmax())
        label = self.labels[best]
        if frustration >= 0.5 and label == "neutral":
            label = "negative"  # a frustrated customer is not neutral, whatever the words say
        return {
            "label": label,
            "confidence": float(probs[best]),
            "scores": {label: float(p) for label, p in zip(self.labels, probs)},
            "frustration": float(frustration),
        }

    def save(self, folder: Path) -> None:
        np.savez(folder / SENTIMENT_FILE, labels=np.array(self.labels), weights=self.weights,
                 bias=self.bias, frustration_weights=self.frustration_weights,
                 frustration_bias=np.array([self.frustration_bias]))

    @classmethod
    def load(cls, folder: Path) -> "SentimentModel":
        with np.load(folder / SENTIMENT_FILE) as a:
            return cls(tuple(str(x) for x in a["labels"]), a["weights"].astype(np.float32),
                       a["bias"].astype(np.float32), a["frustration_weights"].astype(np.float32),
                       float(a["frustration_bias"][0]))


def no_words_sentiment(text: str) -> dict[str, Any]:
    """What an emoji-only or empty message gets: nothing to read but its punctuation."""
    return {"label": "neutral", "confidence": 1.0, "scores": {"neutral": 1.0},
            "frustration": min(1.0, style_boost(text))}


def fit_sentiment(embeddings: np.ndarray, rows: list[SentimentRow], c: float, seed: int) -> SentimentModel:
    """Logistic regressions for the label and the frustration flag."""
    from sklearn.linear_model import LogisticRegression

    label_clf = LogisticRegression(C=c, max_iter=300, random_state=seed, class_weight="balanced")
    weights = np.array([r.weight for r in rows])
    label_clf.fit(embeddings, [r.sentiment for r in rows], sample_weight=weights)
    frustration_clf = LogisticRegression(C=c, max_iter=300, random_state=seed, class_weight="balanced")
    frustration_clf.fit(embeddings, [r.frustrated for r in rows], sample_weight=weights)
    return SentimentModel(
        labels=tuple(str(x) for x in label_clf.classes_),
        weights=label_clf.coef_.astype(np.float32),
        bias=label_clf.intercept_.astype(np.float32),
        frustration_weights=frustration_clf.coef_[0].astype(np.float32),
        frustration_bias=float(frustration_clf.intercept_[0]),
    )
