"""Shared fixtures: a policy from the real policy file, a controllable clock, a SQLite queue."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.db import make_engine, make_session_factory
from handoff.agents import AgentDirectory
from handoff.models import create_tables
from handoff.policy import HandoffPolicy, load_policy
from handoff.queue import HandoffQueue

POLICY_FILE = Path(__file__).resolve().parents[2] / "data" / "handoff" / "policy.yml"


class FakeClock:
    """Time that only moves when a test says so (aging and grace periods without sleeping)."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def policy() -> HandoffPolicy:
    return load_policy(POLICY_FILE)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'handoff.db'}"


@pytest.fixture
def session_factory(db_url: str):
    engine = make_engine(db_url)
    create_tables(engine)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def queue(session_factory, policy, clock) -> HandoffQueue:
    return HandoffQueue(session_factory, policy, clock)


@pytest.fixture
def agents(session_factory, clock) -> AgentDirectory:
    return AgentDirectory(session_factory, clock)
