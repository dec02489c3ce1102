"""Warm single-message parse latency of the NLU service (what Rasa waits for on every turn).

Also prints the CPU time each parse used (process time: inference runs on one thread), which is
what the wall-clock latency is on an otherwise idle core; on a shared busy machine the wall clock
adds the time spent waiting for a core.
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
    timings, cpu = [], []
    for text in texts:
        started, started_cpu = time.perf_counter(), time.process_time()
        service.parse(text)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    print(f"nlu parse latency over {len(timings)} messages (warm, sequential): "
          f"p50 {percentile(timings, 50):.1f} ms  p95 {percentile(timings, 95):.1f} ms  "
          f"p99 {percentile(timings, 99):.1f} ms  mean {statistics.mean(timings):.1f} ms")
    print(f"cpu time per parse: p50 {percentile(cpu, 50):.1f} ms  p95 {percentile(cpu, 95):.1f} ms  "
          f"p99 {percentile(cpu, 99):.1f} ms  mean {statistics.mean(cpu):.1f} ms")
    with open("/proc/loadavg", encoding="ascii") as fh:
        print(f"load average during the run: {fh.read().split()[0]} (2-core machine)")


if __name__ == "__main__":
    main()
