"""A second `make run` must not retrain the NLU model; an edited example must."""
from __future__ import annotations

import shutil
from pathlib import Path

from bot.settings import Settings
from nlu.training import ClassifierConfig, fingerprint, model_dir, train_nlu


def test_unchanged_inputs_are_not_retrained(nlu_settings: Settings) -> None:
    arrays = model_dir(nlu_settings) / "model.npz"
    before = arrays.stat().st_mtime_ns
    assert train_nlu(nlu_settings) == model_dir(nlu_settings)
    assert arrays.stat().st_mtime_ns == before


def test_fingerprint_follows_data_and_config(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(Settings().data_dir / "nlu", data / "nlu")
    settings = Settings(data_dir=data, var_dir=tmp_path / "var")
    original = fingerprint(settings, ClassifierConfig())
    assert fingerprint(settings, ClassifierConfig(c=1.0)) != original
    dialogue = data / "nlu" / "dialogue.yml"
    dialogue.write_text(dialogue.read_text() + "    - hey hey hey\n", encoding="utf-8")
    assert fingerprint(settings, ClassifierConfig()) != original
