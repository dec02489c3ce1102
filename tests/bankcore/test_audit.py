"""The audit log records every account action and verification pinpoints tampering."""
from __future__ import annotations

import json

from sqlalchemy import delete, select, update

from bot.bankcore.audit import canonical_json, record_hash
from bot.bankcore.sql_models import AuditRow
from tests.bankcore.conftest import Bank


def _act(bank: Bank) -> None:
    """One of each audited action."""
    alice = bank.login("alice")
    bank.core.authenticate("alice", "wrong password")
    bank.core.verify_identity("10000001", pin="4821")
    bank.core.transfer(alice.id, bank.account(alice, "checking"),
                       to_account_id=bank.account(alice, "savings"), amount="10",
                       currency="USD", idempotency_key="a1", actor="bot:web")
    bank.core.set_card_status(alice.id, bank.core.list_cards(alice.id)[0].id, "frozen",
                              actor="bot:web", reason="customer request")
    bank.core.add_payee(alice.id, "Sam Lee", "Demo Bank", "12345678", actor="bot:web")


def test_every_account_action_appends_a_chained_record(bank: Bank) -> None:
    seeded = len(bank.core.list_audit(limit=1000))
    _act(bank)
    records = bank.core.list_audit(limit=1000)[seeded:]
    assert [r.action for r in records] == [
        "login", "login", "verify_identity", "transfer", "card_status", "payee_add"]
    assert [r.details["success"] for r in records[:3]] == [True, False, True]
    assert all(b.prev_hash == a.hash for a, b in zip(records, records[1:]))
    assert "wrong password" not in json.dumps([r.details for r in records])
    assert bank.core.audit_verify().ok
    assert "OK" in bank.core.audit_verify().summary()


def _tamper(bank: Bank, seq: int, recompute: bool) -> None:
    with bank.sessions.begin() as s:
        row = s.get(AuditRow, seq)
        details = json.loads(row.details) | {"amount": "1.00"}
        values = {"details": canonical_json(details)}
        if recompute:
            values["hash"] = record_hash(row.seq, row.at, row.actor, row.customer_id, row.action,
                                         details, row.prev_hash)
        s.execute(update(AuditRow).where(AuditRow.seq == seq).values(**values))


def _seq_of(bank: Bank, action: str) -> int:
    with bank.sessions() as s:
        return s.scalar(select(AuditRow.seq).where(AuditRow.action == action))


def test_a_modified_record_is_named(bank: Bank) -> None:
    _act(bank)
    seq = _seq_of(bank, "transfer")
    _tamper(bank, seq, recompute=False)
    report = bank.core.audit_verify()
    assert not report.ok
    assert [(p.seq, p.kind) for p in report.problems] == [(seq, "modified")]
    assert f"audit record {seq} was modified" in report.summary()


def test_a_modified_record_with_a_recomputed_hash_is_still_named(bank: Bank) -> None:
    _act(bank)
    seq = _seq_of(bank, "transfer")
    _tamper(bank, seq, recompute=True)
    report = bank.core.audit_verify()
    assert [(p.seq, p.kind) for p in report.problems] == [(seq, "modified")]


def test_a_deleted_record_is_named(bank: Bank) -> None:
    _act(bank)
    seq = _seq_of(bank, "card_status")
    with bank.sessions.begin() as s:
        s.execute(delete(AuditRow).where(AuditRow.seq == seq))
    report = bank.core.audit_verify()
    assert [(p.seq, p.kind) for p in report.problems] == [(seq, "deleted")]
    assert f"audit record {seq} was deleted" in report.summary()


def test_deleting_the_newest_records_is_detected(bank: Bank) -> None:
    _act(bank)
    last = bank.core.list_audit(limit=1)[0].seq
    with bank.sessions.begin() as s:
        s.execute(delete(AuditRow).where(AuditRow.seq >= last - 1))
    report = bank.core.audit_verify()
    assert [(p.seq, p.kind) for p in report.problems] == [(last - 1, "deleted"), (last, "deleted")]
