"""Store of per-turn response times; an observer of the turn pipeline writes them."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy.orm import sessionmaker
from starlette.concurrency import run_in_threadpool

from bot.analytics.survey import is_survey_turn
from bot.analytics.tables import ResponseTimeRow
from bot.conversations.observers import TurnRecord


class ResponseTimes:
    """Appends one row per answered customer message."""

    def __init__(self, session_factory: sessionmaker) -> None:
        self._sessions = session_factory

    def record(self, conversation_id: str, channel: str, seconds: float) -> None:
        with self._sessions.begin() as session:
            session.add(ResponseTimeRow(conversation_id=conversation_id, channel=channel,
                                        seconds=seconds, created_at=datetime.now(timezone.utc)))

    async def turn_done(self, record: TurnRecord) -> None:
        """The dialogue's speed only: no replies (the message went to an agent) and survey answers
        are not response times."""
        if not record.failed and record.replies and not is_survey_turn(record.replies):
            await run_in_threadpool(self.record, record.conversation_id, record.channel, record.seconds)
