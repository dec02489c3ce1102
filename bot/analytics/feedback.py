"""Feedback (CSAT, NPS, comment) and complaint cases, validated before anything is stored."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from bot.analytics.tables import ComplaintRow, FeedbackRow
from bot.conversations.tables import ConversationRow
from bot.observability.pii import mask_pii

SLUG = re.compile(r"^[a-z][a-z0-9_-]{1,47}$")
MAX_COMMENT = 1000


class FeedbackRejected(ValueError):
    """The feedback is invalid or already given; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class Feedback:
    conversation_id: str
    csat: int | None
    nps: int | None
    comment: str | None


def nps_sampled(conversation_id: str, rate: float) -> bool:
    """Deterministic sample: the same conversation is always in or out, on every instance."""
    bucket = int(hashlib.sha256(conversation_id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return bucket < rate


def _check(csat: int | None, nps: int | None, comment: str | None) -> None:
    if csat is None and nps is None and comment is None:
        raise FeedbackRejected(422, "give a satisfaction score (csat 1-5) or nps (0-10)")
    if csat is not None and not 1 <= csat <= 5:
        raise FeedbackRejected(422, "csat must be between 1 and 5")
    if nps is not None and not 0 <= nps <= 10:
        raise FeedbackRejected(422, "nps must be between 0 and 10")
    if comment is not None and len(comment) > MAX_COMMENT:
        raise FeedbackRejected(422, f"comment is longer than {MAX_COMMENT} characters")


class FeedbackStore:
    """One feedback row per conversation; the score, the comment and the NPS can each be given
    once (never overwritten). A comment may follow the score later (the chat survey asks for it
    after the score), but never comes first."""

    def __init__(self, session_factory: sessionmaker) -> None:
        self._sessions = session_factory

    def submit(self, conversation_id: str, csat: int | None = None, nps: int | None = None,
               comment: str | None = None) -> Feedback:
        comment = mask_pii((comment or "").strip()) or None  # staff read comments: no card numbers, codes
        _check(csat, nps, comment)
        try:
            return self._store(conversation_id, csat, nps, comment)
        except IntegrityError:  # a concurrent first submission won the unique row
            raise FeedbackRejected(409, "feedback for this conversation was already given") from None

    def _store(self, conversation_id: str, csat: int | None, nps: int | None,
               comment: str | None) -> Feedback:
        with self._sessions.begin() as session:
            row = session.scalar(select(FeedbackRow).where(FeedbackRow.conversation_id == conversation_id)
                                 .with_for_update())
            if row is None:
                if csat is None and nps is None:
                    raise FeedbackRejected(422, "give a satisfaction score (csat 1-5) or nps (0-10)")
                row = FeedbackRow(conversation_id=conversation_id, created_at=datetime.now(timezone.utc))
                session.add(row)
            if ((csat is not None and row.csat is not None) or (nps is not None and row.nps is not None)
                    or (comment is not None and row.comment is not None)):
                raise FeedbackRejected(409, "feedback for this conversation was already given")
            row.csat = csat if csat is not None else row.csat
            row.nps = nps if nps is not None else row.nps
            row.comment = comment or row.comment
            return Feedback(conversation_id, row.csat, row.nps, row.comment)

    def get(self, conversation_id: str) -> Feedback | None:
        with self._sessions() as session:
            row = session.scalar(select(FeedbackRow).where(FeedbackRow.conversation_id == conversation_id))
            return Feedback(conversation_id, row.csat, row.nps, row.comment) if row else None


@dataclass(frozen=True)
class Complaint:
    id: int
    conversation_id: str
    product: str
    channel: str
    cause: str
    status: str


class ComplaintStore:
    """Complaint cases; product and cause are short slugs so they group cleanly in analytics."""

    def __init__(self, session_factory: sessionmaker) -> None:
        self._sessions = session_factory

    def record(self, conversation_id: str, product: str, cause: str,
               description: str | None = None) -> Complaint:
        product, cause = product.strip().lower(), cause.strip().lower()
        for name, value in (("product", product), ("cause", cause)):
            if not SLUG.match(value):
                raise FeedbackRejected(422, f"{name} must be a short lowercase slug like 'credit_card'")
        if description is not None and len(description) > MAX_COMMENT:
            raise FeedbackRejected(422, f"description is longer than {MAX_COMMENT} characters")
        with self._sessions.begin() as session:
            conversation = session.get(ConversationRow, conversation_id)
            if conversation is None:
                raise FeedbackRejected(404, "unknown conversation")
            row = ComplaintRow(conversation_id=conversation_id, product=product, cause=cause,
                               channel=conversation.channel, status="open",
                               description=mask_pii(description) if description else None,
                               created_at=datetime.now(timezone.utc))
            session.add(row)
            session.flush()
            return Complaint(row.id, conversation_id, product, row.channel, cause, row.status)
