"""Fixtures: the demo bank seeded once into a SQLite template (copied per test), a PostgreSQL bank in
a throw-away schema, a controllable clock and helpers that read the ledger directly."""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from bot.bankcore.port import Customer
from bot.bankcore.seed import seed_demo_bank
from bot.bankcore.sql_bankcore import SqlBankCore
from bot.bankcore.sql_models import AccountRow, AuditRow, PostingRow
from bot.db import make_engine, make_session_factory
from tests.pg import throwaway_schema

DEMO_BANK = Path(__file__).resolve().parents[2] / "data" / "bank" / "demo_bank.yml"
SEED_NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)


class Clock:
    """Time that only moves when a test says so (daily limits without waiting a day)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Bank:
    """The adapter under test plus direct ledger access for assertions the port cannot make."""

    core: SqlBankCore
    sessions: sessionmaker
    clock: Clock

    def login(self, username: str) -> Customer:
        customer = self.core.authenticate(username, f"{username}-demo-pass")
        assert customer is not None
        return customer

    def account(self, customer: Customer, kind: str) -> int:
        return next(a.id for a in self.core.list_accounts(customer.id) if a.kind == kind)

    def cached_balances(self) -> dict[int, int]:
        with self.sessions() as s:
            return dict(s.execute(select(AccountRow.id, AccountRow.balance_minor)).all())

    def posting_sums(self) -> dict[int, int]:
        with self.sessions() as s:
            rows = s.execute(
                select(AccountRow.id, func.coalesce(func.sum(PostingRow.amount_minor), 0))
                .outerjoin(PostingRow, PostingRow.account_id == AccountRow.id)
                .group_by(AccountRow.id)
            ).all()
        return {aid: int(total) for aid, total in rows}

    def counts(self) -> tuple[int, int]:
        """(postings, audit records): both must stay put when a request is refused."""
        with self.sessions() as s:
            return (s.scalar(select(func.count()).select_from(PostingRow)),
                    s.scalar(select(func.count()).select_from(AuditRow)))

    def assert_books_balance(self) -> None:
        cached = self.cached_balances()
        assert cached == self.posting_sums()
        assert sum(cached.values()) == 0


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bank") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    seed_demo_bank(make_session_factory(engine), DEMO_BANK, now=SEED_NOW)
    engine.dispose()  # closing the last connection checkpoints the WAL into the file
    return path


@pytest.fixture
def clock() -> Clock:
    return Clock(SEED_NOW + timedelta(hours=1))


@pytest.fixture
def bank(sqlite_template: Path, tmp_path: Path, clock: Clock) -> Iterator[Bank]:
    path = tmp_path / "bank.db"
    shutil.copyfile(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    sessions = make_session_factory(engine)
    yield Bank(SqlBankCore(sessions, clock), sessions, clock)
    engine.dispose()


@pytest.fixture
def pg_bank(clock: Clock) -> Iterator[Bank]:
    """The demo bank in a fresh PostgreSQL schema that is dropped afterwards."""
    with throwaway_schema("bankcore") as url:
        engine = make_engine(url)
        try:
            sessions = make_session_factory(engine)
            seed_demo_bank(sessions, DEMO_BANK, now=SEED_NOW)
            yield Bank(SqlBankCore(sessions, clock), sessions, clock)
        finally:
            engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_bank(request: pytest.FixtureRequest) -> Bank:
    """The same test on SQLite and on PostgreSQL."""
    return request.getfixturevalue("bank" if request.param == "sqlite" else "pg_bank")
