"""Agent accounts: password hashing, bearer tokens, presence and seeding from YAML.

Tokens live in the database (hashed) so a token issued by one app instance works on every other.
Passwords use stdlib scrypt, so no extra dependency is needed.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import yaml
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from handoff.models import AGENT_ROLES, AGENT_STATUSES, Agent, AgentToken

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
TOKEN_TTL_S = 12 * 3600


def hash_password(password: str) -> str:
    """``scrypt$<salt>$<key>`` with a fresh random salt."""
    salt = secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return f"scrypt${salt.hex()}${key.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, salt, key = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    got = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), dklen=32, **_SCRYPT)
    return hmac.compare_digest(got.hex(), key)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class AgentView:
    """An agent as the API and queue see it (never the password hash)."""

    id: int
    username: str
    display_name: str
    role: str
    skills: tuple[str, ...]
    status: str
    capacity: int
    active_chats: int
    last_seen: float | None

    @property
    def is_supervisor(self) -> bool:
        return self.role == "supervisor"

    @classmethod
    def of(cls, a: Agent) -> "AgentView":
        return cls(a.id, a.username, a.display_name, a.role, tuple(a.skills or ()), a.status,
                   a.capacity, a.active_chats, a.last_seen)


class AgentDirectory:
    """Creates, authenticates and tracks the presence of agents."""

    def __init__(self, session_factory: sessionmaker, clock: Callable[[], float] = time.time):
        self._sf = session_factory
        self._clock = clock

    def create(self, username: str, password: str, *, display_name: str | None = None,
               role: str = "agent", skills: list[str] | tuple[str, ...] = ("general", "lang:en"),
               capacity: int = 3) -> AgentView:
        if role not in AGENT_ROLES:
            raise ValueError(f"unknown role {role!r}")
        if capacity < 0 or not username or not password:
            raise ValueError("username, password and a non-negative capacity are required")
        with self._sf.begin() as s:
            agent = Agent(username=username, display_name=display_name or username,
                          password_hash=hash_password(password), role=role, skills=list(skills),
                          capacity=capacity, status="away", active_chats=0)
            s.add(agent)
            s.flush()
            return AgentView.of(agent)

    def get(self, agent_id: int) -> AgentView | None:
        with self._sf() as s:
            a = s.get(Agent, agent_id)
            return AgentView.of(a) if a else None

    def login(self, username: str, password: str, *,
              available: bool = True) -> tuple[str, AgentView] | None:
        """A fresh bearer token for valid credentials, else None. The agent becomes available for
        hand-offs unless ``available`` is False (a supervisor opening the dashboard)."""
        with self._sf.begin() as s:
            agent = s.scalar(select(Agent).where(Agent.username == username))
            if agent is None or not verify_password(password, agent.password_hash):
                return None
            token = secrets.token_urlsafe(32)
            now = self._clock()
            s.add(AgentToken(token_hash=_token_hash(token), agent_id=agent.id,
                             expires_at=now + TOKEN_TTL_S))
            if available:
                agent.status, agent.last_seen = "available", now
            s.flush()
            return token, AgentView.of(agent)

    def logout(self, token: str) -> None:
        with self._sf.begin() as s:
            s.execute(delete(AgentToken).where(AgentToken.token_hash == _token_hash(token)))

    def by_token(self, token: str) -> AgentView | None:
        """The agent a bearer token belongs to, if the token exists and has not expired."""
        if not token:
            return None
        with self._sf() as s:
            row = s.get(AgentToken, _token_hash(token))
            if row is None or row.expires_at < self._clock():
                return None
            agent = s.get(Agent, row.agent_id)
            return AgentView.of(agent) if agent else None

    def set_status(self, agent_id: int, status: str) -> None:
        if status not in AGENT_STATUSES:
            raise ValueError(f"unknown status {status!r}")
        with self._sf.begin() as s:
            s.execute(update(Agent).where(Agent.id == agent_id)
                      .values(status=status, last_seen=self._clock()))

    def touch(self, agent_id: int) -> None:
        """Record that the agent is still connected (keeps the disconnect grace from expiring)."""
        with self._sf.begin() as s:
            s.execute(update(Agent).where(Agent.id == agent_id).values(last_seen=self._clock()))

    def seed(self, path: Path) -> list[str]:
        """Create the accounts listed in ``agents.yml`` that do not exist yet; returns their names."""
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        created = []
        with self._sf() as s:
            existing = set(s.scalars(select(Agent.username)))
        for item in raw.get("agents", []):
            if item["username"] in existing:
                continue
            try:
                self.create(item["username"], item["password"], display_name=item.get("display_name"),
                            role=item.get("role", "agent"),
                            skills=item.get("skills", ["general", "lang:en"]),
                            capacity=int(item.get("capacity", 3)))
            except IntegrityError:  # another instance seeded it at the same moment
                continue
            created.append(item["username"])
        return created
