"""Score the trained NLU model on any labelled file: ``bankbot eval [--data FILE]``
Accepts a CSV with ``text`` and ``intent`` (or BANKING77's
``category``) columns, or Rasa NLU YAML; default is the training data (a sanity check, not a score).

BANKING77 and CLINC150 label names are mapped to ours (nlu/labels.py) so a score on BANKING77's own
test file is comparable with published numbers. ``accuracy:`` is closed-set (the top intent among
the intents that occur in the file, as papers report it); the open-set line counts every intent the
bot knows, and nlu_fallback, as it would behave live.
"""
from __future__ import annotations

import argparse
import csv
import statistics
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score

from nlu.config import NluSettings
from nlu.dataset import Example, load_examples
from nlu.labels import CLINC_TO_INTENT, banking77_intent
from nlu.service import NluService
from nlu.text import clean_text
from nlu.training import nlu_data_dir, train_nlu

BATCH = 256


@dataclass(frozen=True)
class EvalReport:
    examples: int
    accuracy: float  # closed-set over the file's intents
    macro_f1: float
    open_set_accuracy: float  # live behaviour: all intents, nlu_fallback counts as wrong
    confusions: list[tuple[str, str, int]]  # (gold, predicted, count), most frequent first
    latency_p50_ms: float
    latency_p99_ms: float


def map_label(label: str, known: set[str]) -> str:
    """Our name for a label from BANKING77, CLINC150 or our own data."""
    if label in known:
        return label
    return CLINC_TO_INTENT.get(label) or banking77_intent(label)


def read_examples(path: Path) -> list[Example]:
    if path.suffix.lower() != ".csv":
        return load_examples(path)
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    column = "intent" if rows and "intent" in rows[0] else "category"
    return [Example(text=row["text"], intent=row[column]) for row in rows]


def evaluate(service: NluService, examples: list[Example], max_chars: int) -> EvalReport:
    known = set(service.intents)
    gold = [map_label(e.intent, known) for e in examples]
    unknown = sorted(set(gold) - known)
    if unknown:
        raise ValueError(f"labels the model does not know (after mapping): {unknown[:10]}")
    texts = [clean_text(e.text, max_chars) for e in examples]
    probs = np.vstack([service.probabilities(texts[i:i + BATCH]) for i in range(0, len(texts), BATCH)])
    columns = [service.intents.index(i) for i in sorted(set(gold))]
    closed = [sorted(set(gold))[j] for j in probs[:, columns].argmax(axis=1)]
    live = [service.parse(e.text)["intent"]["name"] for e in examples[:2000]]
    timings = []
    for text in [e.text for e in examples[:200]]:
        started = time.perf_counter()
        service.parse(text)
        timings.append((time.perf_counter() - started) * 1000)
    confusions = Counter((g, p) for g, p in zip(gold, closed) if g != p).most_common(10)
    return EvalReport(
        examples=len(examples),
        accuracy=float(np.mean([g == p for g, p in zip(gold, closed)])),
        macro_f1=float(f1_score(gold, closed, average="macro")),
        open_set_accuracy=float(np.mean([g == p for g, p in zip(gold, live)])),
        confusions=[(g, p, n) for (g, p), n in confusions],
        latency_p50_ms=statistics.median(timings),
        latency_p99_ms=float(np.percentile(timings, 99)),
    )


def main(settings: NluSettings, argv: list[str] | None = None) -> None:
    """``bankbot eval``: train if needed, then print the figures on ``--data`` (default: data/nlu)."""
    parser = argparse.ArgumentParser(description="Evaluate the trained NLU model.")
    parser.add_argument("--data", type=Path, help="CSV (text,intent|category) or Rasa NLU YAML")
    args = parser.parse_args(argv)
    train_nlu(settings)
    service = NluService.load(settings)
    path = args.data or nlu_data_dir(settings)
    report = evaluate(service, read_examples(path), settings.nlu_max_chars)
    print(f"accuracy: {report.accuracy:.4f} ({report.examples} examples in {path}, closed-set)")
    print(f"macro-F1: {report.macro_f1:.4f}")
    print(f"open-set accuracy (all intents, fallback counts as wrong; first 2000): "
          f"{report.open_set_accuracy:.4f}")
    print(f"parse latency: p50 {report.latency_p50_ms:.1f} ms, p99 {report.latency_p99_ms:.1f} ms")
    for gold, pred, count in report.confusions:
        print(f"  confused {gold} -> {pred}: {count}")
