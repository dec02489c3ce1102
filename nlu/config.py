"""What the NLU reads of the app's settings. The app's ``Settings`` satisfies it; the NLU never
imports the app, so it can be trained, evaluated and served with any object that has these."""
from __future__ import annotations

from pathlib import Path
from typing import Protocol


class NluSettings(Protocol):
    @property
    def data_dir(self) -> Path: ...  # data/: nlu/, sentiment/, language/<lang>.yml
    @property
    def models_dir(self) -> Path: ...  # the trained model goes to models_dir / "nlu"
    @property
    def encoder_model(self) -> str: ...  # local path, installed model package or hub id
    @property
    def seed(self) -> int: ...
    @property
    def nlu_fallback_threshold(self) -> float: ...  # below it the intent is nlu_fallback
    @property
    def nlu_max_chars(self) -> int: ...  # longer messages are cut before they are read
