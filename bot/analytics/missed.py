"""Missed questions: group what the bot did not understand by meaning, and teach it in one click.

Messages are masked before they are embedded or shown, and a message still containing personal data
is never written into training data.
"""
from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from bot.observability.pii import mask_pii

HEADER = ("# Examples taught from the dashboard's missed-questions view (bot/analytics/missed.py\n"
          "# appends here); reviewed by operators, picked up by the next `bankbot train`.\n")
CLUSTER_DISTANCE = 0.45  # cosine distance under which two messages ask the same thing
MAX_TEXT = 300


@dataclass
class Cluster:
    """Similar unrecognised messages; ``count`` is how often any of them was said."""

    examples: list[dict] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(e["count"] for e in self.examples)

    def as_dict(self) -> dict:
        return {"label": self.examples[0]["text"], "count": self.count, "examples": self.examples}


def cluster_messages(messages: Sequence[dict], embed: Callable[[list[str]], np.ndarray]) -> list[dict]:
    """Group ``[{"text", "count"}]`` (masked here) by embedding similarity, biggest group first."""
    masked: dict[str, int] = {}
    for m in messages:
        text = mask_pii(m["text"])
        masked[text] = masked.get(text, 0) + m["count"]
    texts = sorted(masked, key=lambda t: (-masked[t], t))
    if not texts:
        return []
    labels = [0] * len(texts)
    if len(texts) > 1:
        from sklearn.cluster import AgglomerativeClustering

        vectors = np.asarray(embed(texts), dtype=np.float32)
        labels = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                         distance_threshold=CLUSTER_DISTANCE).fit_predict(vectors).tolist()
    clusters: dict[int, Cluster] = {}
    for text, label in zip(texts, labels):
        clusters.setdefault(label, Cluster()).examples.append({"text": text, "count": masked[text]})
    return [c.as_dict() for c in sorted(clusters.values(), key=lambda c: (-c.count, c.examples[0]["text"]))]


class TeachRejected(ValueError):
    """The example cannot become training data (unknown intent, personal data, bad text)."""


def _render(blocks: dict[str, list[str]]) -> str:
    lines = [HEADER, 'version: "3.1"', "nlu:"]
    for intent in sorted(blocks):
        lines += [f"- intent: {intent}", "  examples: |"] + [f"    - {t}" for t in blocks[intent]]
    return "\n".join(lines) + "\n"


def _read(path: Path) -> dict[str, list[str]]:
    if not path.exists():
        return {}
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    blocks: dict[str, list[str]] = {}
    for block in doc.get("nlu") or []:
        examples = [line.strip()[2:] for line in str(block.get("examples", "")).splitlines()
                    if line.strip().startswith("- ")]
        blocks.setdefault(str(block["intent"]), []).extend(examples)
    return blocks


def teach_example(path: Path, text: str, intent: str, known_intents: Sequence[str]) -> bool:
    """Append ``text`` as an example of ``intent`` to the Rasa NLU YAML at ``path``.

    Returns False when the example was already there. The file is rewritten whole under a lock and
    swapped in atomically, so it is valid Rasa YAML after every call.
    """
    text = " ".join(text.split())
    if intent not in known_intents:
        raise TeachRejected(f"unknown intent {intent!r}")
    if not text or len(text) > MAX_TEXT:
        raise TeachRejected(f"the example must be 1-{MAX_TEXT} characters")
    if mask_pii(text) != text or "[" in text:
        raise TeachRejected("the example contains personal data or masking marks; rephrase it")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(f".{path.name}.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        blocks = _read(path)
        if text.lower() in (t.lower() for t in blocks.get(intent, [])):
            return False
        blocks.setdefault(intent, []).append(text)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(_render(blocks), encoding="utf-8")
        os.replace(tmp, path)
    return True
