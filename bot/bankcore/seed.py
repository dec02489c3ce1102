"""Load the demo bank (``data/bank/demo_bank.yml``) into the SQL ledger.

Seeding is deterministic (same file and ``now`` give the same statements) and idempotent: a customer
whose customer number is already present is left alone, so running it on every start is safe.
Opening balances are posted as journal entries against the equity account and outside money moves
through the clearing account, so the sum of all postings is always zero.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine, or_, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.bankcore.hashing import hash_secret
from bot.bankcore.history import generate_history
from bot.bankcore.money import to_minor
from bot.bankcore.port import BankError
from bot.bankcore.sql_ledger import Line, append_audit, post_entry
from bot.bankcore.sql_models import (
    AccountRow,
    CardRow,
    CustomerRow,
    PayeeRow,
    create_bank_schema,
    drop_bank_schema,
)
from bot.bankcore.validation import clean_account_number, clean_name
from bot.db import write_transaction

SEED_LOCK_KEY = 0x62616E6B  # "bank"
REQUIRED_FIELDS = ("username", "password", "customer_number", "full_name", "tier", "pin",
                   "date_of_birth", "accounts")


@dataclass
class SeedReport:
    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _cents(value: Any) -> int:
    return to_minor(Decimal(str(value)))


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def load_demo_bank(path: str | Path) -> dict[str, Any]:
    """Parse the demo-bank file and check the parts that would otherwise fail half-way through."""
    bank = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(bank, dict) or not isinstance(bank.get("customers"), list):
        raise ValueError(f"{path}: expected a mapping with a 'customers' list")
    classes = bank.get("account_classes", {})
    for c in bank["customers"]:
        try:
            _check_customer(c, classes)
        except (KeyError, TypeError) as exc:
            raise ValueError(f"{path}: customer {c.get('username', '?')}: missing or bad {exc}") from None
        except (ValueError, ArithmeticError, BankError) as exc:
            raise ValueError(f"{path}: customer {c.get('username', '?')}: {exc}") from None
    return bank


def _check_customer(c: dict[str, Any], classes: dict[str, Any]) -> None:
    if missing := [f for f in REQUIRED_FIELDS if f not in c]:
        raise KeyError(", ".join(missing))
    _date(c["date_of_birth"])
    keys = {a["key"] for a in c["accounts"]}
    for a in c["accounts"]:
        if a["class"] not in classes:
            raise ValueError(f"unknown account class {a['class']!r}")
        _cents(a["balance"])
    for p in c.get("payees", []):
        clean_name(p["name"]), clean_name(p["bank"], what="bank name")
        clean_account_number(p["account_number"])
    recipe = c.get("history", {})
    used = [i["account"] for part in ("monthly", "spending") for i in recipe.get(part, [])]
    used += [k for t in recipe.get("transfers", []) for k in (t["from"], t["to"])]
    used += [card["account"] for card in c.get("cards", [])]
    if unknown := set(used) - keys:
        raise ValueError(f"unknown account keys {sorted(unknown)}")


@contextmanager
def _seeding_lock(engine: Engine) -> Iterator[None]:
    """On PostgreSQL, instances starting together seed one after another (advisory lock)."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": SEED_LOCK_KEY})
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": SEED_LOCK_KEY})


def seed_demo_bank(
    session_factory: sessionmaker,
    path: str | Path,
    now: datetime | None = None,
    reset: bool = False,
) -> SeedReport:
    """Create the bank tables and load every customer of ``path`` that is not there yet.

    ``reset`` drops the bank tables first (only those). ``now`` (default: current time) anchors the
    generated history, which ends the day before ``now``.
    """
    bank = load_demo_bank(path)
    now = (now or datetime.now(UTC))
    now = now.astimezone(UTC).replace(tzinfo=None) if now.tzinfo else now
    with session_factory() as s:
        engine = s.get_bind()
    with _seeding_lock(engine):
        if reset:
            drop_bank_schema(engine)
        create_bank_schema(engine)
        currencies = sorted({a["currency"] for c in bank["customers"] for a in c["accounts"]})
        with write_transaction(session_factory) as s:
            for currency in currencies:
                _system_account(s, "equity", currency)
                _system_account(s, "clearing", currency)
        report = SeedReport()
        for customer in bank["customers"]:
            with write_transaction(session_factory) as s:
                exists = s.scalar(select(CustomerRow.id).where(or_(
                    CustomerRow.customer_number == str(customer["customer_number"]),
                    CustomerRow.username == customer["username"],
                )))
                if exists is None:
                    _seed_customer(s, bank, customer, now)
            (report.skipped if exists else report.created).append(customer["username"])
    return report


def _system_account(s: Session, kind: str, currency: str) -> AccountRow:
    number = f"SYS-{kind.upper()}-{currency}"
    row = s.scalar(select(AccountRow).where(AccountRow.number == number))
    if row is None:
        row = AccountRow(customer_id=None, kind=kind, name=f"{kind} {currency}", number=number,
                         currency=currency, balance_minor=0, account_class="system",
                         daily_limit_minor=0, overdraft_minor=0)
        s.add(row)
        s.flush()
    return row


def _seed_customer(s: Session, bank: dict[str, Any], c: dict[str, Any], now: datetime) -> None:
    row = CustomerRow(
        customer_number=str(c["customer_number"]), username=c["username"],
        full_name=c["full_name"], tier=c["tier"], date_of_birth=_date(c["date_of_birth"]),
        password_hash=hash_secret(str(c["password"])), pin_hash=hash_secret(str(c["pin"])),
        phone=c.get("phone"),
    )
    s.add(row)
    s.flush()
    classes = bank["account_classes"]
    accounts: dict[str, AccountRow] = {}
    for a in c["accounts"]:
        limit = a.get("daily_transfer_limit", classes[a["class"]]["daily_transfer_limit"])
        accounts[a["key"]] = AccountRow(
            customer_id=row.id, kind=a["kind"], name=a["name"], number=str(a["number"]),
            currency=a["currency"], balance_minor=0, account_class=a["class"],
            daily_limit_minor=_cents(limit), overdraft_minor=_cents(a.get("overdraft_limit", "0")),
        )
    s.add_all(accounts.values())
    s.flush()
    for card in c.get("cards", []):
        s.add(CardRow(account_id=accounts[card["account"]].id, kind=card["kind"],
                      last4=str(card["last4"]), status=card["status"], expiry=_date(card["expiry"])))
    for p in c.get("payees", []):
        s.add(PayeeRow(customer_id=row.id, name=clean_name(p["name"]),
                       bank=clean_name(p["bank"], what="bank name"),
                       account_number=clean_account_number(p["account_number"])))
    _post_history(s, bank, c, accounts, now)
    append_audit(s, now, "seed", row.id, "customer_seeded",
                 {"accounts": len(accounts), "cards": len(c.get("cards", []))})


def _post_history(
    s: Session, bank: dict[str, Any], c: dict[str, Any], accounts: dict[str, AccountRow],
    now: datetime,
) -> None:
    """Opening balances first, then the generated history, landing exactly on the file's balances."""
    days = int(bank.get("history_days", 120))
    events = generate_history(c.get("history", {}), days, now, f"{bank.get('seed', 0)}:{c['customer_number']}")
    net = {key: 0 for key in accounts}
    for e in events:
        net[e.account] += e.amount_minor
        if e.counter:
            net[e.counter] -= e.amount_minor
    opened_at = datetime.combine(now.date() - timedelta(days=days), time.min)
    prefix = str(c["customer_number"])[-4:]
    system = {(kind, a.currency): _system_account(s, kind, a.currency)
              for a in accounts.values() for kind in ("equity", "clearing")}
    for a in c["accounts"]:
        account = accounts[a["key"]]
        opening = _cents(a["balance"]) - net[a["key"]]
        if opening:
            equity = system["equity", account.currency]
            post_entry(s, "opening", f"OPN-{prefix}-{a['key']}"[:32], opened_at, [
                Line(account, opening, "Opening balance", category="opening"),
                Line(equity, -opening, f"Opening balance {account.number[-4:]}"),
            ])
    for i, e in enumerate(events):
        account = accounts[e.account]
        other = accounts[e.counter] if e.counter else system["clearing", account.currency]
        other_text = f"Transfer from {account.name}" if e.counter else e.description
        post_entry(s, "history", f"TXN-{prefix}-{i:05d}", e.at, [
            Line(account, e.amount_minor, e.description, e.merchant, e.category),
            Line(other, -e.amount_minor, other_text, None, e.category),
        ])
