"""The Rasa YAML reader and the shipped training data."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from bot.settings import Settings
from nlu.dataset import load_examples, load_file

DIALOGUE_INTENTS = {"greet", "goodbye", "thanks", "affirm", "deny", "check_balance", "human_agent"}


def test_reads_blocks_lists_and_strips_entity_annotations(tmp_path: Path) -> None:
    file = tmp_path / "nlu.yml"
    file.write_text(
        'version: "3.1"\nnlu:\n- intent: transfer_money\n  examples: |\n'
        "    - send [fifty quid](amount) to [Bob](payee)\n    - pay rent\n"
        "- synonym: savings\n  examples: |\n    - savings account\n"
        "- intent: greet\n  examples:\n  - text: hi\n",
        encoding="utf-8",
    )
    examples = load_file(file)
    assert [(e.text, e.intent) for e in examples] == [
        ("send fifty quid to Bob", "transfer_money"), ("pay rent", "transfer_money"), ("hi", "greet"),
    ]


def test_shipped_data_has_every_intent_with_enough_examples() -> None:
    counts = Counter(e.intent for e in load_examples(Settings().data_dir / "nlu"))
    assert DIALOGUE_INTENTS | {"out_of_scope", "card_arrival", "report_lost_card"} <= set(counts)
    assert len([i for i in counts if i not in DIALOGUE_INTENTS | {"out_of_scope"}]) >= 77
    assert min(counts.values()) >= 30
