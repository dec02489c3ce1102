"""Side by side on the same BANKING77 folds: our NLU (frozen MiniLM layers + LR/MLP/kNN ensemble)
and Rasa's DIET pipeline as RasaHQ/financial-demo configures it (trained in the Rasa venv).

Usage: python bench/nlu_vs_rasa_diet.py [--folds 5] [--run-folds 5] [--epochs 100] [--latency-n 200]
--run-folds N evaluates only the first N of the folds (DIET takes minutes per fold on 2 cores).
Prints accuracy per system and fold, mean accuracy, training time (ours: the classifier only, its
embeddings come from the training cache) and single-message latency.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold

from bot.settings import PROJECT_ROOT, Settings
from nlu.convert_sources import to_rasa_yaml
from nlu.dataset import load_examples
from nlu.encoder import INFERENCE_TORCH_THREADS, limit_inference_threads
from nlu.onnx_encoder import OnnxEncoder
from nlu.text import clean_text
from nlu.training import (
    ClassifierConfig,
    ensure_encoder,
    fit_model,
    layer_features,
    nlu_data_dir,
)

RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"
WORKER = PROJECT_ROOT / "bench" / "nlu_rasa_diet_worker.py"


def run_diet(texts: list[str], labels: list[str], test_texts: list[str], epochs: int) -> dict:
    """Train and evaluate DIET in the Rasa venv on one fold."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        grouped: dict[str, list[str]] = {}
        for text, label in zip(texts, labels):
            grouped.setdefault(label, []).append(text)
        (work / "train.yml").write_text(to_rasa_yaml("# fold", grouped), encoding="utf-8")
        (work / "test.json").write_text(json.dumps(test_texts))
        subprocess.run([str(RASA_PYTHON), str(WORKER), str(work), str(epochs)], check=True,
                       capture_output=True)
        return json.loads((work / "predictions.json").read_text())


def run_ours(settings: Settings, x_tr: np.ndarray, embedding_dim: int, train_texts: list[str],
             y_tr: list[str], test_texts: list[str], x_te: np.ndarray, latency_n: int) -> dict:
    started = time.perf_counter()
    model = fit_model(x_tr, embedding_dim, train_texts, y_tr, ClassifierConfig(), settings.seed)
    train_s = time.perf_counter() - started  # the embeddings come from the cache
    predicted = [model.intents[i] for i in model.predict_proba(x_te, test_texts).argmax(axis=1)]
    encoder = OnnxEncoder(ensure_encoder(settings), threads=INFERENCE_TORCH_THREADS)  # as served
    limit_inference_threads()
    timings = []
    for text in test_texts[:latency_n]:
        started = time.perf_counter()
        cleaned = [clean_text(text, settings.nlu_max_chars)]
        model.predict_proba(encoder.encode_layers(cleaned), cleaned)
        timings.append((time.perf_counter() - started) * 1000)
    return {"intents": predicted, "latency_ms": timings, "train_s": train_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--run-folds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--latency-n", type=int, default=200)
    args = parser.parse_args()
    settings = Settings()
    examples = load_examples(nlu_data_dir(settings) / "banking77.yml")
    texts = [e.text for e in examples]
    labels = np.array([e.intent for e in examples])
    x, embedding_dim = layer_features(settings, examples)
    folds = StratifiedKFold(args.folds, shuffle=True, random_state=settings.seed).split(x, labels)
    scores: dict[str, list[dict]] = {"bankbot": [], "rasa-diet": []}
    for number, (train, test) in enumerate(list(folds)[: args.run_folds]):
        train_texts, test_texts = [texts[i] for i in train], [texts[i] for i in test]
        results = {
            "bankbot": run_ours(settings, x[train], embedding_dim, train_texts, labels[train].tolist(),
                                test_texts, x[test], args.latency_n),
            "rasa-diet": run_diet(train_texts, labels[train].tolist(), test_texts, args.epochs),
        }
        for system, result in results.items():
            accuracy = float(np.mean(np.array(result["intents"]) == labels[test]))
            scores[system].append({"accuracy": accuracy, **result})
            print(f"fold {number + 1} {system:10s} accuracy {accuracy:.4f} "
                  f"train {result['train_s']:.0f}s", flush=True)
    for system, runs in scores.items():
        timings = [t for run in runs for t in run["latency_ms"]]
        print(f"{system:10s} mean accuracy {np.mean([r['accuracy'] for r in runs]):.4f} over "
              f"{len(runs)} fold(s); latency p50 {statistics.median(timings):.1f} ms "
              f"p99 {np.percentile(timings, 99):.1f} ms; train {np.mean([r['train_s'] for r in runs]):.0f}s/fold")


if __name__ == "__main__":
    main()
