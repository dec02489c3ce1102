"""Choose the FAQ retrieval weights by cross-validation on the FAQ's own alternative phrasings.

Each FAQ's alternatives are dealt into 3 folds; for each fold the index is rebuilt without that
fold's alternatives and they are asked as questions. The weights (answer_weight, lexical_weight,
then intent_bonus with the trained NLU model's intents when var/models/nlu exists) that answer
most of them first are printed, and with --write stored in retrieval.yaml. The paraphrase bench
(bench/faq_retrieval.py) is never read here.

    .venv/bin/python bench/faq_tune.py [--write]
"""
from __future__ import annotations

import argparse
import itertools
import re
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.settings import Settings  # noqa: E402
from knowledge_graph.bundle import load_bundle  # noqa: E402
from knowledge_graph.faq_corpus import FaqEntry  # noqa: E402
from knowledge_graph.faq_index import FaqIndex, Weights, encode, entry_texts  # noqa: E402
from nlu.encoder import load_encoder  # noqa: E402

FOLDS = 3
ANSWER_WEIGHTS = (0.9, 1.0)
LEXICAL_WEIGHTS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.6)
INTENT_BONUSES = (0.0, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2)


def folds(entries: list[FaqEntry], vec: dict[str, np.ndarray], encoder):
    """(index without fold f's alternatives, held-out questions, their FAQ ids, their vectors) per fold."""
    for f in range(FOLDS):
        kept = [replace(e, alternatives=[a for j, a in enumerate(e.alternatives) if j % FOLDS != f]) for e in entries]
        index = FaqIndex.from_vectors(kept, np.stack([vec[t] for t in FaqIndex.layout(kept)[1]]), encoder)
        held = [(a, e.id) for e in entries for j, a in enumerate(e.alternatives) if j % FOLDS == f]
        yield index, [q for q, _ in held], [i for _, i in held], np.stack([vec[q] for q, _ in held])


def score(data, weights: Weights, intents: dict[str, str] | None = None) -> tuple[float, float]:
    """(Recall@1, MRR) over every held-out alternative."""
    top1 = rr = n = 0.0
    for index, questions, gold, vectors in data:
        for q, g, v in zip(questions, gold, vectors):
            ids = [h.entry.id for h in index.search(q, 10, (intents or {}).get(q), weights, query_vector=v)]
            top1 += ids[:1] == [g]
            rr += 1 / (ids.index(g) + 1) if g in ids else 0
            n += 1
    return top1 / n, rr / n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true", help="store the chosen weights in retrieval.yaml")
    args = parser.parse_args()
    torch.set_num_threads(2)
    settings = Settings()
    bundle = load_bundle(settings.data_dir / "knowledge")
    encoder = load_encoder(settings.encoder_model)
    entries = bundle.faq
    started = time.perf_counter()
    texts = sorted({t for e in entries for _, t in entry_texts(e)})
    vec = dict(zip(texts, encode(encoder, texts)))
    data = list(folds(entries, vec, encoder))
    n = sum(len(d[1]) for d in data)
    print(f"{n} held-out alternatives of {len(entries)} FAQs in {FOLDS} folds (embedded in {time.perf_counter() - started:.0f}s)")
    results = {}
    for aw, lw in itertools.product(ANSWER_WEIGHTS, LEXICAL_WEIGHTS):
        results[(aw, lw)] = score(data, Weights(0.0, lw, aw))
        print(f"answer_weight {aw:.2f} lexical_weight {lw:.2f}: Recall@1 {results[(aw, lw)][0]:.3f}  MRR {results[(aw, lw)][1]:.3f}")
    aw, lw = max(results, key=lambda k: (results[k], -k[1], k[0]))
    bonus = bundle.retrieval.intent_bonus
    nlu_dir = settings.models_dir / "nlu"
    if nlu_dir.exists():
        from nlu.service import NluService

        service = NluService.load(settings)
        questions = [q for d in data for q in d[1]]
        intents = dict(zip(questions, (service.intents[i] for i in service.probabilities(questions).argmax(axis=1))))
        by_bonus = {b: score(data, Weights(b, lw, aw), intents) for b in INTENT_BONUSES}
        for b, (r1, mrr) in by_bonus.items():
            print(f"intent_bonus {b:.3f} (NLU intents): Recall@1 {r1:.3f}  MRR {mrr:.3f}")
        bonus = max(by_bonus, key=lambda b: (by_bonus[b], -b))
    else:
        print(f"no trained NLU model under {nlu_dir}; intent_bonus stays {bonus}")
    print(f"chosen: answer_weight {aw}, lexical_weight {lw}, intent_bonus {bonus}")
    if args.write:
        path = settings.data_dir / "knowledge" / "retrieval.yaml"
        text = path.read_text()
        for key, value in (("answer_weight", aw), ("lexical_weight", lw), ("intent_bonus", bonus)):
            text = re.sub(rf"(?m)^{key}: [0-9.]+", f"{key}: {value}", text)
        path.write_text(text)
        print(f"wrote them to {path}")


if __name__ == "__main__":
    main()
