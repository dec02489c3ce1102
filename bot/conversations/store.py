"""Conversation and transcript storage: every turn (who, text, time, channel, NLU, reply) is kept."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from bot.conversations.tables import ConversationRow, TurnRow
from bot.db import write_transaction

CHANNELS = ("web", "rest", "websocket", "voice", "cli")


class UnknownConversation(LookupError):
    """The sender id does not name a conversation the gateway started."""


@dataclass(frozen=True)
class Conversation:
    id: str
    channel: str
    customer_id: int | None
    mode: str
    created_at: datetime
    bound_by: str | None = None


@dataclass(frozen=True)
class Turn:
    seq: int
    speaker: str
    text: str
    channel: str
    created_at: datetime
    nlu: dict[str, Any] | None
    meta: dict[str, Any] | None


@dataclass(frozen=True)
class NewTurn:
    """A turn to append; ``nlu`` is the parse of a customer message, ``meta`` anything else."""

    speaker: str
    text: str
    channel: str
    nlu: dict[str, Any] | None = None
    meta: dict[str, Any] | None = None


def _conversation(row: ConversationRow) -> Conversation:
    return Conversation(row.id, row.channel, row.customer_id, row.mode, row.created_at, row.bound_by)


class ConversationStore:
    """Creates conversations, binds them to a logged-in customer and keeps their transcripts."""

    def __init__(self, session_factory: sessionmaker) -> None:
        self._sessions = session_factory

    def create(self, channel: str, customer_id: int | None = None) -> Conversation:
        row = ConversationRow(
            id=secrets.token_hex(16), channel=channel, customer_id=customer_id, mode="bot",
            created_at=datetime.now(timezone.utc), bound_by="login" if customer_id else None,
        )
        with self._sessions.begin() as session:
            session.add(row)
        return _conversation(row)

    def get(self, conversation_id: str) -> Conversation:
        with self._sessions() as session:
            row = session.get(ConversationRow, conversation_id)
            if row is None:
                raise UnknownConversation(conversation_id)
            return _conversation(row)

    def bind_customer(self, conversation_id: str, customer_id: int, via: str = "login") -> Conversation:
        """Attach a customer to an anonymous conversation, after login or in-chat identification."""
        with self._sessions.begin() as session:
            row = session.get(ConversationRow, conversation_id)
            if row is None:
                raise UnknownConversation(conversation_id)
            row.customer_id = customer_id
            row.bound_by = via
            return _conversation(row)

    def set_mode(self, conversation_id: str, mode: str) -> None:
        with self._sessions.begin() as session:
            row = session.get(ConversationRow, conversation_id)
            if row is None:
                raise UnknownConversation(conversation_id)
            row.mode = mode

    def append(self, conversation_id: str, turns: list[NewTurn]) -> None:
        """Append turns atomically, numbered after the conversation's last turn. Appends to one
        conversation queue for the numbering (the write lock on SQLite, the conversation row on
        PostgreSQL), so parallel messages are all kept, in order."""
        now = datetime.now(timezone.utc)
        with write_transaction(self._sessions) as session:
            session.execute(select(ConversationRow.id).where(ConversationRow.id == conversation_id)
                            .with_for_update())
            seq = session.scalar(
                select(func.max(TurnRow.seq)).where(TurnRow.conversation_id == conversation_id)) or 0
            for turn in turns:
                seq += 1
                session.add(TurnRow(
                    conversation_id=conversation_id, seq=seq, speaker=turn.speaker,
                    text=turn.text, channel=turn.channel, created_at=now, nlu=turn.nlu,
                    meta=turn.meta,
                ))

    def last_requested_slot(self, conversation_id: str) -> str | None:
        """What the bot asked for after the last customer message the dialogue read (the slot its
        form requested). Messages it never read (Rasa was down, an agent had the chat) are skipped:
        a PIN sent again after an outage is still an answer to the PIN question."""
        with self._sessions() as session:
            recent = session.scalars(
                select(TurnRow.nlu).where(TurnRow.conversation_id == conversation_id, TurnRow.speaker == "customer")
                .order_by(TurnRow.seq.desc()).limit(20))
            read = next((nlu for nlu in recent if nlu), None)
        return (read or {}).get("requested_slot")

    def turns(self, conversation_id: str) -> list[Turn]:
        """The whole transcript in order."""
        with self._sessions() as session:
            rows = session.scalars(
                select(TurnRow).where(TurnRow.conversation_id == conversation_id)
                .order_by(TurnRow.seq)
            )
            return [Turn(r.seq, r.speaker, r.text, r.channel, r.created_at, r.nlu, r.meta)
                    for r in rows]
