"""Structured JSON logs: one object per line, the current conversation id on each, PII masked.

The conversation id lives in a contextvar set around each turn, so every log line written while a
turn is handled (gateway, Rasa client, database) carries it without passing it around.
"""
from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone

from bot.observability.pii import mask_pii

conversation_id_var: ContextVar[str | None] = ContextVar("conversation_id", default=None)
_UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")
# Rasa presents the internal token as a query parameter, which access logs would print.
_SECRET_PARAM = re.compile(r"([?&](?:token|access_token|api_key|password)=)[^&\s\"']+", re.I)


def scrub(text: str) -> str:
    """What a log line may show: personal data masked, credentials in URLs removed."""
    return _SECRET_PARAM.sub(r"\1[redacted]", mask_pii(text))


@contextmanager
def conversation_context(conversation_id: str) -> Iterator[None]:
    """Tag every log line written inside the block with ``conversation_id``."""
    token = conversation_id_var.set(conversation_id)
    try:
        yield
    finally:
        conversation_id_var.reset(token)


class JsonFormatter(logging.Formatter):
    """Render a record as one JSON object with masked message and exception text."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": scrub(record.getMessage()),
            "conversation_id": conversation_id_var.get(),
        }
        if record.exc_info:
            entry["exception"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str = "INFO") -> None:
    """Send the root logger and uvicorn's loggers to stderr as JSON lines (idempotent)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    for name in _UVICORN_LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.propagate = True
