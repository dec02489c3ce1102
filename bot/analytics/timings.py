"""Store of per-turn response times, written by the observed turn service."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy.orm import sessionmaker

from bot.analytics.tables import ResponseTimeRow


class ResponseTimes:
    """Appends one row per answered customer message."""

    def __init__(self, session_factory: sessionmaker) -> None:
        self._sessions = session_factory

    def record(self, conversation_id: str, channel: str, seconds: float) -> None:
        with self._sessions.begin() as session:
            session.add(ResponseTimeRow(conversation_id=conversation_id, channel=channel,
                                        seconds=seconds, created_at=datetime.now(timezone.utc)))
