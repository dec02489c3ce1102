"""English recogniser: faster-whisper (CTranslate2) on utterances cut by the endpointer.

Whisper is not a streaming model, so the shared endpointer segments the stream and each utterance
is decoded once at its end (optionally re-decoded every ``partial_interval_ms`` for partials).
Whisper has no grammar; a grammar here biases decoding (``hotwords``) and then keeps only the
grammar's words, with numerals spelled out, so the dialogue gets the same constrained text as
from Vosk.
"""
from __future__ import annotations

import contextlib
import logging
import math
import threading
from collections.abc import Iterator, Sequence
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


def _repeats(words: list[str]) -> bool:
    """A word three times running or a phrase said twice in a row: a decoding loop (or a PIN
    like 1111, which then merely costs a second decode)."""
    if any(words[i] == words[i + 1] == words[i + 2] for i in range(len(words) - 2)):
        return True
    return any(words[i:i + n] == words[i + n:i + 2 * n]
               for n in range(2, len(words) // 2 + 1) for i in range(len(words) - 2 * n + 1))


class WindowedWhisperModel(WhisperModel):
    """faster-whisper that can encode only the utterance's part of Whisper's 30 s window.

    faster-whisper pads every input to 30 s of features (zeros after the audio) and the encoder,
    most of the cost of a short utterance, runs on all of it. CTranslate2 accepts shorter inputs,
    so inside ``windowed()`` this encodes ``max(window_s, audio + 1 s)`` instead (10 s: an
    eighth of the encoder time). Whisper was trained on full windows, so ``WhisperEngine`` checks the result
    and decodes again on the full window when it looks wrong.
    """

    def __init__(self, *args, window_s: float = 10.0, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.window_frames = int(window_s * 100)  # 100 feature frames per second
        self._local = threading.local()  # the engine decodes from two threads

    @contextlib.contextmanager
    def windowed(self) -> Iterator[None]:
        self._local.windowed = True
        try:
            yield
        finally:
            self._local.windowed = False

    def encode(self, features: np.ndarray):
        if not getattr(self._local, "windowed", False) or self.window_frames >= 3000:
            return super().encode(features)
        batch = features if features.ndim == 3 else features[None]
        content = np.flatnonzero(np.any(batch != 0, axis=(0, 1)))  # padding is exactly zero
        used = int(content[-1]) + 1 if len(content) else 1
        frames = max(self.window_frames, math.ceil((used + 100) / 100) * 100)
        return super().encode(np.ascontiguousarray(batch[..., :min(frames, batch.shape[-1])]))


class WhisperEngine(AsrEngine):
    """A CTranslate2 Whisper model loaded once; ``transcribe`` is safe to call from threads."""

    model_rate = 16000

    def __init__(
        self, model_dir: Path, language: str = "en", name: str | None = None,
        threads: int = 2, partial_interval_ms: int = 0, early_decode_ms: int = 0,
        window_s: float = 10.0,
    ) -> None:
        self.name = name or Path(model_dir).name
        self.language = language
        self.partial_interval_ms = partial_interval_ms
        self.early_decode_ms = early_decode_ms
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="whisper")
        self._model = WindowedWhisperModel(str(model_dir), device="cpu", compute_type="int8",
                                           cpu_threads=threads, window_s=window_s)
        log.info("loaded faster-whisper model %s (%s) from %s", self.name, language, model_dir)

    def transcribe(self, audio: np.ndarray, grammar: Sequence[str] | None = None) -> tuple[str, list[Word]]:
        """Greedy decode of one utterance (float32 at 16 kHz): its text (numerals and punctuation
        as Whisper writes them) and its words, timed from the utterance start.

        First on the short window; again on the full 30 s one when that heard nothing, is unsure
        (mean log-probability below -1, Whisper's own threshold) or repeats itself."""
        with self._model.windowed():
            text, words, logprob = self._decode(audio, grammar)
        if not text or logprob < -1.0 or _repeats([w.word.lower() for w in words]):
            text, words, _ = self._decode(audio, grammar)
        return text, words

    def _decode(self, audio: np.ndarray, grammar: Sequence[str] | None) -> tuple[str, list[Word], float]:
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
        segments = list(segments)
        raw = [w for segment in segments for w in segment.words or []]
        text = "".join(w.word for w in raw).strip()
        logprob = min((segment.avg_logprob for segment in segments), default=0.0)
        return text, [Word(w.word.strip(), w.start, w.end, w.probability) for w in raw if w.word.strip()], logprob

    def submit(self, frames: list[np.ndarray], grammar: Sequence[str] | None) -> Future[tuple[str, list[Word]]]:
        """Decode in the background (early decode); the caller waits on the future only if needed."""
        return self._pool.submit(lambda: self.transcribe(WhisperRecognizer._audio_of(frames), grammar))

    def recognizer(
        self, sample_rate: int, grammar: Sequence[str] | None = None, vad: VadSettings | None = None
    ) -> WhisperRecognizer:
        return WhisperRecognizer(self, sample_rate, grammar, vad or self.vad, self.partial_interval_ms,
                                 self.early_decode_ms)
