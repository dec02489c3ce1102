"""Warm single-message parse latency of the NLU service (what Rasa waits for on every turn).

Usage: python bench/nlu_latency.py [--n 300]   (trains the model first if it is missing)
"""
from __future__ import annotations

import argparse
import statistics
import time

from bot.settings import Settings
from nlu.dataset import load_examples
from nlu.service import NluService
from nlu.training import nlu_data_dir, train_nlu


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    args = parser.parse_args()
    settings = Settings()
    train_nlu(settings)
    service = NluService.load(settings)
    texts = [e.text for e in load_examples(nlu_data_dir(settings))][:: 37][: args.n]
    for text in texts[:20]:
        service.parse(text)
    timings = []
    for text in texts:
        started = time.perf_counter()
        service.parse(text)
        timings.append((time.perf_counter() - started) * 1000)
    print(f"nlu parse latency over {len(timings)} messages (warm, sequential): "
          f"p50 {percentile(timings, 50):.1f} ms  p95 {percentile(timings, 95):.1f} ms  "
          f"p99 {percentile(timings, 99):.1f} ms  mean {statistics.mean(timings):.1f} ms")


if __name__ == "__main__":
    main()
