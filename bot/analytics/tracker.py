"""Rasa's SQL tracker store, reached only to erase customer data (retention, deletion requests).

Rasa keeps every user message in its ``events`` table: the PostgreSQL database when bankbot runs on
PostgreSQL, else ``var/rasa/tracker.db`` (see ``bot/rasa/endpoints.py``).
"""
from __future__ import annotations

from sqlalchemy import Engine, MetaData, Table, inspect

from bot.db import make_engine
from bot.settings import Settings


def tracker_engine(settings: Settings) -> Engine | None:
    """The tracker store's database, or None when Rasa has never written one."""
    if settings.database_url and settings.database_url.startswith("postgresql"):
        return make_engine(settings.database_url)
    path = settings.var_dir / "rasa" / "tracker.db"
    return make_engine(f"sqlite:///{path}") if path.exists() else None


def rasa_events_table(engine: Engine) -> Table | None:
    """Rasa's ``events`` table as it exists (reflected), or None before Rasa created it."""
    if not inspect(engine).has_table("events"):
        return None
    return Table("events", MetaData(), autoload_with=engine)
