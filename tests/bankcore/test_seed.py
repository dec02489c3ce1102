"""Seeding the demo bank is deterministic, idempotent and leaves balanced books."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.bankcore.seed import load_demo_bank, seed_demo_bank
from bot.bankcore.sql_bankcore import SqlBankCore
from bot.bankcore.sql_models import CustomerRow, PostingRow
from bot.db import make_engine, make_session_factory
from tests.bankcore.conftest import DEMO_BANK, SEED_NOW, Bank


def _statements(bank: Bank) -> list[tuple]:
    out = []
    for username in ("alice", "bob", "carol", "dave", "erin"):
        customer = bank.login(username)
        out += [(t.posted_at, t.amount, t.description, t.reference)
                for t in bank.core.list_transactions(customer.id, limit=500)]
    return out


def test_seeding_again_adds_nothing(bank: Bank) -> None:
    def sizes() -> tuple[int, int]:
        with bank.sessions() as s:
            return (s.scalar(select(func.count()).select_from(CustomerRow)),
                    s.scalar(select(func.count()).select_from(PostingRow)))

    before = sizes()
    report = seed_demo_bank(bank.sessions, DEMO_BANK, now=SEED_NOW + timedelta(days=3))
    assert report.created == [] and len(report.skipped) == 5
    assert sizes() == before
    bank.assert_books_balance()


def test_same_file_and_now_give_the_same_statements(bank: Bank, tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'again.db'}")
    sessions = make_session_factory(engine)
    report = seed_demo_bank(sessions, DEMO_BANK, now=SEED_NOW)
    again = Bank(SqlBankCore(sessions, bank.clock), sessions, bank.clock)
    assert report.created == ["alice", "bob", "carol", "dave", "erin"]
    assert _statements(again) == _statements(bank)
    engine.dispose()


def test_reset_reloads_from_scratch(bank: Bank) -> None:
    alice = bank.login("alice")
    bank.core.transfer(alice.id, bank.account(alice, "checking"),
                       to_account_id=bank.account(alice, "savings"), amount="10",
                       currency="USD", idempotency_key="x", actor="test")
    report = seed_demo_bank(bank.sessions, DEMO_BANK, now=SEED_NOW, reset=True)
    assert len(report.created) == 5
    alice = bank.login("alice")
    assert {str(a.balance) for a in bank.core.list_accounts(alice.id)} == {"2450.75", "12800.00", "-612.40"}
    assert bank.core.audit_verify().ok


def test_history_is_realistic_and_spans_about_four_months(bank: Bank) -> None:
    alice = bank.login("alice")
    lines = bank.core.list_transactions(alice.id, limit=500)
    merchants = Counter(t.merchant for t in lines if t.merchant)
    assert {"Tesco", "Amazon", "Uber", "Starbucks", "Netflix", "Greenway Lettings"} <= set(merchants)
    assert sum(1 for t in lines if t.category == "salary") == 4
    span = max(t.posted_at for t in lines) - min(t.posted_at for t in lines)
    assert timedelta(days=115) < span <= timedelta(days=121)
    assert all(t.posted_at < SEED_NOW for t in lines)


def test_a_broken_demo_file_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    bad = tmp_path / "bank.yml"
    bad.write_text(DEMO_BANK.read_text().replace("class: Class I,", "class: Class IX,", 1))
    engine = make_engine(f"sqlite:///{tmp_path / 'bad.db'}")
    with pytest.raises(ValueError, match="Class IX"):
        seed_demo_bank(make_session_factory(engine), bad, now=SEED_NOW)
    engine.dispose()


@pytest.mark.parametrize("old, new, message", [
    ('    pin: "4821"\n', "", "pin"),
    ('balance: "2450.75"', 'balance: "lots"', "alice"),
    ("{name: Bob Okafor,", "{name: \"Bob; DROP TABLE x\",", "payee name"),
    ("- {account: checking, kind: debit", "- {account: chequing, kind: debit", "chequing"),
])
def test_demo_file_mistakes_name_the_customer_and_field(tmp_path: Path, old, new, message) -> None:
    bad = tmp_path / "bank.yml"
    text = DEMO_BANK.read_text()
    assert old in text
    bad.write_text(text.replace(old, new, 1))
    with pytest.raises(ValueError, match=message):
        load_demo_bank(bad)
