"""`bankbot eval nlu` scores files written with BANKING77's own label names."""
from __future__ import annotations

from pathlib import Path

import pytest

from nlu.evaluate import evaluate, read_examples


def test_banking77_labels_are_mapped_and_scored(nlu_service, tmp_path: Path) -> None:
    file = tmp_path / "test.csv"
    file.write_text(
        "text,category\n"
        "somebody took my card from my bag,lost_or_stolen_card\n"
        '"I still do not see my refund, where is it?",Refund_not_showing_up\n'
        "when will my new card get here,card_arrival\n",
        encoding="utf-8",
    )
    report = evaluate(nlu_service, read_examples(file), max_chars=1000)
    assert report.examples == 3
    assert report.accuracy == pytest.approx(1.0)


def test_unknown_labels_are_a_clear_error(nlu_service, tmp_path: Path) -> None:
    file = tmp_path / "test.csv"
    file.write_text("text,intent\nhello,no_such_intent\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no_such_intent"):
        evaluate(nlu_service, read_examples(file), max_chars=1000)
