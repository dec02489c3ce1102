"""SQLAlchemy engine, the declarative base of the app's tables, and ``create_all``.

``create_all`` creates the ledger, transcripts, analytics and the hand-off queue (which has its
own base, ``handoff.models``) in one database (SQLite file by default, PostgreSQL by URL).
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from handoff.models import create_tables


class Base(DeclarativeBase):
    """Declarative base for all bankbot tables."""


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and foreign keys so concurrent writers queue."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - driver hook
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def create_all(engine: Engine) -> None:
    """Every table the app uses, where missing."""
    Base.metadata.create_all(engine)
    create_tables(engine)


@contextmanager
def write_transaction(sessions: sessionmaker) -> Iterator[Session]:
    """One atomic write; on SQLite the database write lock is taken up front (BEGIN IMMEDIATE) so
    concurrent writers queue instead of reading stale rows (a balance, a turn number, a failure
    count) or failing to upgrade their lock. On PostgreSQL lock the rows you update (FOR UPDATE)."""
    with sessions() as session:
        if session.get_bind().dialect.name == "sqlite":
            session.connection().exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def make_session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(bind=engine, expire_on_commit=False)
