"""A customer's right of access and erasure for what the assistant stored about them.

Export gathers their conversations with every turn, feedback, complaints and hand-offs as JSON.
Deletion erases the same (and Rasa's tracker events of those conversations); the bank's ledger and
audit log are kept, because banking law requires them and they are not the assistant's to delete.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import sessionmaker

from bot.analytics.tables import ComplaintRow, FeedbackRow, ResponseTimeRow
from bot.analytics.tracker import rasa_events_table
from bot.conversations.tables import ConversationRow, TurnRow
from handoff.models import CallbackRequest, QueueEntry


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _row(obj: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    return {c.key: _iso(getattr(obj, c.key)) for c in obj.__table__.columns if c.key not in skip}


def export_customer(engine: Engine, customer_id: int) -> dict[str, Any]:
    """Everything the assistant holds about ``customer_id`` (unmasked: it goes to the customer)."""
    sessions = sessionmaker(bind=engine)
    with sessions() as s:
        conversations = s.scalars(select(ConversationRow).where(ConversationRow.customer_id == customer_id)
                                  .order_by(ConversationRow.created_at)).all()
        out = []
        for conv in conversations:
            turns = s.scalars(select(TurnRow).where(TurnRow.conversation_id == conv.id).order_by(TurnRow.seq))
            feedback = s.scalar(select(FeedbackRow).where(FeedbackRow.conversation_id == conv.id))
            complaints = s.scalars(select(ComplaintRow).where(ComplaintRow.conversation_id == conv.id))
            handoffs = s.scalars(select(QueueEntry).where(QueueEntry.conversation_id == conv.id))
            callbacks = s.scalars(select(CallbackRequest).where(CallbackRequest.conversation_id == conv.id))
            out.append({**_row(conv),
                        "turns": [_row(t, skip=("id", "conversation_id")) for t in turns],
                        "feedback": _row(feedback, skip=("id", "conversation_id")) if feedback else None,
                        "complaints": [_row(c, skip=("conversation_id",)) for c in complaints],
                        "handoffs": [_row(h, skip=("conversation_id", "rank", "front")) for h in handoffs],
                        "callbacks": [_row(c, skip=("conversation_id",)) for c in callbacks]})
    return {"customer_id": customer_id, "conversations": out}


@dataclass(frozen=True)
class DeletionReport:
    conversations: int
    turns: int
    tracker_events: int

    def summary(self) -> str:
        return (f"deleted {self.conversations} conversations, {self.turns} turns and "
                f"{self.tracker_events} Rasa tracker events")


def delete_customer(engine: Engine, customer_id: int, tracker: Engine | None = None) -> DeletionReport:
    """Erase the customer's conversations and everything hanging off them, in one transaction."""
    sessions = sessionmaker(bind=engine)
    with sessions.begin() as s:
        ids = list(s.scalars(select(ConversationRow.id).where(ConversationRow.customer_id == customer_id)))
        turns = 0
        if ids:
            for table in (FeedbackRow, ComplaintRow, ResponseTimeRow, CallbackRequest, QueueEntry):
                s.execute(delete(table).where(table.conversation_id.in_(ids)))
            turns = s.execute(delete(TurnRow).where(TurnRow.conversation_id.in_(ids))).rowcount
            s.execute(delete(ConversationRow).where(ConversationRow.id.in_(ids)))
    events = 0
    if tracker is not None and ids:
        table = rasa_events_table(tracker)
        if table is not None:
            with tracker.begin() as conn:
                events = conn.execute(delete(table).where(table.c.sender_id.in_(ids))).rowcount
    return DeletionReport(len(ids), turns, events)
