"""Throwaway PostgreSQL schemas for the tests that need the real server (127.0.0.1:5432, db test).

Each test gets its own schema, dropped afterwards, so parallel runs and reruns never collide.
"""
from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from bot.db import make_engine

PG_URL = os.environ.get("BANKBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def skip_without_postgres() -> None:
    """Skip the calling test when the PostgreSQL server cannot be reached."""
    engine = make_engine(PG_URL)
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        pytest.skip(f"PostgreSQL at {PG_URL} is not reachable: {exc}")
    finally:
        engine.dispose()


@contextlib.contextmanager
def throwaway_schema(prefix: str) -> Iterator[str]:
    """A database URL whose connections use a fresh schema; skips the test without PostgreSQL."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as exc:
        admin.dispose()
        pytest.skip(f"PostgreSQL at {PG_URL} is not reachable: {exc}")
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
