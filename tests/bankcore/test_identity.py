"""Login and identity verification with hashed secrets; date of birth stays private by default."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot.bankcore.sql_models import CustomerRow
from tests.bankcore.conftest import Bank


def test_demo_credentials_log_in_and_wrong_ones_do_not(bank: Bank) -> None:
    alice = bank.core.authenticate("alice", "alice-demo-pass")
    assert alice is not None and alice.full_name == "Alice Morgan" and alice.first_name == "Alice"
    assert alice.date_of_birth is None and "date_of_birth" not in repr(alice)
    assert bank.core.authenticate("alice", "bob-demo-pass") is None
    assert bank.core.authenticate("mallory", "alice-demo-pass") is None
    assert bank.core.authenticate("alice' OR '1'='1", "x' OR '1'='1") is None
    assert bank.core.authenticate(None, None) is None  # type: ignore[arg-type]


def test_secrets_are_stored_only_as_salted_hashes(bank: Bank) -> None:
    with bank.sessions() as s:
        rows = s.scalars(select(CustomerRow)).all()
    for row in rows:
        assert row.password_hash.startswith("pbkdf2_sha256$")
        assert f"{row.username}-demo-pass" not in row.password_hash
    assert len({r.password_hash.split("$")[2] for r in rows}) == len(rows)  # distinct salts


@pytest.mark.parametrize("dob, pin, ok", [
    ("1988-04-12", None, True),
    (date(1988, 4, 12), "4821", True),
    (None, "4821", True),
    ("1988-04-13", None, False),
    (None, "0000", False),
    ("1988-04-12", "0000", False),   # every factor given must match
    ("not a date", None, False),
])
def test_verify_identity_by_customer_number(bank: Bank, dob, pin, ok) -> None:
    customer = bank.core.verify_identity("1000 0001", date_of_birth=dob, pin=pin)
    assert (customer is not None and customer.username == "alice") if ok else customer is None


def test_verify_identity_needs_a_factor_and_a_real_customer(bank: Bank) -> None:
    with pytest.raises(ValueError):
        bank.core.verify_identity("10000001")
    assert bank.core.verify_identity("99999999", date_of_birth="1988-04-12") is None


def test_date_of_birth_only_when_asked_for(bank: Bank) -> None:
    alice = bank.login("alice")
    assert bank.core.get_customer(alice.id).date_of_birth is None
    assert bank.core.get_customer(alice.id, include_private=True).date_of_birth == date(1988, 4, 12)
