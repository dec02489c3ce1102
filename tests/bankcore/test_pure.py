"""Pure helpers: amount parsing and hash-chain verification without a database."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from bot.bankcore.audit import GENESIS_HASH, record_hash, verify_chain
from bot.bankcore.money import from_minor, parse_amount, to_minor
from bot.bankcore.port import AuditRecord, InvalidAmount


@pytest.mark.parametrize("value, expected", [
    ("10", "10.00"), ("0.01", "0.01"), (12.5, "12.50"), (7, "7.00"), (" 3.10 ", "3.10"),
])
def test_good_amounts(value, expected) -> None:
    assert parse_amount(value) == Decimal(expected)
    assert from_minor(to_minor(parse_amount(value))) == Decimal(expected)


@pytest.mark.parametrize("value", ["1.001", "-0.01", "0", "1e400", "sNaN", "", [], False])
def test_bad_amounts(value) -> None:
    with pytest.raises(InvalidAmount):
        parse_amount(value)


def _chain(n: int) -> list[AuditRecord]:
    records, prev = [], GENESIS_HASH
    for seq in range(1, n + 1):
        fields = dict(seq=seq, at=f"2026-01-01T00:00:0{seq}", actor="t", customer_id=1,
                      action="login", details={"n": seq}, prev_hash=prev)
        prev = record_hash(**fields)
        records.append(AuditRecord(hash=prev, **fields))
    return records


def test_verify_chain_names_the_broken_link() -> None:
    chain = _chain(5)
    assert verify_chain(chain, (5, chain[-1].hash)).ok
    modified = chain[:2] + [replace(chain[2], actor="mallory")] + chain[3:]
    assert [(p.seq, p.kind) for p in verify_chain(modified).problems] == [(3, "modified")]
    assert [(p.seq, p.kind) for p in verify_chain(chain[1:]).problems] == [(1, "deleted")]
    assert [(p.seq, p.kind) for p in verify_chain(chain[:4], (5, chain[-1].hash)).problems] == [
        (5, "deleted")]
