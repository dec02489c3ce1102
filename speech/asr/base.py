"""The one streaming ASR interface every engine implements.

A ``Recognizer`` is one audio stream: feed PCM16 chunks at the sample rate declared when it was
created, get partial and final ``AsrResult``s back. Resampling to the model rate and silence
endpointing happen here, once, so every engine cuts utterances the same way and
``BANKBOT_ASR_VAD_*`` means the same thing whatever engine runs.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from speech.audio import StreamResampler, check_rate
from speech.config import VadSettings
from speech.vad import Endpointer, VadEvent, VadFrame


@dataclass(frozen=True)
class Word:
    """One recognised word; times are seconds from the start of the stream."""

    word: str
    start: float
    end: float
    confidence: float


@dataclass(frozen=True)
class AsrResult:
    """A hypothesis for the current utterance (``is_final=False``) or its final text."""

    text: str
    is_final: bool
    words: tuple[Word, ...] = ()
    start: float = 0.0
    end: float = 0.0

    @property
    def confidence(self) -> float:
        """Mean word confidence (0 when there are no words)."""
        return float(np.mean([w.confidence for w in self.words])) if self.words else 0.0


class Recognizer(ABC):
    """Streaming recogniser for one stream. Not thread-safe; one per call or microphone."""

    def __init__(
        self,
        sample_rate: int,
        model_rate: int,
        vad: VadSettings | None = None,
        grammar: Sequence[str] | None = None,
    ) -> None:
        self.sample_rate = check_rate(sample_rate)
        self.model_rate = model_rate
        self._resampler = StreamResampler(self.sample_rate, model_rate)
        self._endpointer = Endpointer(model_rate, vad)
        vad_cfg = self._endpointer.settings
        self._preroll: deque[VadFrame] = deque(maxlen=max(1, vad_cfg.preroll_ms // vad_cfg.frame_ms))
        self.grammar: tuple[str, ...] | None = None
        self.set_grammar(grammar)

    @property
    def speech_active(self) -> bool:
        """True while the caller is talking (barge-in uses this)."""
        return self._endpointer.in_utterance

    def feed(self, pcm: bytes) -> list[AsrResult]:
        """Consume a PCM16 chunk at ``sample_rate``; return partials and finals it produced."""
        return self._frames(self._endpointer.process(self._resampler.process(pcm)))

    def finish(self) -> list[AsrResult]:
        """End of stream: flush buffered audio and finalise an utterance still in progress."""
        results = self._frames(self._endpointer.process(self._resampler.process(b"", last=True)))
        if self._endpointer.in_utterance:
            final = self._end(self._endpointer.time_s)
            results += [final] if final else []
        self.reset()
        return results

    def reset(self) -> None:
        """Drop all audio and state; the grammar stays."""
        self._resampler = StreamResampler(self.sample_rate, self.model_rate)
        self._endpointer.reset()
        self._preroll.clear()
        self._reset_engine()

    def set_grammar(self, phrases: Sequence[str] | None) -> None:
        """Constrain recognition to these phrases from the next utterance on; None = free speech."""
        self.grammar = tuple(phrases) if phrases else None
        self._grammar_changed()

    def _frames(self, frames: list[VadFrame]) -> list[AsrResult]:
        results: list[AsrResult] = []
        for frame in frames:
            if frame.event is VadEvent.SPEECH_START:
                self._begin(list(self._preroll))
                self._preroll.clear()
            if not frame.in_utterance:
                self._preroll.append(frame)
                continue
            partial = self._audio(frame)
            if partial is not None:
                results.append(partial)
            if frame.event is VadEvent.SPEECH_END:
                final = self._end(frame.start_s + len(frame.samples) / self.model_rate)
                results += [final] if final else []
        return results

    @abstractmethod
    def _begin(self, preroll: list[VadFrame]) -> None:
        """An utterance starts; ``preroll`` is the audio just before the onset."""

    @abstractmethod
    def _audio(self, frame: VadFrame) -> AsrResult | None:
        """One frame inside the utterance; may return a changed partial."""

    @abstractmethod
    def _end(self, end_s: float) -> AsrResult | None:
        """The utterance ended at ``end_s``; return its final result (None if nothing heard)."""

    @abstractmethod
    def _reset_engine(self) -> None:
        """Drop the engine's per-utterance state."""

    def _grammar_changed(self) -> None:
        """Engines that compile grammars override this."""


class AsrEngine(ABC):
    """A loaded model, shared by many concurrent ``Recognizer``s."""

    name: str
    language: str
    model_rate: int
    vad: VadSettings | None = None  # endpointing for recognizers not given their own

    @abstractmethod
    def recognizer(
        self, sample_rate: int, grammar: Sequence[str] | None = None, vad: VadSettings | None = None
    ) -> Recognizer:
        """Start a new stream whose audio arrives at ``sample_rate``."""
