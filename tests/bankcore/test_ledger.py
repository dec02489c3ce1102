"""Double-entry invariants: balances are the sum of postings, the books always balance, and internal
transfers never create or destroy money."""
from __future__ import annotations

import random
from decimal import Decimal

from bot.bankcore.port import BankError
from tests.bankcore.conftest import Bank


def test_seeded_books_balance_and_match_the_demo_file(bank: Bank) -> None:
    bank.assert_books_balance()
    alice = bank.login("alice")
    balances = {a.name: a.balance for a in bank.core.list_accounts(alice.id)}
    assert balances == {"Everyday Checking": Decimal("2450.75"),
                        "Rainy Day Savings": Decimal("12800.00"),
                        "Platinum Credit Card": Decimal("-612.40")}


def test_random_internal_transfers_keep_total_money_and_books_balanced(bank: Bank) -> None:
    rng = random.Random(5)
    customers = [bank.login(name) for name in ("alice", "bob", "carol", "erin")]
    accounts = {c.id: [a.id for a in bank.core.list_accounts(c.id)] for c in customers}
    total_before = sum(a.balance for c in customers for a in bank.core.list_accounts(c.id))
    executed = refused = 0

    for i in range(120):
        customer = rng.choice(customers)
        source, target = rng.sample(accounts[customer.id], 2)
        amount = Decimal(rng.randint(1, 400_000)) / 100
        try:
            bank.core.transfer(customer.id, source, to_account_id=target, amount=amount,
                               currency="USD", idempotency_key=f"r{i}", actor="test")
            executed += 1
        except BankError:  # over a limit or the balance: refused, nothing moves
            refused += 1

    total_after = sum(a.balance for c in customers for a in bank.core.list_accounts(c.id))
    assert total_after == total_before
    assert executed > 30 and refused > 0
    bank.assert_books_balance()
    for customer in customers:
        for account in bank.core.list_accounts(customer.id):
            assert account.balance >= -account.overdraft_limit


def test_statement_lines_add_up_to_the_balance(bank: Bank) -> None:
    dave = bank.login("dave")
    for account in bank.core.list_accounts(dave.id):
        lines = bank.core.list_transactions(dave.id, account_id=account.id, limit=500)
        assert sum(t.amount for t in lines) == account.balance
