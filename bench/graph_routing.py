"""Routing safety: how many FAQ paraphrases (bench/data/faq_paraphrases.yaml) the graph answers
instead of the FAQ. Each one taken is printed so a person can judge whether the graph's answer is right.
Each paraphrase goes through the NLU first and its intent and entities go with it, as in the bot.

    .venv/bin/python bench/graph_routing.py
"""
from __future__ import annotations

import sys
from pathlib import Path

import torch
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.settings import Settings  # noqa: E402
from knowledge_graph.answerer import KnowledgeAnswerer  # noqa: E402
from nlu.service import NluService, lookup_intent  # noqa: E402

DATA = ROOT / "bench" / "data" / "faq_paraphrases.yaml"


def main() -> None:
    torch.set_num_threads(2)
    settings = Settings()
    answerer, nlu = KnowledgeAnswerer.load(settings), NluService.load(settings)
    items = yaml.safe_load(DATA.read_text())["items"]
    taken = 0
    for item in items:
        parsed = nlu.parse(item["q"])
        answer = answerer.answer(item["q"], lookup_intent(parsed), parsed["entities"])
        if answer.kind in ("graph", "not_offered"):
            taken += 1
            print(f"TAKEN {item['q']!r} (faq {item['faq']}): {answer.kind} {answer.result} {answer.sources}")
    print(f"graph took {taken}/{len(items)} FAQ paraphrases")


if __name__ == "__main__":
    main()
