"""The hand-off policy read from ``data/handoff/policy.yml``.

Thresholds, risky intents, skills and queue tuning are operator data; code only reads them here so
that every other module gets one typed object instead of raw YAML.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml

_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


@dataclass(frozen=True)
class RiskRule:
    skills: tuple[str, ...]
    boost: float


@dataclass(frozen=True)
class OpeningHours:
    days: frozenset[int]
    open: time
    close: time
    tz_offset_minutes: int = 0

    def describe(self) -> str:
        """E.g. ``Mon-Sat 08:00-20:00`` for telling customers when agents are there."""
        names = [d.capitalize() for i, d in enumerate(_DAYS) if i in self.days]
        span = f"{names[0]}-{names[-1]}" if len(names) > 2 else ", ".join(names)
        return f"{span} {self.open:%H:%M}-{self.close:%H:%M}"

    def is_open(self, at: datetime) -> bool:
        """Whether agents are rostered at ``at`` (an aware datetime)."""
        local = at.astimezone(timezone(timedelta(minutes=self.tz_offset_minutes)))
        return local.weekday() in self.days and self.open <= local.time() < self.close


@dataclass(frozen=True)
class HandoffPolicy:
    human_request_intents: frozenset[str]
    fallback_intents: frozenset[str]
    fallbacks_in_a_row: int
    frustration_threshold: float
    rising_turns: int
    rising_min_delta: float
    rising_floor: float
    risky_intents: dict[str, RiskRule]
    signal_phrases: dict[str, tuple[str, ...]]
    topic_skills: dict[str, str]
    lockout: RiskRule
    base_priority: float
    frustration_weight: float
    tier_boost: dict[str, float]
    aging_per_minute: float
    disconnect_grace_s: float
    hand_back_slots: frozenset[str]
    default_handle_time_s: float
    dispositions: tuple[str, ...]
    hours: OpeningHours | None = field(default=None)
    customer_messages: dict[str, Any] = field(default_factory=dict)
    # cases a bot action opened that a specialist takes over, by reason ("dispute")
    follow_ups: dict[str, RiskRule] = field(default_factory=dict)

    @property
    def aging_per_second(self) -> float:
        return self.aging_per_minute / 60.0


def _rule(raw: dict) -> RiskRule:
    return RiskRule(skills=tuple(raw.get("skills", ["general"])), boost=float(raw.get("boost", 0)))


def _hours(raw: dict | None) -> OpeningHours | None:
    if not raw:
        return None
    return OpeningHours(
        days=frozenset(_DAYS.index(d.lower()[:3]) for d in raw.get("days", _DAYS)),
        open=time.fromisoformat(raw.get("open", "00:00")),
        close=time.fromisoformat(raw.get("close", "23:59")),
        tz_offset_minutes=int(raw.get("tz_offset_minutes", 0)),
    )


def parse_policy(raw: dict) -> HandoffPolicy:
    """Build a policy from the YAML mapping; missing keys fall back to conservative defaults."""
    fr = raw.get("frustration", {})
    pr = raw.get("priority", {})
    qu = raw.get("queue", {})
    return HandoffPolicy(
        human_request_intents=frozenset(raw.get("human_request_intents", ["human_agent"])),
        fallback_intents=frozenset(raw.get("fallback_intents", ["nlu_fallback"])),
        fallbacks_in_a_row=int(raw.get("fallbacks_in_a_row", 2)),
        frustration_threshold=float(fr.get("threshold", 0.75)),
        rising_turns=int(fr.get("rising_turns", 3)),
        rising_min_delta=float(fr.get("rising_min_delta", 0.3)),
        rising_floor=float(fr.get("rising_floor", 0.45)),
        risky_intents={k: _rule(v) for k, v in (raw.get("risky_intents") or {}).items()},
        signal_phrases={
            k: tuple(p.lower() for p in v) for k, v in (raw.get("signal_phrases") or {}).items()
        },
        topic_skills=dict(raw.get("topic_skills") or {}),
        lockout=_rule(raw.get("lockout") or {}),
        base_priority=float(pr.get("base", 10)),
        frustration_weight=float(pr.get("frustration_weight", 30)),
        tier_boost={k: float(v) for k, v in (pr.get("tier_boost") or {}).items()},
        aging_per_minute=float(pr.get("aging_per_minute", 2)),
        disconnect_grace_s=float(qu.get("disconnect_grace_s", 60)),
        hand_back_slots=frozenset(raw.get("hand_back_slots") or ()),
        default_handle_time_s=float(qu.get("default_handle_time_s", 300)),
        dispositions=tuple(qu.get("dispositions", ["resolved"])),
        hours=_hours(qu.get("hours")),
        customer_messages=dict(raw.get("customer_messages") or {}),
        follow_ups={k: _rule(v) for k, v in (raw.get("follow_ups") or {}).items()},
    )


def load_policy(path: Path) -> HandoffPolicy:
    """Read the policy file an operator edits (``data/handoff/policy.yml``)."""
    return parse_policy(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
