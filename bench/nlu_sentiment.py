"""Sentiment and frustration quality on GoEmotions' dev split (held out: training samples come from
its train split only).

Usage: python bench/nlu_sentiment.py [--limit 3000]
Prints sentiment accuracy and macro-F1, and frustration precision/recall/F1 at 0.5.
"""
from __future__ import annotations

import argparse
import random

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

from bot.settings import PROJECT_ROOT, Settings
from nlu.convert_sentiment import load_goemotions
from nlu.service import NluService
from nlu.text import clean_text
from nlu.training import train_nlu

GOEMOTIONS = PROJECT_ROOT.parent / "shared" / "data" / "goemotions"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=3000, help="seeded sample of dev rows")
    args = parser.parse_args()
    settings = Settings()
    train_nlu(settings)
    service = NluService.load(settings)
    rows = load_goemotions(GOEMOTIONS, "dev")
    rows = random.Random(settings.seed).sample(rows, min(args.limit, len(rows)))
    texts = [clean_text(text, settings.nlu_max_chars) for text, _, _ in rows]
    embeddings = np.vstack([service.embed(texts[i:i + 256]) for i in range(0, len(texts), 256)])
    predictions = [service.sentiment.predict(e, t) for e, t in zip(embeddings, texts)]
    gold = [sentiment for _, sentiment, _ in rows]
    labels = [p["label"] for p in predictions]
    frustrated = [int(f) for _, _, f in rows]
    flagged = [int(p["frustration"] >= 0.5) for p in predictions]
    precision, recall, f1, _ = precision_recall_fscore_support(frustrated, flagged, average="binary")
    print(f"GoEmotions dev ({len(rows)} rows, unambiguous sentiment): sentiment accuracy "
          f"{accuracy_score(gold, labels):.4f}, macro-F1 {f1_score(gold, labels, average='macro'):.4f}")
    print(f"frustration >= 0.5: precision {precision:.4f} recall {recall:.4f} F1 {f1:.4f} "
          f"(base rate {np.mean(frustrated):.3f})")


if __name__ == "__main__":
    main()
