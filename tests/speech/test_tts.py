"""Spoken replies: streamed in chunks, normalised, and intelligible to the English ASR."""
from __future__ import annotations

from speech.audio import resample
from speech.config import TtsSettings
from speech.tts import EspeakSynthesizer, load_synthesizer
from tests.speech.conftest import needs_espeak, transcribe, words


def test_piper_reply_is_streamed_and_transcribed_back(piper, whisper_en) -> None:
    chunks = list(piper.stream("Your balance is $1,200.50."))
    chunk_bytes = 2 * piper.sample_rate * piper.chunk_ms // 1000
    assert len(chunks) > 3 and all(len(c) == chunk_bytes for c in chunks[:-1])
    pcm16k = resample(b"".join(chunks), piper.sample_rate, 16000)
    heard = " ".join(transcribe(whisper_en, pcm16k + bytes(32000), 16000))
    # Piper's voice varies run to run, and Whisper sometimes hears "... $1200.50 cents": the words and
    # the amount are what a caller must get
    assert heard.replace(",", "").startswith("Your balance is $1200.50")


@needs_espeak
def test_espeak_fallback_is_intelligible(whisper_en) -> None:
    synth = load_synthesizer(TtsSettings(engine="espeak"))
    assert isinstance(synth, EspeakSynthesizer)
    pcm = resample(synth.synthesize("I lost my credit card yesterday.").to_bytes(), synth.sample_rate, 16000)
    heard = " ".join(transcribe(whisper_en, pcm + bytes(32000), 16000))
    assert {"lost", "credit", "card", "yesterday"} <= set(words(heard))


def test_empty_text_gives_no_audio(piper) -> None:
    assert list(piper.stream("   ")) == []
