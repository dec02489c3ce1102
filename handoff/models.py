"""Hand-off tables (their own declarative base: the desk needs nothing of the app's schema):
queue entries, agents, tokens, callbacks, audit. They live in the app's database.

Timestamps are UNIX seconds (floats) so ordering and aging arithmetic is identical on SQLite and
PostgreSQL.
"""
from __future__ import annotations

from sqlalchemy import JSON, Engine, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base of the hand-off tables."""


OPEN_STATUSES = ("waiting", "assigned")
AGENT_ROLES = ("agent", "supervisor")
AGENT_STATUSES = ("available", "busy", "away")


class QueueEntry(Base):
    """One hand-off of one conversation; a conversation has at most one open entry at a time."""

    __tablename__ = "handoff_queue"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(String(128), index=True)
    customer_id: Mapped[str | None] = mapped_column(String(128))
    channel: Mapped[str] = mapped_column(String(32), default="chat")
    language: Mapped[str] = mapped_column(String(16), default="en")
    customer_tier: Mapped[str] = mapped_column(String(32), default="standard")
    reason: Mapped[str] = mapped_column(String(64))
    reason_detail: Mapped[str] = mapped_column(String(200), default="")
    skills: Mapped[list] = mapped_column(JSON, default=list)
    priority: Mapped[float] = mapped_column(Float)
    # priority - aging_rate * enqueued_at: ordering by it descending is ordering by aged priority,
    # because "now" is the same for every waiting row.
    rank: Mapped[float] = mapped_column(Float)
    front: Mapped[int] = mapped_column(Integer, default=0)
    # waiting -> assigned -> resolved | returned (to the bot); waiting/assigned -> cancelled
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("handoff_agents.id"), index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    intents: Mapped[list] = mapped_column(JSON, default=list)
    entities: Mapped[list] = mapped_column(JSON, default=list)
    sentiment_trend: Mapped[list] = mapped_column(JSON, default=list)
    disposition: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    handback_slots: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[float] = mapped_column(Float)
    enqueued_at: Mapped[float] = mapped_column(Float)
    assigned_at: Mapped[float | None] = mapped_column(Float)
    closed_at: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (
        Index("ix_handoff_queue_order", "status", "front", "rank"),
        Index(
            "uq_handoff_queue_open_conversation", "conversation_id", unique=True,
            sqlite_where=status.in_(OPEN_STATUSES), postgresql_where=status.in_(OPEN_STATUSES),
        ),
    )


class Agent(Base):
    """A human agent or supervisor account."""

    __tablename__ = "handoff_agents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16), default="agent")
    skills: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="away")
    capacity: Mapped[int] = mapped_column(Integer, default=3)
    active_chats: Mapped[int] = mapped_column(Integer, default=0)
    last_seen: Mapped[float | None] = mapped_column(Float)


class AgentToken(Base):
    """A login session; only the SHA-256 of the bearer token is stored."""

    __tablename__ = "handoff_agent_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("handoff_agents.id"), index=True)
    expires_at: Mapped[float] = mapped_column(Float)


class CallbackRequest(Base):
    """A customer's request to be called back instead of waiting."""

    __tablename__ = "handoff_callbacks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(String(128), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("handoff_queue.id"))
    phone: Mapped[str] = mapped_column(String(32))
    preferred_time: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[float] = mapped_column(Float)


class AuditEvent(Base):
    """Every agent action, allowed or denied, with who did it to which conversation."""

    __tablename__ = "handoff_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[float] = mapped_column(Float, index=True)
    agent_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))
    entry_id: Mapped[int | None] = mapped_column(Integer)
    conversation_id: Mapped[str | None] = mapped_column(String(128))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


def create_tables(engine: Engine) -> None:
    """Create the hand-off tables if missing (``bot.db.create_all`` calls this too)."""
    Base.metadata.create_all(engine)  # the hand-off's own base: exactly its tables
