"""Vosk (Kaldi) streaming recogniser: the product's primary engine.

Each utterance cut by the shared endpointer goes through ``KaldiRecognizer``; Kaldi's own
endpoint (from the model's conf) may split it, so its pieces are joined into one final. Grammars
are compiled by Vosk itself (``SetGrammar``), which is what makes digit/amount/yes-no input
reliable.
"""
from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from pathlib import Path

import vosk

from speech.asr.base import AsrEngine, AsrResult, Recognizer, Word
from speech.config import VadSettings
from speech.vad import VadFrame

log = logging.getLogger(__name__)
vosk.SetLogLevel(-1)


class VoskRecognizer(Recognizer):
    """One stream through a ``KaldiRecognizer``."""

    def __init__(
        self, model: vosk.Model, sample_rate: int, model_rate: int,
        grammar: Sequence[str] | None, vad: VadSettings | None,
    ) -> None:
        self._model = model
        self._kaldi: vosk.KaldiRecognizer | None = None
        super().__init__(sample_rate, model_rate, vad, grammar)

    def _grammar_changed(self) -> None:
        if not self._endpointer.in_utterance:  # else the utterance in progress keeps its grammar
            self._kaldi = self._new_kaldi()

    def _new_kaldi(self) -> vosk.KaldiRecognizer:
        if self.grammar:
            kaldi = vosk.KaldiRecognizer(
                self._model, self.model_rate, json.dumps(list(self.grammar), ensure_ascii=False)
            )
        else:
            kaldi = vosk.KaldiRecognizer(self._model, self.model_rate)
        kaldi.SetWords(True)
        kaldi.SetPartialWords(True)
        self._fed_s = 0.0  # Kaldi's word times count all audio since creation, Reset or not
        self._kaldi_grammar = self.grammar
        return kaldi

    def _engine(self) -> vosk.KaldiRecognizer:
        """Kaldi's recogniser for the current grammar (made on first use)."""
        if self._kaldi is None:
            self._kaldi = self._new_kaldi()
        return self._kaldi

    def _reset_engine(self) -> None:
        self._engine().Reset()
        self._pieces: list[Word] = []
        self._offset = 0.0
        self._last_partial = ""

    def _words(self, payload: dict, key: str) -> list[Word]:
        return [
            Word(w["word"], self._offset + w["start"], self._offset + w["end"], w.get("conf", 1.0))
            for w in payload.get(key, [])
        ]

    def _begin(self, preroll: list[VadFrame]) -> None:
        if self._kaldi_grammar != self.grammar:
            self._kaldi = self._new_kaldi()
        self._reset_engine()
        start_s = preroll[0].start_s if preroll else self._endpointer.time_s
        self._offset = start_s - self._fed_s
        for frame in preroll:
            self._accept(frame)

    def _accept(self, frame: VadFrame) -> bool:
        self._fed_s += len(frame.samples) / self.model_rate
        if self._engine().AcceptWaveform(frame.samples.tobytes()):
            self._pieces += self._words(json.loads(self._engine().Result()), "result")
            return True
        return False

    def _audio(self, frame: VadFrame) -> AsrResult | None:
        if self._accept(frame):
            return None
        partial = json.loads(self._engine().PartialResult())
        words = tuple(self._pieces + self._words(partial, "partial_result"))
        text = " ".join(w.word for w in words)
        if not text or text == self._last_partial:
            return None
        self._last_partial = text
        return AsrResult(text, False, words, words[0].start, words[-1].end)

    def _end(self, end_s: float) -> AsrResult | None:
        words = tuple(self._pieces + self._words(json.loads(self._engine().FinalResult()), "result"))
        self._reset_engine()
        if not words:
            return None
        return AsrResult(" ".join(w.word for w in words), True, words, words[0].start, end_s)


def _model_rate(model_dir: Path) -> int:
    """The rate the acoustic model was trained at (``--sample-frequency`` in mfcc.conf)."""
    conf = model_dir / "conf" / "mfcc.conf"
    text = conf.read_text() if conf.exists() else ""
    match = re.search(r"--sample-frequency=(\d+)", text)
    return int(match.group(1)) if match else 16000


class VoskEngine(AsrEngine):
    """A Vosk model directory loaded once and shared by all streams."""

    def __init__(self, model_dir: Path, language: str, name: str | None = None) -> None:
        self.name = name or Path(model_dir).name
        self.language = language
        self.model_rate = _model_rate(Path(model_dir))
        self._model = vosk.Model(str(model_dir))
        log.info("loaded Vosk model %s (%s) from %s", self.name, language, model_dir)

    def recognizer(
        self, sample_rate: int, grammar: Sequence[str] | None = None, vad: VadSettings | None = None
    ) -> VoskRecognizer:
        return VoskRecognizer(self._model, sample_rate, self.model_rate, grammar, vad or self.vad)
