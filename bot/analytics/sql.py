"""Portable SQL pieces (SQLite and PostgreSQL): UTC day and UNIX seconds of a timestamp, JSON fields
of a turn's parse."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import Float, Select, String, and_, exists, func, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from bot.conversations.tables import ConversationRow, TurnRow

UNRECOGNISED = ("nlu_fallback", "out_of_scope")


class utc_day(FunctionElement):
    """'YYYY-MM-DD' of a timestamp in UTC."""

    type = String()
    inherit_cache = True


@compiles(utc_day, "sqlite")
def _day_sqlite(element: utc_day, compiler: Any, **kw: Any) -> str:
    return f"strftime('%Y-%m-%d', {compiler.process(element.clauses, **kw)})"


@compiles(utc_day, "postgresql")
def _day_postgres(element: utc_day, compiler: Any, **kw: Any) -> str:
    return f"to_char(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"


class epoch_seconds(FunctionElement):
    """UNIX seconds of a timestamp (hand-off queue times are UNIX seconds, transcript times are not)."""

    type = Float()
    inherit_cache = True


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element: epoch_seconds, compiler: Any, **kw: Any) -> str:
    # SQLite keeps the UTC wall time as text; julianday keeps the fractional seconds
    return f"((julianday({compiler.process(element.clauses, **kw)}) - 2440587.5) * 86400.0)"


@compiles(epoch_seconds, "postgresql")
def _epoch_postgres(element: epoch_seconds, compiler: Any, **kw: Any) -> str:
    return f"extract(epoch from ({compiler.process(element.clauses, **kw)}))"


def intent_name() -> ColumnElement[str]:
    """The intent Rasa/NLU gave a customer turn (NULL when Rasa was down)."""
    return TurnRow.nlu[("intent", "name")].as_string()


def is_survey_answer() -> ColumnElement[bool]:
    """A customer turn that answered the feedback survey (``meta.survey`` is set): not a request."""
    return TurnRow.meta[("survey",)].as_string().is_not(None)


def sentiment_label() -> ColumnElement[str]:
    """Sentiment may be stored as a label or as ``{"label": ..., ...}``; unlabelled is 'unknown'."""
    return func.coalesce(TurnRow.nlu[("sentiment", "label")].as_string(),
                         TurnRow.nlu[("sentiment",)].as_string(), literal("unknown"))


@dataclass(frozen=True)
class Window:
    """Which conversations a figure covers: started in [start, end] (UTC days), on one channel."""

    start: date | None = None
    end: date | None = None
    channel: str | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        """WHERE clauses on ``conversations``; only conversations where the customer said something."""
        turn = aliased(TurnRow)  # never correlates with a TurnRow in an enclosing query
        spoke = exists().where(and_(turn.conversation_id == ConversationRow.id, turn.speaker == "customer"))
        where: list[ColumnElement[bool]] = [spoke]
        if self.start:
            where.append(ConversationRow.created_at >= datetime.combine(self.start, time(), timezone.utc))
        if self.end:
            where.append(ConversationRow.created_at <
                         datetime.combine(self.end + timedelta(days=1), time(), timezone.utc))
        if self.channel:
            where.append(ConversationRow.channel == self.channel)
        return where

    def conversation_ids(self) -> Select:
        """Subquery of the ids in the window (for joining other tables)."""
        return select(ConversationRow.id).where(*self.conditions())
