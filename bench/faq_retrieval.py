"""FAQ retrieval quality: Recall@1, Recall@3 and MRR on paraphrases written apart from the FAQ.

Every 3rd paraphrase (positions 0, 3, 6, ...) is the dev split and is used only to choose the
answer/clarify threshold; all quality figures are reported on the remaining test split.

    .venv/bin/python bench/faq_retrieval.py [--write-threshold]
"""
from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import torch
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.settings import Settings  # noqa: E402
from knowledge_graph.build import artifact_dir, build_knowledge  # noqa: E402
from knowledge_graph.bundle import load_bundle  # noqa: E402
from knowledge_graph.faq_index import FaqIndex  # noqa: E402
from nlu.encoder import load_encoder  # noqa: E402

DATA = ROOT / "bench" / "data" / "faq_paraphrases.yaml"


def ranks(index: FaqIndex, items: list[dict], intents: list[str | None] | None = None, bonus: float = 0.0):
    """(rank of the right FAQ or None, top score, top id) per item; rank 1 is best.

    ``intents`` gives the NLU intent passed for each item (re-ranking by ``bonus``).
    """
    out = []
    for item, intent in zip(items, intents or [None] * len(items)):
        hits = index.search(item["q"], k=10, intent=intent, intent_bonus=bonus)
        ids = [h.entry.id for h in hits]
        rank = ids.index(item["faq"]) + 1 if item["faq"] in ids else None
        out.append((rank, hits[0].score, ids[0]))
    return out


def nlu_intents(settings: Settings, texts: list[str]) -> list[str]:
    """Top intent of the trained NLU model for each text (one batched encoder call)."""
    from nlu.service import NluService

    service = NluService.load(settings)
    return [service.intents[i] for i in service.probabilities(texts).argmax(axis=1)]


def quality(results, items) -> dict[str, float]:
    answerable = [(r, i) for r, i in zip(results, items) if i["faq"]]
    n = len(answerable)
    return {
        "n": n,
        "recall@1": sum(1 for (rank, _, _), _ in answerable if rank == 1) / n,
        "recall@3": sum(1 for (rank, _, _), _ in answerable if rank and rank <= 3) / n,
        "mrr": sum(1 / rank for (rank, _, _), _ in answerable if rank) / n,
    }


def decisions(results, items, threshold: float) -> dict[str, float]:
    """What the customer would see: a right answer, a wrong answer, or a clarifying question."""
    right = wrong = clarify_needed = clarify_vague = answered_vague = 0
    for (rank, score, _), item in zip(results, items):
        if item["faq"] is None:
            answered_vague += score >= threshold
            clarify_vague += score < threshold
        elif score < threshold:
            clarify_needed += 1
        elif rank == 1:
            right += 1
        else:
            wrong += 1
    n_ans = sum(1 for i in items if i["faq"])
    n_vague = len(items) - n_ans
    return {"answered_right": right / n_ans, "answered_wrong": wrong / n_ans,
            "clarified": clarify_needed / n_ans,
            "vague_clarified": clarify_vague / max(n_vague, 1), "vague_answered": answered_vague / max(n_vague, 1),
            "good": (right + clarify_vague) / len(items)}


def pick_threshold(results, items) -> float:
    """Threshold maximising good outcomes on dev; a wrong answer counts as bad as a missed one."""
    def utility(t: float) -> float:
        d = decisions(results, items, t)
        n_ans = sum(1 for i in items if i["faq"])
        n_vague = len(items) - n_ans
        return (d["answered_right"] * n_ans - d["answered_wrong"] * n_ans + d["vague_clarified"] * n_vague
                - d["vague_answered"] * n_vague)
    grid = [round(0.30 + 0.01 * i, 2) for i in range(61)]
    return max(grid, key=lambda t: (utility(t), -t))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write-threshold", action="store_true", help="store the dev-selected threshold in retrieval.yaml")
    parser.add_argument("--nlu", action="store_true", help="also re-rank with the trained NLU model's intents (var/models/nlu)")
    args = parser.parse_args()
    torch.set_num_threads(2)
    settings = Settings()
    started = time.perf_counter()
    report = build_knowledge(settings)
    print(f"index: {report.faq_entries} FAQ entries ({'built' if report.rebuilt else 'reused'} "
          f"in {time.perf_counter() - started:.1f}s)")
    index = FaqIndex.load(artifact_dir(settings), load_encoder(settings.encoder_model))
    bundle = load_bundle(artifact_dir(settings) / "source")
    bonus = bundle.retrieval.intent_bonus
    intents = {e.id: e.intents for e in bundle.faq}
    items = yaml.safe_load(DATA.read_text())["items"]
    dev = [it for i, it in enumerate(items) if i % 3 == 0]
    test = [it for i, it in enumerate(items) if i % 3 != 0]
    dev_res, test_res = ranks(index, dev), ranks(index, test)
    threshold = pick_threshold(dev_res, dev)
    q = quality(test_res, test)
    print(f"test split: {q['n']} paraphrases, {len(test) - q['n']} vague; dev split: {len(dev)} items")
    print(f"Recall@1 {q['recall@1']:.3f}  Recall@3 {q['recall@3']:.3f}  MRR {q['mrr']:.3f}")
    gold = [(intents.get(i["faq"]) or [None])[0] if i["faq"] else None for i in test]
    qi = quality(ranks(index, test, gold, bonus), test)
    print(f"with the gold FAQ's intent as NLU intent (+{bonus}, upper bound): Recall@1 {qi['recall@1']:.3f}  "
          f"Recall@3 {qi['recall@3']:.3f}  MRR {qi['mrr']:.3f}")
    if args.nlu:
        predicted = nlu_intents(settings, [i["q"] for i in test])
        qn = quality(ranks(index, test, predicted, bonus), test)
        print(f"with the trained NLU model's top intent (+{bonus}): Recall@1 {qn['recall@1']:.3f}  "
              f"Recall@3 {qn['recall@3']:.3f}  MRR {qn['mrr']:.3f}")
    print(f"threshold chosen on dev: {threshold:.2f} (configured: {bundle.retrieval.threshold:.2f})")
    d = decisions(test_res, test, threshold)
    print("test decisions at that threshold: " + "  ".join(f"{k} {v:.3f}" for k, v in d.items()))
    if args.write_threshold:
        path = settings.data_dir / "knowledge" / "retrieval.yaml"
        text = re.sub(r"(?m)^threshold: [0-9.]+", f"threshold: {threshold:.2f}", path.read_text())
        path.write_text(text)
        print(f"wrote threshold {threshold:.2f} to {path}")


if __name__ == "__main__":
    main()
