"""Tamper-evident audit chain: hashing a record and verifying a whole chain, as pure functions.

Each record's hash is sha256 over the canonical JSON of its content plus the previous record's hash,
and records carry a gap-free sequence number, so editing a record breaks its own hash (or, if the
hash was recomputed, its successor's link) and deleting one leaves a gap. A stored head (last
sequence number and hash) catches a truncated tail. ``bankbot audit verify`` prints the report's
``summary()``.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from bot.bankcore.port import AuditProblem, AuditRecord, AuditReport

GENESIS_HASH = "0" * 64


def canonical_json(value: Any) -> str:
    """One byte-exact serialisation for hashing: sorted keys, no whitespace, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def record_hash(
    seq: int, at: str, actor: str, customer_id: int | None, action: str,
    details: dict[str, Any], prev_hash: str,
) -> str:
    body = {
        "seq": seq, "at": at, "actor": actor, "customer_id": customer_id,
        "action": action, "details": details, "prev_hash": prev_hash,
    }
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def _recomputed(r: AuditRecord) -> str:
    return record_hash(r.seq, r.at, r.actor, r.customer_id, r.action, r.details, r.prev_hash)


def verify_chain(
    records: Iterable[AuditRecord], head: tuple[int, str] | None = None
) -> AuditReport:
    """Check ``records`` (in sequence order) against each other and the stored ``head``."""
    problems: list[AuditProblem] = []
    flagged: set[int] = set()

    def flag(seq: int, kind: str, message: str) -> None:
        if seq not in flagged:
            flagged.add(seq)
            problems.append(AuditProblem(seq=seq, kind=kind, message=message))  # type: ignore[arg-type]

    prev: AuditRecord | None = None
    count = 0
    for rec in records:
        count += 1
        expected_seq = prev.seq + 1 if prev else 1
        if rec.seq > expected_seq:
            for missing in range(expected_seq, rec.seq):
                flag(missing, "deleted",
                     f"audit record {missing} was deleted (chain jumps from {expected_seq - 1} to {rec.seq})")
        elif prev is not None and rec.prev_hash != prev.hash:
            flag(prev.seq, "modified",
                 f"audit record {prev.seq} was modified (record {rec.seq} no longer links to it)")
        elif prev is None and rec.seq == 1 and rec.prev_hash != GENESIS_HASH:
            flag(rec.seq, "modified", "audit record 1 was modified (it no longer starts the chain)")
        if _recomputed(rec) != rec.hash:
            flag(rec.seq, "modified", f"audit record {rec.seq} was modified (its hash does not match)")
        prev = rec
    if head is not None:
        head_seq, head_hash = head
        last_seq = prev.seq if prev else 0
        if last_seq < head_seq:
            for missing in range(last_seq + 1, head_seq + 1):
                flag(missing, "deleted",
                     f"audit record {missing} was deleted (the log ends at {last_seq}, head says {head_seq})")
        elif prev is not None and last_seq == head_seq and prev.hash != head_hash:
            flag(prev.seq, "modified",
                 f"audit record {prev.seq} was modified (it no longer matches the stored head)")
    problems.sort(key=lambda p: p.seq)
    return AuditReport(ok=not problems, records_checked=count, problems=tuple(problems))
