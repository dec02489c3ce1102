"""Render Rasa's endpoints.yml and credentials.yml from the settings.

Rasa reaches the app through its own contracts only: the external NLU endpoint, the action
webhook and a SQL tracker store (the same database server as the ledger, its own SQLite file by
default so the two never contend for one file lock).
"""
from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy.engine import make_url

from bot.settings import Settings


def tracker_store_config(settings: Settings) -> dict:
    """Rasa's SQLTrackerStore settings: PostgreSQL when configured, else var/rasa/tracker.db."""
    if settings.database_url and settings.database_url.startswith("postgresql"):
        url = make_url(settings.database_url)
        config = {"type": "SQL", "dialect": "postgresql", "url": url.host or "127.0.0.1",
                  "port": url.port or 5432, "db": url.database, "username": url.username or "postgres"}
        if url.password:
            config["password"] = url.password
        return config
    return {"type": "SQL", "dialect": "sqlite", "db": str(settings.var_dir / "rasa" / "tracker.db")}


def write_endpoints(settings: Settings) -> tuple[Path, Path]:
    """Write endpoints.yml and credentials.yml under var/rasa and return their paths."""
    base = f"http://{settings.host}:{settings.port}"
    folder = settings.var_dir / "rasa"
    folder.mkdir(parents=True, exist_ok=True)
    endpoints = {
        "nlu": {"url": f"{base}/nlu", "token": settings.internal_token},
        "action_endpoint": {"url": f"{base}/actions/webhook", "token": settings.internal_token},
        "tracker_store": tracker_store_config(settings),
    }
    endpoints_file = folder / f"endpoints-{settings.port}.yml"
    endpoints_file.write_text(yaml.safe_dump(endpoints, sort_keys=False))
    credentials_file = folder / "credentials.yml"  # same for every instance
    credentials_file.write_text(yaml.safe_dump({"rest": None}))
    return endpoints_file, credentials_file
