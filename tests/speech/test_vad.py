"""Endpointing depends on the audio only: when speech starts and ends, not how it is chunked."""
from __future__ import annotations

import numpy as np

from speech.config import VadSettings
from speech.vad import Endpointer, VadEvent

RATE = 8000


def burst(seconds: float) -> bytes:
    t = np.arange(int(RATE * seconds)) / RATE
    return (6000 * np.sin(2 * np.pi * 300 * t)).astype("<i2").tobytes()


def hiss(seconds: float, level: int = 30) -> bytes:
    return np.random.default_rng(1).normal(0, level, int(RATE * seconds)).astype("<i2").tobytes()


def events(audio: bytes, chunk: int, settings: VadSettings) -> list[tuple[VadEvent, float]]:
    ep = Endpointer(RATE, settings)
    frames = [f for i in range(0, len(audio), chunk) for f in ep.process(audio[i:i + chunk])]
    return [(f.event, round(f.start_s, 2)) for f in frames if f.event]


def test_utterance_bounds_follow_the_audio_whatever_the_chunking() -> None:
    settings = VadSettings(silence_ms=500, start_ms=60)
    audio = hiss(1.0) + burst(1.0) + hiss(0.3) + burst(0.5) + hiss(1.0)
    expected = [(VadEvent.SPEECH_START, 1.04), (VadEvent.SPEECH_END, 3.28)]
    assert events(audio, 320, settings) == expected  # a pause shorter than silence_ms is kept inside
    assert events(audio, 4000, settings) == expected


def test_long_speech_is_cut_at_max_utterance() -> None:
    syllables = (burst(0.2) + hiss(0.05)) * 24  # 6 s of talking without a pause
    found = events(hiss(0.5) + syllables, 320, VadSettings(max_utterance_s=2.0))
    assert [round(t) for e, t in found if e is VadEvent.SPEECH_END] == [2, 4, 6]  # cut every 2 s


def test_line_noise_alone_is_not_speech() -> None:
    assert events(hiss(3.0, level=200), 320, VadSettings()) == []
    # a steady hum that starts mid-call is taken for speech only until it proves steady
    found = events(hiss(0.5) + burst(6.0), 320, VadSettings(max_utterance_s=15.0))
    assert [e for e, _ in found] == [VadEvent.SPEECH_START, VadEvent.SPEECH_END]
