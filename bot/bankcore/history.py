"""Deterministic synthetic account histories from a demo-bank recipe.

A recipe lists monthly items (salary, rent, utilities, subscriptions), random everyday spending at
named merchants and monthly own-account transfers. Given the recipe, a seed and ``now`` the output is
always the same, so demo conversations and tests can rely on what the statements say.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from bot.bankcore.money import to_minor


@dataclass(frozen=True)
class Event:
    """Money moving on ``account`` (a recipe key); ``counter`` is the other own account of an
    internal transfer, ``None`` when the other side is outside the bank (clearing)."""

    at: datetime
    account: str
    amount_minor: int
    description: str
    merchant: str | None
    category: str | None
    counter: str | None = None


def _cents(value: Any) -> int:
    return to_minor(Decimal(str(value)))


def _at(day: date, rng: random.Random, hour: int) -> datetime:
    return datetime.combine(day, time(hour)) + timedelta(minutes=rng.randrange(0, 60 * 3))


def generate_history(recipe: dict[str, Any], days: int, now: datetime, seed: str) -> list[Event]:
    """Events from ``days`` days before ``now`` (naive UTC) up to the end of yesterday, in time order."""
    rng = random.Random(seed)
    events: list[Event] = []
    start = now.date() - timedelta(days=days)
    for offset in range(days):
        day = start + timedelta(days=offset)
        for item in recipe.get("monthly", []):
            if day.day != int(item["day"]):
                continue
            amount = _cents(item["amount"])
            if "vary" in item:
                vary = _cents(item["vary"])
                amount += rng.randint(-vary, vary)
            sign = 1 if item.get("direction", "out") == "in" else -1
            events.append(Event(
                at=_at(day, rng, 7), account=item["account"], amount_minor=sign * amount,
                description=item.get("description", item.get("merchant", "")),
                merchant=item.get("merchant"), category=item.get("category"),
            ))
        for item in recipe.get("spending", []):
            per_week = float(item["per_week"])
            count = int(per_week // 7) + (1 if rng.random() < (per_week % 7) / 7 else 0)
            for _ in range(count):
                amount = rng.randint(_cents(item["min"]), _cents(item["max"]))
                events.append(Event(
                    at=_at(day, rng, 9 + rng.randrange(0, 10)), account=item["account"],
                    amount_minor=-amount, description=item.get("description", item["merchant"]),
                    merchant=item["merchant"], category=item.get("category"),
                ))
        for item in recipe.get("transfers", []):
            if day.day == int(item["day"]):
                events.append(Event(
                    at=_at(day, rng, 8), account=item["from"], amount_minor=-_cents(item["amount"]),
                    description=item.get("description", "Transfer"), merchant=None,
                    category="transfer", counter=item["to"],
                ))
    return sorted((e for e in events if e.at < now), key=lambda e: e.at)
