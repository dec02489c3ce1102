"""Choose ``decline_below`` (data/knowledge/retrieval.yaml): for a message neither the graph nor the
FAQ answers, below which closest-FAQ score the bot declines it as not about banking instead of
asking which banking topic was meant.

Measured on CLINC150 val, which nothing is trained or tuned on: ``oos_val`` (non-banking) and the
``val`` queries of its banking and credit_cards domains (banking). A message is declined, as in the
bot (bot/actions/knowledge.py), when the knowledge layer has no answer and either the NLU ranks
out_of_scope first or the closest FAQ scores under the floor. Prints, per floor, the share of
non-banking messages declined and of banking messages wrongly declined.

    .venv/bin/python bench/oos_decline.py
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.settings import Settings  # noqa: E402
from knowledge_graph.answerer import KnowledgeAnswerer  # noqa: E402
from nlu.labels import NLU_FALLBACK, OUT_OF_SCOPE  # noqa: E402
from nlu.service import NluService, lookup_intent  # noqa: E402

CLINC = ROOT.parent / "shared" / "data" / "clinc150"
FLOORS = (0.25, 0.3, 0.35, 0.4, 0.45, 0.5)


def main() -> None:
    settings = Settings()
    nlu, answerer = NluService.load(settings), KnowledgeAnswerer.load(settings, rebuild=False)
    data = json.loads((CLINC / "clinc150_train_val.json").read_text())
    domains = json.loads((CLINC / "domains.json").read_text())
    banking = set(domains["banking"]) | set(domains["credit_cards"])

    def reading(text: str) -> tuple[bool, bool, float]:
        """(answered, NLU ranks out_of_scope first, closest FAQ score)."""
        parse = nlu.parse(text)
        ranking = [r for r in parse["intent_ranking"] if r["name"] != NLU_FALLBACK]
        answer = answerer.answer(text, lookup_intent(parse), parse["entities"])
        score = answer.candidates[0].score if answer.candidates else 0.0
        return answer.kind != "clarify", ranking[0]["name"] == OUT_OF_SCOPE, score

    outside = [reading(text) for text, _ in data["oos_val"]]
    inside = [reading(text) for text, label in data["val"] if label in banking]
    print(f"CLINC150 val: {len(outside)} non-banking, {len(inside)} banking messages")
    for floor in FLOORS:
        def declined(rows: list[tuple[bool, bool, float]]) -> int:
            return sum(not answered and (oos_first or score < floor) for answered, oos_first, score in rows)
        print(f"decline_below {floor:.2f}: non-banking declined {declined(outside) / len(outside):.1%}, "
              f"banking declined {declined(inside) / len(inside):.1%}")


if __name__ == "__main__":
    main()
