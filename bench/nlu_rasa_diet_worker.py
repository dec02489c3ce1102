"""Runs inside the Rasa venv (.venv-rasa, Python 3.10), started by bench/nlu_vs_rasa_diet.py:
trains Rasa's DIET pipeline on one fold's Rasa YAML and writes predictions and parse latencies.

Usage: .venv-rasa/bin/python bench/nlu_rasa_diet_worker.py WORKDIR EPOCHS
WORKDIR holds train.yml and test.json ([texts]); predictions.json is written there.
"""
import asyncio
import json
import sys
import time
from pathlib import Path

# The pipeline RasaHQ/financial-demo uses.
CONFIG = """\
language: en
pipeline:
- name: WhitespaceTokenizer
- name: RegexFeaturizer
- name: LexicalSyntacticFeaturizer
- name: CountVectorsFeaturizer
- name: CountVectorsFeaturizer
  analyzer: char_wb
  min_ngram: 1
  max_ngram: 4
- name: DIETClassifier
  epochs: {epochs}
  random_seed: 13
assistant_id: bankbot-bench
"""


async def predict(model_path: str, texts: list) -> tuple:
    from rasa.core.agent import Agent

    agent = Agent.load(model_path)
    await agent.parse_message("warm up")
    intents, timings = [], []
    for text in texts:
        started = time.perf_counter()
        result = await agent.parse_message(text)
        timings.append((time.perf_counter() - started) * 1000)
        intents.append(result["intent"]["name"])
    return intents, timings


def main() -> None:
    from rasa.model_training import train_nlu

    workdir, epochs = Path(sys.argv[1]), int(sys.argv[2])
    (workdir / "config.yml").write_text(CONFIG.format(epochs=epochs))
    started = time.perf_counter()
    model = train_nlu(str(workdir / "config.yml"), str(workdir / "train.yml"),
                      str(workdir / "models"), fixed_model_name="diet")
    train_s = time.perf_counter() - started
    texts = json.loads((workdir / "test.json").read_text())
    intents, timings = asyncio.run(predict(model, texts))
    (workdir / "predictions.json").write_text(
        json.dumps({"intents": intents, "latency_ms": timings, "train_s": train_s})
    )


if __name__ == "__main__":
    main()
