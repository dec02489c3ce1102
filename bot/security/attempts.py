"""Lock-outs for guessing: failed identifications and logins counted per account and per source
address in the database, so a new conversation, another instance or a restart resets nothing.

``AttemptGuard`` applies the ``lockout`` rules of ``data/bank/policy.yml``: after ``failures``
within ``window_s`` a key is locked for ``lock_s`` seconds, doubling with every further lock-out up
to ``max_lock_s`` (a shared address's occasional typos over months never add up to a lock). Keys are stored as digests: customer numbers and addresses are personal data.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from bot.db import Base, write_transaction


class AttemptRow(Base):
    __tablename__ = "auth_attempts"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of "rule:value"
    failures: Mapped[int] = mapped_column(Integer, default=0)
    lockouts: Mapped[int] = mapped_column(Integer, default=0)
    counting_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class LockRule:
    failures: int
    window_s: float
    lock_s: float
    max_lock_s: float

    def lock_for(self, lockouts: int) -> timedelta:
        return timedelta(seconds=min(self.lock_s * 2 ** max(lockouts - 1, 0), self.max_lock_s))


def load_rules(policy: dict[str, Any], section: str) -> dict[str, LockRule]:
    """The lock rules of one ``lockout`` section ("identification", "login") of the parsed policy."""
    return {name: LockRule(int(r["failures"]), float(r["window_s"]), float(r["lock_s"]),
                           float(r["max_lock_s"])) for name, r in policy["lockout"][section].items()}


T = TypeVar("T")


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=timezone.utc) if moment is not None and moment.tzinfo is None else moment


class AttemptGuard:
    """``locked_for`` before checking a secret, then ``failed`` or ``succeeded`` after."""

    def __init__(self, sessions: sessionmaker, rules: dict[str, LockRule], scope: str,
                 clock: Callable[[], datetime] = _utcnow) -> None:
        """``scope`` keeps guards apart in the one table: an address's wrong passwords are not
        its wrong PINs."""
        self._sessions, self._rules, self._scope, self._clock = sessions, rules, scope, clock

    def _digest(self, rule: str, value: str) -> str:
        return hashlib.sha256(f"{self._scope}:{rule}:{value}".encode("utf-8", "surrogatepass")).hexdigest()

    def _keys(self, values: dict[str, str | None]) -> Iterable[tuple[str, str]]:
        return ((rule, self._digest(rule, value)) for rule, value in values.items() if value and rule in self._rules)

    def locked_for(self, values: dict[str, str | None]) -> float:
        """Seconds until every given key (rule name -> value, e.g. ``per_customer`` -> the
        customer number) may try again; 0 when none is locked."""
        now = self._clock()
        with self._sessions() as session:
            rows = [session.get(AttemptRow, key) for _, key in self._keys(values)]
        waits = [(_aware(r.locked_until) - now).total_seconds() for r in rows if r and r.locked_until]
        return max([0.0, *waits])

    def failed(self, values: dict[str, str | None]) -> float:
        """Count a failure against every key; returns the lock now in force (0 when none).
        Parallel guesses queue on the rows (``write_transaction``), so none goes uncounted; two
        first failures of a new key at once make one of them count again."""
        try:
            self._count_failure(values)
        except IntegrityError:  # another guess created the key's row meanwhile (PostgreSQL)
            self._count_failure(values)
        return self.locked_for(values)

    def _count_failure(self, values: dict[str, str | None]) -> None:
        now = self._clock()
        with write_transaction(self._sessions) as session:
            for rule, key in self._keys(values):
                rule_ = self._rules[rule]
                row = session.get(AttemptRow, key, with_for_update=True)
                if row is None:
                    row = AttemptRow(key=key, failures=0, lockouts=0)
                    session.add(row)
                since = _aware(row.counting_since)
                if since is None or (now - since).total_seconds() > rule_.window_s:
                    row.failures, row.counting_since = 0, now
                row.failures = (row.failures or 0) + 1
                if row.failures >= rule_.failures:
                    row.lockouts = (row.lockouts or 0) + 1
                    row.failures, row.counting_since = 0, None
                    row.locked_until = now + rule_.lock_for(row.lockouts)

    def succeeded(self, values: dict[str, str | None]) -> None:
        """A right secret: the account's count starts again (a source's count is left as it is)."""
        with write_transaction(self._sessions) as session:
            for rule, key in self._keys({k: v for k, v in values.items() if not k.startswith("per_source")}):
                row = session.get(AttemptRow, key, with_for_update=True)
                if row is not None:
                    row.failures, row.lockouts, row.locked_until, row.counting_since = 0, 0, None, None

    def attempt(self, values: dict[str, str | None], check: Callable[[], T | None]) -> tuple[T | None, float]:
        """Run ``check`` (a login, say) unless a key is locked: ``(result, 0)`` on success,
        ``(None, seconds locked)`` when a key was already locked (nothing is checked), ``(None, 0)``
        for a plain failure: the caller says "wrong password" and the lock shows on the next try."""
        wait = self.locked_for(values)
        if wait:
            return None, wait
        result = check()
        if result is None:
            self.failed(values)
            return None, 0.0
        self.succeeded(values)
        return result, 0.0
