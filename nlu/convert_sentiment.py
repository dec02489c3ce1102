"""Build the sentiment/frustration training sample data/nlu/sentiment/goemotions.csv (reproducible).

Usage: python -m nlu.convert_sentiment [--shared ../shared/data] [--per-class 2500]

GoEmotions' 27 emotions become a sentiment label with GoEmotions' own sentiment grouping
(positive / negative; "neutral" alone is neutral; ambiguous or mixed rows are skipped) and a
frustration flag (anger, annoyance, disappointment, disapproval or disgust: what an annoyed bank
customer sounds like). A seeded, class-balanced sample keeps training to seconds.
"""
from __future__ import annotations

import argparse
import csv
import json
import random
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
FRUSTRATION_EMOTIONS = {"anger", "annoyance", "disappointment", "disapproval", "disgust"}
HEADER = ["text", "sentiment", "frustrated"]


def goemotions_rows(tsv: Path, emotions: list[str], groups: dict[str, list[str]]) -> list[list[str]]:
    """(text, sentiment, frustrated) for the rows with one unambiguous sentiment."""
    group_of = {e: g for g, names in groups.items() for e in names}
    rows = []
    with tsv.open(newline="", encoding="utf-8") as fh:
        for text, label_ids, _ in csv.reader(fh, delimiter="\t"):
            labels = {emotions[int(i)] for i in label_ids.split(",")}
            sentiments = {"neutral" if e == "neutral" else group_of[e] for e in labels}
            if len(sentiments) != 1 or "ambiguous" in sentiments:
                continue
            frustrated = int(bool(labels & FRUSTRATION_EMOTIONS))
            rows.append([" ".join(text.split()), sentiments.pop(), str(frustrated)])
    return rows


def load_goemotions(folder: Path, split: str) -> list[list[str]]:
    emotions = (folder / "emotions.txt").read_text(encoding="utf-8").split()
    groups = json.loads((folder / "sentiment_dict.json").read_text(encoding="utf-8"))
    return goemotions_rows(folder / f"{split}.tsv", emotions, groups)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=PROJECT_ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "data" / "nlu" / "sentiment")
    parser.add_argument("--per-class", type=int, default=2500)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    rows = load_goemotions(args.shared / "goemotions", "train")
    rng = random.Random(args.seed)
    sample = []
    for sentiment in ("negative", "neutral", "positive"):
        of_class = [r for r in rows if r[1] == sentiment]
        sample.extend(rng.sample(of_class, min(args.per_class, len(of_class))))
    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "goemotions.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(sample)
    print(f"goemotions.csv: {len(sample)} rows from {len(rows)} usable train rows")


if __name__ == "__main__":
    main()
