"""PCM16 validation, G.711 mu-law and streaming resampling.

Mu-law is done in numpy because ``audioop`` is deprecated (removed in Python 3.13). Resampling
uses soxr's ``ResampleStream``: telephony audio arrives in 20 ms chunks, and a streaming polyphase
resampler keeps its filter state across chunks, so there are no clicks at chunk boundaries (which
calling scipy's ``resample_poly`` per chunk would cause) and no need to buffer a whole utterance
(which would add latency). Its anti-aliasing filter is what makes 16 kHz → 8 kHz correct.
"""
from __future__ import annotations

import io
import wave
from dataclasses import dataclass

import numpy as np
import soxr

MIN_RATE, MAX_RATE = 8000, 48000


class AudioFormatError(ValueError):
    """Audio that cannot be used: not PCM16, wrong rate, wrong channel count, not audio at all."""


def check_rate(sample_rate: int) -> int:
    """Accept only integral rates a phone line or microphone can produce."""
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, int):
        raise AudioFormatError(f"sample rate must be an integer in Hz, got {sample_rate!r}")
    if not MIN_RATE <= sample_rate <= MAX_RATE:
        raise AudioFormatError(
            f"sample rate {sample_rate} Hz is outside the supported {MIN_RATE}-{MAX_RATE} Hz"
        )
    return sample_rate


def pcm16_to_array(pcm: bytes) -> np.ndarray:
    """View little-endian mono PCM16 bytes as int16 samples, rejecting odd-length data."""
    if not isinstance(pcm, (bytes, bytearray, memoryview)):
        raise AudioFormatError(f"PCM16 audio must be bytes, got {type(pcm).__name__}")
    if len(pcm) % 2:
        raise AudioFormatError(f"PCM16 audio has an odd number of bytes ({len(pcm)})")
    return np.frombuffer(bytes(pcm), dtype="<i2")


@dataclass(frozen=True)
class Pcm:
    """Mono PCM16 audio with its sample rate."""

    samples: np.ndarray
    sample_rate: int

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate

    def to_bytes(self) -> bytes:
        return self.samples.astype("<i2").tobytes()


def read_wav(data: bytes) -> Pcm:
    """Decode a mono 16-bit PCM WAV file; anything else gets an error that says what it is."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise AudioFormatError("not a WAV file (no RIFF/WAVE header)")
    try:
        with wave.open(io.BytesIO(data)) as w:
            channels, width, rate = w.getnchannels(), w.getsampwidth(), w.getframerate()
            frames = w.readframes(w.getnframes())
    except (wave.Error, EOFError) as exc:
        raise AudioFormatError(f"unreadable WAV: {exc}") from exc
    if width != 2:
        raise AudioFormatError(f"WAV must be 16-bit PCM, got {8 * width}-bit")
    if channels != 1:
        raise AudioFormatError(f"WAV must be mono, got {channels} channels")
    return Pcm(pcm16_to_array(frames), check_rate(rate))


def write_wav(pcm: Pcm) -> bytes:
    """Encode mono PCM16 as a WAV file."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(pcm.sample_rate)
        w.writeframes(pcm.to_bytes())
    return buf.getvalue()


_BIAS = 0x84


def _mulaw_decode_table() -> np.ndarray:
    u = ~np.arange(256, dtype=np.int32) & 0xFF
    exponent, mantissa = (u >> 4) & 0x07, u & 0x0F
    magnitude = (((mantissa << 3) + _BIAS) << exponent) - _BIAS
    return np.where(u & 0x80, -magnitude, magnitude).astype(np.int16)


_DECODE = _mulaw_decode_table()
_SEG_END = np.array([0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF])


def mulaw_decode(data: bytes) -> bytes:
    """G.711 mu-law bytes → PCM16 bytes (same sample rate, usually 8 kHz)."""
    return _DECODE[np.frombuffer(bytes(data), dtype=np.uint8)].astype("<i2").tobytes()


def mulaw_encode(pcm: bytes) -> bytes:
    """PCM16 bytes → G.711 mu-law bytes (bit-exact with the Sun reference coder)."""
    x = pcm16_to_array(pcm).astype(np.int32) >> 2
    mask = np.where(x < 0, 0x7F, 0xFF)
    magnitude = np.minimum(np.abs(x), 8159) + 0x21
    segment = np.searchsorted(_SEG_END, magnitude)
    code = np.where(segment >= 8, 0x7F, (segment << 4) | ((magnitude >> (segment + 1)) & 0x0F))
    return ((code ^ mask) & 0xFF).astype(np.uint8).tobytes()


class StreamResampler:
    """Chunk-by-chunk PCM16 resampler that keeps filter state between chunks."""

    def __init__(self, in_rate: int, out_rate: int) -> None:
        self.in_rate, self.out_rate = check_rate(in_rate), check_rate(out_rate)
        self._stream = (
            None if in_rate == out_rate else soxr.ResampleStream(in_rate, out_rate, 1, "int16", "HQ")
        )

    def process(self, pcm: bytes, last: bool = False) -> bytes:
        """Resample one chunk; pass ``last=True`` on the final chunk to flush the filter tail."""
        samples = pcm16_to_array(pcm)
        if self._stream is None:
            return samples.tobytes()
        return self._stream.resample_chunk(samples, last=last).astype("<i2").tobytes()


def resample(pcm: bytes, in_rate: int, out_rate: int) -> bytes:
    """Resample a whole PCM16 buffer at once."""
    return StreamResampler(in_rate, out_rate).process(pcm, last=True)


def rms_dbfs(samples: np.ndarray) -> float:
    """Loudness of a frame in dB relative to full scale (-120 for digital silence)."""
    if len(samples) == 0:
        return -120.0
    rms = float(np.sqrt(np.mean(samples.astype(np.float64) ** 2))) / 32768.0
    return max(20.0 * np.log10(rms), -120.0) if rms > 0 else -120.0
