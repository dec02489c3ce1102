"""One settings object for the whole product, read from ``BANKBOT_*`` environment variables.

Every path defaults to a place inside the project checkout so that ``make run`` works on a fresh
clone with nothing configured.
"""
from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    """Runtime configuration; override any field with ``BANKBOT_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="BANKBOT_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = PROJECT_ROOT / "data"
    var_dir: Path = PROJECT_ROOT / "var"
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default is SQLite at var/bankbot.db"
    )
    redis_url: str | None = None

    # Rasa dialogue engine (separate Python 3.10 venv, separate process)
    rasa_bin: Path = PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"
    rasa_port: int = 5005
    rasa_manage: bool = Field(default=True, description="start and supervise the Rasa server")
    rasa_timeout_s: float = 10.0
    internal_token: str = Field(
        default_factory=lambda: secrets.token_urlsafe(24),
        description="shared secret Rasa presents to the NLU and action endpoints; set it when "
        "several instances share Rasa servers",
    )

    # NLU
    encoder_model: str = Field(
        default="all-MiniLM-L6-v2",
        description="local path, installed model package name, or hub id of the sentence encoder",
    )
    # the operating point of bench/nlu_oos.py: >= 95% of in-scope CLINC150 val queries accepted
    nlu_fallback_threshold: float = 0.36
    nlu_max_chars: int = 1000
    seed: int = 13

    # Gateway limits
    max_message_chars: int = 2000
    max_body_bytes: int = 16_384
    internal_max_body_bytes: int = 8_388_608
    session_ttl_s: int = 3600

    # Bank core: future-dated transfers (bot/bankcore/scheduler.py)
    scheduled_transfers_interval_s: float = Field(
        default=60.0, ge=0.0, description="how often the app runs due scheduled transfers; 0 turns "
        "the in-app scheduler off (then run `bankbot transfers run-due` from cron)")

    # Operations and analytics (bot/observability, bot/analytics)
    operator_token: str | None = Field(
        default=None, description="bearer token for scripts reading /api/analytics/* (people log "
        "in as a supervisor instead); unset: no machine access",
    )
    retention_days: int = Field(default=365, ge=1, description="`bankbot retention run` "
                                "anonymises transcripts older than this")
    nps_sample_rate: float = Field(default=0.2, ge=0.0, le=1.0,
                                   description="share of conversations also asked the 0-10 NPS question")
    log_json: bool = Field(default=True, description="JSON log lines with conversation id, PII masked")

    # Phone hand-off (bot/gateway/call_transfer.py): with all three set, a call handed to a human
    # is transferred by Twilio's call-update API; otherwise it stays on the line in the console queue
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_transfer_to: str | None = Field(
        default=None, description="where agents answer: +E.164 number, sip:URI or client:name")
    twilio_api_url: str = "https://api.twilio.com"

    @property
    def sqlalchemy_url(self) -> str:
        """The ledger/transcript database; SQLite file under var/ unless configured."""
        return self.database_url or f"sqlite:///{self.var_dir / 'bankbot.db'}"

    @property
    def models_dir(self) -> Path:
        return self.var_dir / "models"


@lru_cache
def get_settings() -> Settings:
    """FastAPI dependency and process-wide accessor; tests override via dependency_overrides."""
    return Settings()
