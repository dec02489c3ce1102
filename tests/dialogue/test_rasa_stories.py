"""`rasa test core` with the project's test stories against the trained dialogue model."""
from __future__ import annotations

import subprocess

import pytest

from bot.rasa.project import train_dialogue
from bot.settings import Settings

pytestmark = pytest.mark.stack


def test_every_test_story_passes(tmp_path):
    settings = Settings()
    model = train_dialogue(settings)  # no-op when the model is current
    proc = subprocess.run(
        [str(settings.rasa_bin), "test", "core", "--model", str(model),
         "--stories", str(settings.data_dir / "rasa" / "tests"), "--out", str(tmp_path),
         "--no-plot", "--fail-on-prediction-errors"], capture_output=True, text=True, timeout=900)
    failed = tmp_path / "failed_test_stories.yml"
    assert proc.returncode == 0, (failed.read_text() if failed.exists() else "") + proc.stderr[-3000:]
    assert "story:" not in failed.read_text()
