"""Voice settings read from ``BANKBOT_ASR_*``, ``BANKBOT_TTS_*`` and ``BANKBOT_CALL_*`` env vars.

Kept here as three small models so the lead can fold them into ``bot.settings.Settings`` without
touching the speech code: every speech class takes one of these objects, never the environment.
"""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]


class VadSettings(BaseSettings):
    """Energy voice-activity detection and silence endpointing (``BANKBOT_ASR_VAD_*``)."""

    model_config = SettingsConfigDict(env_prefix="BANKBOT_ASR_VAD_", extra="ignore")

    frame_ms: int = Field(default=20, ge=10, le=50)
    min_db: float = Field(default=-45.0, description="frames quieter than this are never speech")
    margin_db: float = Field(default=12.0, description="speech must exceed the noise floor by this")
    noise_window_ms: int = Field(default=2000, ge=100, description="noise floor = quietest frame in this")
    start_ms: int = Field(default=60, ge=0, description="speech needed before an utterance starts")
    silence_ms: int = Field(default=700, ge=100, description="trailing silence that ends one")
    preroll_ms: int = Field(default=200, ge=0, description="audio kept before speech onset")
    max_utterance_s: float = Field(default=15.0, gt=0, description="force an end after this long")


class AsrSettings(BaseSettings):
    """Which recogniser to run and where its models live (``BANKBOT_ASR_*``)."""

    model_config = SettingsConfigDict(env_prefix="BANKBOT_ASR_", extra="ignore")

    engine: Literal["auto", "vosk", "whisper"] = "auto"
    language: str = "en"
    model: str | None = Field(
        default=None, description="model name from list_models() or a directory; None = best"
    )
    models_dir: Path = PROJECT_ROOT / "var" / "models" / "asr"
    partial_interval_ms: int = Field(
        default=0, ge=0, description="whisper only: re-decode for partials this often (0 = off)"
    )
    early_decode_ms: int = Field(
        default=250, ge=0, description="whisper only: start decoding after this much trailing silence"
    )
    window_s: float = Field(
        default=10.0, ge=1.0, le=30.0, description="whisper only: encode max(this, utterance + 1 s) "
        "of audio instead of Whisper's fixed 30 s window (30 = standard Whisper)")
    threads: int = Field(default=2, ge=1)
    vad: VadSettings = Field(default_factory=VadSettings)


class TtsSettings(BaseSettings):
    """Offline speech synthesis (``BANKBOT_TTS_*``)."""

    model_config = SettingsConfigDict(env_prefix="BANKBOT_TTS_", extra="ignore")

    engine: Literal["auto", "piper", "espeak"] = "auto"
    voice: str | None = Field(
        default=None, description="piper .onnx path or espeak-ng voice; None = packaged default"
    )
    chunk_ms: int = Field(default=200, ge=20, le=2000, description="size of streamed audio chunks")
    espeak_bin: str = "espeak-ng"


class CallSettings(BaseSettings):
    """Telephony call behaviour (``BANKBOT_CALL_*``)."""

    model_config = SettingsConfigDict(env_prefix="BANKBOT_CALL_", extra="ignore")

    reprompt_after_s: float = Field(default=8.0, gt=0, description="caller silence before reprompt")
    max_reprompts: int = Field(default=2, ge=0, description="reprompts before the polite goodbye")
    max_call_s: float = Field(default=1800.0, gt=0, description="hard cap on one call's length")
    idle_timeout_s: float = Field(default=15.0, gt=0, description="close if Twilio sends nothing")
    max_message_bytes: int = Field(default=65_536, gt=0, description="largest accepted WS message")
    reprompt_text: str = "Are you still there? How can I help you?"
    goodbye_text: str = "I haven't heard anything, so I'll end the call now. Goodbye."
    too_long_text: str = "We've reached the maximum call length. Goodbye."
