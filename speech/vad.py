"""Energy voice-activity detection with silence endpointing.

The noise floor is the quietest frame of the last ``noise_window_ms`` (minimum statistics): speech
has gaps between syllables, steady line noise has none, so a hissing line is never mistaken for a
caller who will not stop talking, and digitally silent audio still works. Decisions are made on fixed frames so the timing of an end of utterance depends
only on the audio, never on how the caller's transport chunks it.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from enum import Enum

import numpy as np

from speech.audio import pcm16_to_array, rms_dbfs
from speech.config import VadSettings


class VadEvent(Enum):
    SPEECH_START = "speech_start"
    SPEECH_END = "speech_end"


@dataclass(frozen=True)
class VadFrame:
    """One frame's verdict: its audio, its start time, whether it is inside an utterance, and for
    how long the caller has been quiet inside it (``quiet_ms``, 0 on speech)."""

    samples: np.ndarray
    start_s: float
    in_utterance: bool
    event: VadEvent | None
    quiet_ms: int = 0


class Endpointer:
    """Splits a PCM16 stream into utterances: speech onset after ``start_ms`` of speech frames,
    end after ``silence_ms`` of non-speech frames or ``max_utterance_s`` of speech."""

    def __init__(self, sample_rate: int, settings: VadSettings | None = None) -> None:
        self.settings = settings or VadSettings()
        self.sample_rate = sample_rate
        self.frame_len = sample_rate * self.settings.frame_ms // 1000
        self.reset()

    def reset(self) -> None:
        """Forget all state, as at the start of a new stream."""
        self._pending = np.zeros(0, dtype=np.int16)
        self._frames_seen = 0
        self._recent_db: deque[float] = deque(maxlen=max(1, self.settings.noise_window_ms // self.settings.frame_ms))
        self._speech_run = 0
        self._silence_run = 0
        self._utterance_frames = 0
        self.in_utterance = False

    @property
    def time_s(self) -> float:
        """Audio time consumed so far."""
        return self._frames_seen * self.frame_len / self.sample_rate

    def _is_speech(self, db: float) -> bool:
        self._recent_db.append(db)
        return db > max(self.settings.min_db, min(self._recent_db) + self.settings.margin_db)

    def _step(self, frame: np.ndarray) -> VadFrame:
        s = self.settings
        start_s = self.time_s
        self._frames_seen += 1
        speech = self._is_speech(rms_dbfs(frame))
        event = None
        if not self.in_utterance:
            self._speech_run = self._speech_run + 1 if speech else 0
            if self._speech_run * s.frame_ms >= max(s.start_ms, s.frame_ms):
                self.in_utterance, event = True, VadEvent.SPEECH_START
                self._silence_run, self._utterance_frames = 0, self._speech_run
        else:
            self._utterance_frames += 1
            self._silence_run = 0 if speech else self._silence_run + 1
            too_long = self._utterance_frames * s.frame_ms >= s.max_utterance_s * 1000
            if self._silence_run * s.frame_ms >= s.silence_ms or too_long:
                self.in_utterance, event = False, VadEvent.SPEECH_END
                self._speech_run = 0
        quiet_ms = self._silence_run * s.frame_ms if self.in_utterance or event else 0
        return VadFrame(frame, start_s, self.in_utterance or event is VadEvent.SPEECH_END, event, quiet_ms)

    def process(self, pcm: bytes) -> list[VadFrame]:
        """Consume PCM16 at ``sample_rate``; return a verdict for every complete frame."""
        self._pending = np.concatenate([self._pending, pcm16_to_array(pcm)])
        n = len(self._pending) // self.frame_len
        frames = [self._step(self._pending[i * self.frame_len:(i + 1) * self.frame_len]) for i in range(n)]
        self._pending = self._pending[n * self.frame_len:]
        return frames
