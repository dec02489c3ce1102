"""A customer only ever sees and moves their own data; refusals change nothing."""
from __future__ import annotations

import pytest

from bot.bankcore.port import (
    NotOwner,
    UnknownAccount,
    UnknownCard,
    UnknownCustomer,
    UnknownPayee,
)
from tests.bankcore.conftest import Bank


def test_each_customer_lists_only_their_own_data(bank: Bank) -> None:
    alice, bob = bank.login("alice"), bank.login("bob")
    alice_accounts = {a.id for a in bank.core.list_accounts(alice.id)}
    bob_accounts = {a.id for a in bank.core.list_accounts(bob.id)}
    assert alice_accounts and bob_accounts and not alice_accounts & bob_accounts
    assert {t.account_id for t in bank.core.list_transactions(bob.id, limit=500)} <= bob_accounts
    assert {c.account_id for c in bank.core.list_cards(bob.id)} <= bob_accounts
    assert all(p.customer_id == bob.id for p in bank.core.list_payees(bob.id))


def test_someone_elses_account_card_and_payee_are_refused(bank: Bank) -> None:
    alice, bob = bank.login("alice"), bank.login("bob")
    alice_checking = bank.account(alice, "checking")
    alice_card = bank.core.list_cards(alice.id)[0].id
    alice_payee = bank.core.list_payees(alice.id)[0].id
    bob_checking = bank.account(bob, "checking")
    before = (bank.cached_balances(), bank.counts())

    with pytest.raises(NotOwner):
        bank.core.get_account(bob.id, alice_checking)
    with pytest.raises(NotOwner):
        bank.core.list_transactions(bob.id, account_id=alice_checking)
    with pytest.raises(NotOwner):
        bank.core.transfer(bob.id, alice_checking, to_account_id=bob_checking, amount="10",
                           currency="USD", idempotency_key="steal", actor="test")
    with pytest.raises(NotOwner):
        bank.core.transfer(bob.id, bob_checking, to_account_id=alice_checking, amount="10",
                           currency="USD", idempotency_key="push", actor="test")
    with pytest.raises(NotOwner):
        bank.core.transfer(bob.id, bob_checking, payee_id=alice_payee, amount="10",
                           currency="USD", idempotency_key="payee", actor="test")
    with pytest.raises(NotOwner):
        bank.core.set_card_status(bob.id, alice_card, "frozen", actor="test")

    assert (bank.cached_balances(), bank.counts()) == before
    assert bank.core.list_cards(alice.id)[0].status == "active"


def test_unknown_ids_are_reported_as_unknown(bank: Bank) -> None:
    alice = bank.login("alice")
    with pytest.raises(UnknownCustomer):
        bank.core.list_accounts(424242)
    with pytest.raises(UnknownAccount):
        bank.core.get_account(alice.id, 99999)
    with pytest.raises(UnknownAccount):  # the bank's own clearing/equity accounts are not visible
        bank.core.get_account(alice.id, 1)
    with pytest.raises(UnknownAccount):
        bank.core.get_account(alice.id, "1; DROP TABLE bank_accounts")  # type: ignore[arg-type]
    with pytest.raises(UnknownCard):
        bank.core.set_card_status(alice.id, 99999, "frozen", actor="test")
    with pytest.raises(UnknownPayee):
        bank.core.transfer(alice.id, bank.account(alice, "checking"), payee_id=99999, amount="1",
                           currency="USD", idempotency_key="k", actor="test")
