"""FAQ retrieval quality: Recall@1, Recall@3 and MRR on paraphrases written apart from the FAQ.

Every 3rd paraphrase (positions 0, 3, 6, ...) is the dev split and is used only to choose the
answer/clarify threshold; all quality figures are reported on the remaining test split.

    .venv/bin/python bench/faq_retrieval.py [--nlu] [--write-threshold] [--encoder /path/to/model]
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.settings import Settings  # noqa: E402
from knowledge_graph.answerer import too_vague  # noqa: E402
from knowledge_graph.build import artifact_dir, build_knowledge  # noqa: E402
from knowledge_graph.bundle import load_bundle  # noqa: E402
from knowledge_graph.faq_corpus import FaqEntry  # noqa: E402
from knowledge_graph.faq_index import FaqIndex, Weights, encode, entry_texts  # noqa: E402
from nlu.encoder import load_encoder  # noqa: E402

DATA = ROOT / "bench" / "data" / "faq_paraphrases.yaml"


def ranks(index: FaqIndex, items: list[dict], weights: Weights = Weights(),
          intents: list[str | None] | None = None, vectors: np.ndarray | None = None):
    """(rank of the right FAQ or None, top score, top id) per item; rank 1 is best.

    The score of a question the answerer finds too vague to answer is -1 (it always clarifies).

    ``intents`` gives the NLU intent passed for each item; ``vectors`` the items' embeddings.
    """
    out = []
    for n, item in enumerate(items):
        hits = index.search(item["q"], k=10, intent=(intents or [None] * len(items))[n], weights=weights,
                            query_vector=None if vectors is None else vectors[n])
        ids = [h.entry.id for h in hits]
        rank = ids.index(item["faq"]) + 1 if item["faq"] in ids else None
        out.append((rank, -1.0 if too_vague(item["q"]) else hits[0].score, ids[0]))  # -1: the answerer clarifies
    return out


def variants(entries: list[FaqEntry], encoder) -> dict[str, FaqIndex]:
    """The product index and the simpler ones it grew from, embedding every text once."""
    texts = sorted({t for e in entries for _, t in entry_texts(e)})
    vec = dict(zip(texts, encode(encoder, texts)))

    def index_of(subset: list[FaqEntry]) -> FaqIndex:
        return FaqIndex.from_vectors(subset, np.stack([vec[t] for t in FaqIndex.layout(subset)[1]]), encoder)

    bare = [replace(e, alternatives=[]) for e in entries]
    return {"question+answer": index_of(bare), "question+alternatives+answer": index_of(entries)}


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


def show(label: str, q: dict[str, float]) -> None:
    print(f"{label:<58} Recall@1 {q['recall@1']:.3f}  Recall@3 {q['recall@3']:.3f}  MRR {q['mrr']:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write-threshold", action="store_true", help="store the dev-selected threshold in retrieval.yaml")
    parser.add_argument("--nlu", action="store_true", help="also re-rank with the trained NLU model's intents (var/models/nlu)")
    parser.add_argument("--encoder", help="evaluate another sentence encoder (a local model folder) in place of the configured one")
    args = parser.parse_args()
    if args.encoder and args.write_threshold:
        parser.error("the threshold is calibrated for the configured encoder only")
    torch.set_num_threads(2)
    settings = Settings()
    started = time.perf_counter()
    report = build_knowledge(settings)
    print(f"index: {report.faq_entries} FAQ entries ({'built' if report.rebuilt else 'reused'} "
          f"in {time.perf_counter() - started:.1f}s), encoder {settings.encoder_model}")
    encoder = load_encoder(args.encoder or settings.encoder_model)
    index = None if args.encoder else FaqIndex.load(artifact_dir(settings), encoder)
    if args.encoder:
        print(f"evaluating encoder {args.encoder} instead")
    bundle = load_bundle(artifact_dir(settings) / "source")
    cfg = bundle.retrieval
    product = cfg.weights
    intents = {e.id: e.intents for e in bundle.faq}
    items = yaml.safe_load(DATA.read_text())["items"]
    dev = [it for i, it in enumerate(items) if i % 3 == 0]
    test = [it for i, it in enumerate(items) if i % 3 != 0]
    test_vec = encode(encoder, [i["q"] for i in test])
    alts = sum(len(e.alternatives) for e in bundle.faq)
    print(f"test split: {sum(1 for i in test if i['faq'])} paraphrases, {sum(1 for i in test if not i['faq'])} vague; "
          f"dev split: {len(dev)} items (threshold only); {alts} alternative phrasings in the FAQ")
    print(f"product weights: {product}")
    started = time.perf_counter()
    built = variants(bundle.faq, encoder)
    index = index or built["question+alternatives+answer"]
    for name, variant in built.items():
        show(f"{name}, dense only (question-only: answer_weight 0)" if name == "question+answer" else f"{name}, dense only",
             quality(ranks(variant, test, Weights(answer_weight=0.0 if name == "question+answer" else 1.0), vectors=test_vec), test))
        show(f"{name}, dense (answer x{product.answer_weight})",
             quality(ranks(variant, test, Weights(answer_weight=product.answer_weight), vectors=test_vec), test))
    print(f"(variants embedded in {time.perf_counter() - started:.1f}s)")
    lexical_only = Weights(lexical_weight=product.lexical_weight, answer_weight=product.answer_weight)
    test_res = ranks(index, test, lexical_only, vectors=test_vec)
    show(f"product index + BM25 (x{product.lexical_weight}), no intent", quality(test_res, test))
    gold = [(intents.get(i["faq"]) or [None])[0] if i["faq"] else None for i in test]
    show(f"+ gold FAQ intent (+{product.intent_bonus}, upper bound)", quality(ranks(index, test, product, gold, test_vec), test))
    if args.nlu:
        predicted = nlu_intents(settings, [i["q"] for i in test])
        show(f"+ trained NLU model's top intent (+{product.intent_bonus})",
             quality(ranks(index, test, product, predicted, test_vec), test))
    dev_res = ranks(index, dev, lexical_only)
    threshold = pick_threshold(dev_res, dev)
    print(f"threshold chosen on dev (no intent): {threshold:.2f} (configured: {cfg.threshold:.2f})")
    d = decisions(test_res, test, threshold)
    print("test decisions at that threshold: " + "  ".join(f"{k} {v:.3f}" for k, v in d.items()))
    latency, cpu = [], []
    for item in test[:100]:
        t0, c0 = time.perf_counter(), time.process_time()
        index.search(item["q"], k=cfg.top_k, weights=product)
        cpu.append(time.process_time() - c0)
        latency.append(time.perf_counter() - t0)
    latency.sort()
    cpu.sort()
    print(f"search latency incl. query embedding: p50 {latency[50] * 1000:.1f} ms, p99 {latency[98] * 1000:.1f} ms "
          f"wall; CPU time of the process p50 {cpu[50] * 1000:.1f} ms, p99 {cpu[98] * 1000:.1f} ms "
          f"(100 queries, load average {os.getloadavg()[0]:.1f})")
    if args.write_threshold:
        path = settings.data_dir / "knowledge" / "retrieval.yaml"
        text = re.sub(r"(?m)^threshold: [0-9.]+", f"threshold: {threshold:.2f}", path.read_text())
        path.write_text(text)
        print(f"wrote threshold {threshold:.2f} to {path}")


if __name__ == "__main__":
    main()
