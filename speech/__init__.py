"""Voice: streaming speech recognition, speech synthesis and telephony protocol adapters.

Public API (import from here):
- ASR: ``load_engine(AsrSettings)`` → ``AsrEngine``; ``engine.recognizer(sample_rate, grammar)`` →
  ``Recognizer`` with ``feed(pcm16) -> [AsrResult]``, ``finish()``, ``reset()``,
  ``set_grammar(phrases)``; ``grammar(name, language)`` for digits / amount / yes_no.
- Models: ``list_models()``, ``choose_model()``, ``download_vosk_model(name, dir)``, ``VOSK_OFFICIAL``.
- TTS: ``load_synthesizer(TtsSettings)`` → ``Synthesizer.stream(text)``; ``normalize_for_speech``.
- Audio: ``mulaw_encode``/``mulaw_decode``, ``StreamResampler``/``resample``, ``read_wav``,
  ``AudioFormatError``.
- Telephony: ``TwilioMediaSession``, ``CallInfo``, ``Reply``, ``ProtocolError``; the FastAPI
  ``router`` lives in ``speech.telephony_api`` (imported separately so importing speech stays light).
"""
from speech.asr.base import AsrEngine, AsrResult, Recognizer, Word
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
from speech.config import AsrSettings, CallSettings, TtsSettings, VadSettings
from speech.grammars import grammar
from speech.models import (
    VOSK_OFFICIAL,
    ModelInfo,
    choose_model,
    download_vosk_model,
    list_models,
    load_engine,
)
from speech.textnorm import normalize_for_speech
from speech.tts import Synthesizer, load_synthesizer
from speech.twilio import CallInfo, ProtocolError, Reply, TwilioMediaSession

__all__ = [
    "AsrEngine", "AsrResult", "Recognizer", "Word", "AudioFormatError", "Pcm", "StreamResampler",
    "mulaw_decode", "mulaw_encode", "read_wav", "resample", "write_wav", "AsrSettings",
    "CallSettings", "TtsSettings", "VadSettings", "grammar", "VOSK_OFFICIAL", "ModelInfo",
    "choose_model", "download_vosk_model", "list_models", "load_engine", "normalize_for_speech",
    "Synthesizer", "load_synthesizer", "CallInfo", "ProtocolError", "Reply", "TwilioMediaSession",
]
