"""Shared fixtures: real engines loaded once, audio synthesised at test time with espeak-ng/piper."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from speech.asr.vosk_engine import VoskEngine
from speech.asr.whisper_engine import WhisperEngine
from speech.audio import read_wav, resample
from speech.config import AsrSettings, TtsSettings
from speech.models import choose_model
from speech.tts import PiperSynthesizer, Synthesizer, load_synthesizer

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")


def espeak(text: str, rate: int, voice: str = "en-us", speed: int = 140, pad_s: float = 0.5) -> bytes:
    """PCM16 mono at ``rate`` of espeak-ng saying ``text``, with silence either side."""
    wav = subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "--stdout", text],
                         capture_output=True, check=True).stdout
    pcm = read_wav(wav)
    pad = bytes(2 * int(rate * pad_s))
    return pad + resample(pcm.to_bytes(), pcm.sample_rate, rate) + pad


def words(text: str) -> list[str]:
    return re.sub(r"[^a-z0-9' ]", " ", text.lower()).split()


@pytest.fixture(scope="session")
def vosk_ko() -> VoskEngine:
    info = choose_model(AsrSettings(engine="vosk", language="ko"))
    return VoskEngine(info.path, "ko", info.name)


@pytest.fixture(scope="session")
def whisper_en() -> WhisperEngine:
    info = choose_model(AsrSettings(engine="whisper", language="en"))
    return WhisperEngine(info.path, "en", info.name, threads=2, early_decode_ms=AsrSettings().early_decode_ms)


@pytest.fixture(scope="session")
def piper() -> Synthesizer:
    synth = load_synthesizer(TtsSettings(engine="auto"))
    if not isinstance(synth, PiperSynthesizer):
        pytest.skip("piper voice not installed")
    return synth


def transcribe(engine, pcm: bytes, rate: int, chunk_ms: int = 20, grammar=None) -> list[str]:
    """Stream ``pcm`` through a fresh recogniser in ``chunk_ms`` chunks; the final texts."""
    rec = engine.recognizer(rate, grammar=grammar)
    step = 2 * rate * chunk_ms // 1000
    results = [r for i in range(0, len(pcm), step) for r in rec.feed(pcm[i:i + step])]
    return [r.text for r in results + rec.finish() if r.is_final]
