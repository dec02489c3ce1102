"""Free text staff read later (complaint descriptions, survey comments) is stored with card
numbers, codes and account numbers masked: before the fix a complaint opened over the API kept
"card 4111 1111 1111 1111, CVV 739" as typed."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot.analytics.feedback import ComplaintStore, FeedbackStore
from bot.analytics.tables import ComplaintRow, FeedbackRow
from bot.conversations.store import ConversationStore
from bot.db import create_all, make_engine, make_session_factory

TYPED = "They charged card 4111 1111 1111 1111 twice, my CVV is 739"


def test_complaint_descriptions_and_comments_are_stored_masked(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'text.db'}")
    create_all(engine)
    sessions = make_session_factory(engine)
    conversation = ConversationStore(sessions).create("rest")
    ComplaintStore(sessions).record(conversation.id, "credit_card", "double_charge", TYPED)
    FeedbackStore(sessions).submit(conversation.id, csat=1, comment=TYPED)
    with sessions() as session:
        stored = [session.scalar(select(ComplaintRow.description)), session.scalar(select(FeedbackRow.comment))]
    for text in stored:
        assert "4111 1111 1111 1111" not in text and "739" not in text
        assert "****1111" in text and "twice" in text
