"""Data retention: after the retention period, transcripts keep their analytics value but lose the
customer's words and identity.

Turn text becomes ``[redacted]``, entities and reply metadata go, the conversation is unbound from
the customer, feedback comments, complaint descriptions and hand-off summaries/notes/phone numbers
are cleared, and Rasa's tracker events of that age are deleted. Intents, sentiment, outcomes and
timings stay, so old figures on the dashboard do not change. Running it twice changes nothing more.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import sessionmaker

from bot.analytics.tables import ComplaintRow, FeedbackRow
from bot.analytics.tracker import rasa_events_table
from bot.conversations.tables import ConversationRow, TurnRow
from handoff.models import CallbackRequest, QueueEntry

REDACTED = "[redacted]"
_KEEP_NLU = ("intent", "intent_ranking", "sentiment", "out_of_scope")


@dataclass(frozen=True)
class RetentionReport:
    cutoff: datetime
    conversations: int
    turns: int
    tracker_events: int

    def summary(self) -> str:
        return (f"anonymised data older than {self.cutoff:%Y-%m-%d %H:%M} UTC: {self.conversations} "
                f"conversations, {self.turns} turns; deleted {self.tracker_events} Rasa tracker events")


def cutoff_for(retention_days: int, now: datetime | None = None) -> datetime:
    return (now or datetime.now(timezone.utc)) - timedelta(days=retention_days)


def anonymise_before(engine: Engine, cutoff: datetime, tracker: Engine | None = None) -> RetentionReport:
    """Anonymise everything recorded before ``cutoff`` (see the module docstring)."""
    sessions = sessionmaker(bind=engine)
    old = select(ConversationRow.id).where(ConversationRow.created_at < cutoff)
    with sessions.begin() as s:
        conversations = s.execute(update(ConversationRow).where(
            ConversationRow.created_at < cutoff, ConversationRow.customer_id.is_not(None))
            .values(customer_id=None)).rowcount
        turns = 0
        for turn in s.scalars(select(TurnRow).where(TurnRow.created_at < cutoff, TurnRow.text != REDACTED)):
            turn.text = REDACTED
            turn.meta = None
            turn.nlu = {k: v for k, v in turn.nlu.items() if k in _KEEP_NLU} if turn.nlu else None
            turns += 1
        s.execute(update(FeedbackRow).where(FeedbackRow.conversation_id.in_(old)).values(comment=None))
        s.execute(update(ComplaintRow).where(ComplaintRow.conversation_id.in_(old)).values(description=None))
        seconds = cutoff.timestamp()
        s.execute(update(QueueEntry).where(QueueEntry.created_at < seconds).values(
            customer_id=None, summary="", note=None, entities=[], handback_slots=None))
        s.execute(update(CallbackRequest).where(CallbackRequest.created_at < seconds).values(
            phone=REDACTED, note=""))
    events = 0
    if tracker is not None:
        table = rasa_events_table(tracker)
        if table is not None:
            with tracker.begin() as conn:
                events = conn.execute(delete(table).where(table.c.timestamp < seconds)).rowcount
    return RetentionReport(cutoff, conversations, turns, events)
