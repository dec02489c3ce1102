"""English recogniser: faster-whisper (CTranslate2) on utterances cut by the endpointer.

Whisper is not a streaming model, so the shared endpointer segments the stream and each utterance
is decoded once at its end (optionally re-decoded every ``partial_interval_ms`` for partials).
Whisper has no grammar; a grammar here biases decoding (``hotwords``) and then keeps only the
grammar's words, with numerals spelled out, so the dialogue gets the same constrained text as
from Vosk.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
from faster_whisper import WhisperModel

from speech.asr.base import AsrEngine, AsrResult, Recognizer, Word
from speech.config import VadSettings
from speech.grammars import constrain
from speech.vad import VadFrame

log = logging.getLogger(__name__)


class WhisperRecognizer(Recognizer):
    """One stream; buffers the current utterance and decodes it with the shared model.

    Early decode: once the caller has been quiet for ``early_decode_ms`` the buffered utterance
    is decoded in the background, so when the endpointer's longer silence confirms the end the
    text is (nearly) ready. If the caller speaks again the early result is dropped.
    """

    def __init__(
        self, engine: WhisperEngine, sample_rate: int, grammar: Sequence[str] | None,
        vad: VadSettings | None, partial_interval_ms: int, early_decode_ms: int,
    ) -> None:
        self._engine = engine
        self._partial_frames = 0
        super().__init__(sample_rate, engine.model_rate, vad, grammar)
        frame_ms = self._endpointer.settings.frame_ms
        if partial_interval_ms:
            self._partial_frames = max(1, partial_interval_ms // frame_ms)
        self._early_ms = early_decode_ms if 0 < early_decode_ms < self._endpointer.settings.silence_ms else 0
        self._reset_engine()

    def _reset_engine(self) -> None:
        self._frames_buf: list[np.ndarray] = []
        self._start_s = 0.0
        self._early: Future[tuple[str, list[Word]]] | None = None

    def _begin(self, preroll: list[VadFrame]) -> None:
        self._frames_buf = [f.samples for f in preroll]
        self._start_s = preroll[0].start_s if preroll else self._endpointer.time_s

    def _audio(self, frame: VadFrame) -> AsrResult | None:
        self._frames_buf.append(frame.samples)
        if frame.quiet_ms == 0:
            self._early = None
        elif self._early_ms and frame.quiet_ms >= self._early_ms and self._early is None:
            self._early = self._engine.submit(self._frames_buf[:], self.grammar)
        if self._partial_frames and len(self._frames_buf) % self._partial_frames == 0:
            return self._result(self._engine.transcribe(self._audio_of(self._frames_buf), self.grammar), False)
        return None

    def _end(self, end_s: float) -> AsrResult | None:
        decoded = self._early.result() if self._early else self._engine.transcribe(
            self._audio_of(self._frames_buf), self.grammar)
        result = self._result(decoded, True, end_s)
        self._reset_engine()
        return result if result.text else None

    @staticmethod
    def _audio_of(frames: list[np.ndarray]) -> np.ndarray:
        return np.concatenate(frames).astype(np.float32) / 32768.0

    def _result(self, decoded: tuple[str, list[Word]], is_final: bool, end_s: float | None = None) -> AsrResult:
        text, words = decoded
        words = [Word(w.word, self._start_s + w.start, self._start_s + w.end, w.confidence) for w in words]
        if self.grammar:
            words = constrain(words, self.grammar)
            text = " ".join(w.word for w in words)
        end = end_s if end_s is not None else self._start_s + sum(map(len, self._frames_buf)) / self.model_rate
        return AsrResult(text, is_final, tuple(words), self._start_s, end)


class WhisperEngine(AsrEngine):
    """A CTranslate2 Whisper model loaded once; ``transcribe`` is safe to call from threads."""

    model_rate = 16000

    def __init__(
        self, model_dir: Path, language: str = "en", name: str | None = None,
        threads: int = 2, partial_interval_ms: int = 0, early_decode_ms: int = 0,
    ) -> None:
        self.name = name or Path(model_dir).name
        self.language = language
        self.partial_interval_ms = partial_interval_ms
        self.early_decode_ms = early_decode_ms
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="whisper")
        self._model = WhisperModel(str(model_dir), device="cpu", compute_type="int8", cpu_threads=threads)
        log.info("loaded faster-whisper model %s (%s) from %s", self.name, language, model_dir)

    def transcribe(self, audio: np.ndarray, grammar: Sequence[str] | None = None) -> tuple[str, list[Word]]:
        """Greedy decode of one utterance (float32 at 16 kHz): its text (numerals and punctuation
        as Whisper writes them) and its words, timed from the utterance start."""
        segments, _ = self._model.transcribe(
            audio,
            language=self.language,
            beam_size=1,
            # Greedy first; retry warmer only when the text is a repetition loop (compression
            # ratio), a known tiny-model failure on robotic or narrowband speech.
            temperature=(0.0, 0.4),
            log_prob_threshold=None,
            max_new_tokens=min(224, int(16 + 8 * len(audio) / self.model_rate)),  # model limit 448
            condition_on_previous_text=False,
            word_timestamps=True,
            hotwords=" ".join(grammar) if grammar else None,
        )
        raw = [w for segment in segments for w in segment.words or []]
        text = "".join(w.word for w in raw).strip()
        return text, [Word(w.word.strip(), w.start, w.end, w.probability) for w in raw if w.word.strip()]

    def submit(self, frames: list[np.ndarray], grammar: Sequence[str] | None) -> Future[tuple[str, list[Word]]]:
        """Decode in the background (early decode); the caller waits on the future only if needed."""
        return self._pool.submit(lambda: self.transcribe(WhisperRecognizer._audio_of(frames), grammar))

    def recognizer(
        self, sample_rate: int, grammar: Sequence[str] | None = None, vad: VadSettings | None = None
    ) -> WhisperRecognizer:
        return WhisperRecognizer(self, sample_rate, grammar, vad, self.partial_interval_ms, self.early_decode_ms)
