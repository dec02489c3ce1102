"""Customer session tokens: random bearer tokens stored only as their sha256 digest."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete
from sqlalchemy.orm import sessionmaker

from bot.conversations.tables import SessionTokenRow


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenStore:
    """Issues, resolves and revokes session tokens; shared by every gateway instance via SQL."""

    def __init__(self, session_factory: sessionmaker, ttl_s: int) -> None:
        self._sessions = session_factory
        self._ttl = timedelta(seconds=ttl_s)

    def issue(self, customer_id: int) -> tuple[str, datetime]:
        token = secrets.token_urlsafe(32)
        expires = datetime.now(timezone.utc) + self._ttl
        with self._sessions.begin() as session:
            session.add(SessionTokenRow(token_hash=_digest(token), customer_id=customer_id,
                                        expires_at=expires))
        return token, expires

    def resolve(self, token: str) -> int | None:
        """The customer id of a live token, or None for unknown/expired tokens."""
        with self._sessions() as session:
            row = session.get(SessionTokenRow, _digest(token))
            if row is None:
                return None
            expires = row.expires_at
            if expires.tzinfo is None:  # SQLite drops the zone
                expires = expires.replace(tzinfo=timezone.utc)
            return row.customer_id if expires > datetime.now(timezone.utc) else None

    def revoke(self, token: str) -> None:
        with self._sessions.begin() as session:
            session.execute(delete(SessionTokenRow).where(SessionTokenRow.token_hash == _digest(token)))
