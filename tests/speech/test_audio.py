"""Mu-law, resampling and audio validation."""
from __future__ import annotations

import numpy as np
import pytest

from speech.audio import (
    AudioFormatError,
    Pcm,
    StreamResampler,
    mulaw_decode,
    mulaw_encode,
    read_wav,
    resample,
    write_wav,
)


def tone(freq: float, rate: int, seconds: float = 1.0, amplitude: float = 8000) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.int16)


def power_at(samples: np.ndarray, rate: int, freq: float) -> float:
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64) * np.hanning(len(samples))))
    return float(spectrum[int(round(freq * len(samples) / rate))])


def test_mulaw_known_codes_and_round_trip() -> None:
    assert mulaw_encode(np.array([0, 32767, -32768], dtype="<i2").tobytes()) == bytes([0xFF, 0x80, 0x00])
    x = tone(440, 8000)
    y = np.frombuffer(mulaw_decode(mulaw_encode(x.tobytes())), dtype="<i2")
    assert len(y) == len(x)
    # G.711 keeps ~13 bits of relative precision: error within 1/16 of the magnitude (plus a step)
    assert np.all(np.abs(y.astype(int) - x) <= np.abs(x) / 16 + 8)
    assert mulaw_encode(mulaw_decode(bytes(range(256)))) == bytes(range(256)).replace(b"\x7f", b"\xff")


def test_upsampling_keeps_the_tone() -> None:
    y = np.frombuffer(resample(tone(1000, 8000).tobytes(), 8000, 16000), dtype="<i2")
    assert abs(len(y) - 16000) <= 2
    peak = np.argmax(np.abs(np.fft.rfft(y))) * 16000 / len(y)
    assert abs(peak - 1000) < 5


def test_downsampling_removes_what_8khz_cannot_carry() -> None:
    mixed = tone(1000, 16000) + tone(6000, 16000)  # 6 kHz would alias to 2 kHz without filtering
    y = np.frombuffer(resample(mixed.tobytes(), 16000, 8000), dtype="<i2")
    assert power_at(y, 8000, 2000) < power_at(y, 8000, 1000) / 1000


def test_streaming_resampler_matches_one_shot() -> None:
    x = tone(700, 8000).tobytes()
    stream = StreamResampler(8000, 16000)
    chunked = b"".join(stream.process(x[i:i + 320]) for i in range(0, len(x), 320)) + stream.process(b"", last=True)
    whole = np.frombuffer(resample(x, 8000, 16000), dtype="<i2").astype(int)
    parts = np.frombuffer(chunked, dtype="<i2").astype(int)
    assert len(parts) == len(whole)
    assert np.max(np.abs(parts - whole)) <= 2


def test_bad_audio_is_rejected_with_a_clear_error() -> None:
    with pytest.raises(AudioFormatError, match="odd number of bytes"):
        StreamResampler(8000, 16000).process(b"\x00\x01\x02")
    with pytest.raises(AudioFormatError, match="outside the supported"):
        StreamResampler(4000, 16000)
    with pytest.raises(AudioFormatError, match="integer"):
        StreamResampler(8000.5, 16000)  # type: ignore[arg-type]
    with pytest.raises(AudioFormatError, match="not a WAV"):
        read_wav(b"<html>not audio</html>")
    stereo = write_wav(Pcm(tone(440, 8000), 8000)).replace(b"\x01\x00\x01\x00", b"\x01\x00\x02\x00", 1)
    with pytest.raises(AudioFormatError, match="mono"):
        read_wav(stereo)
    assert read_wav(write_wav(Pcm(tone(440, 16000), 16000))).sample_rate == 16000
