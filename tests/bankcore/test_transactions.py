"""Statement search: by account, merchant, amount range, date range and direction."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from tests.bankcore.conftest import SEED_NOW, Bank


def test_search_by_merchant_amount_date_and_direction(bank: Bank) -> None:
    alice = bank.login("alice")
    everything = bank.core.list_transactions(alice.id, limit=500)
    assert everything == sorted(everything, key=lambda t: t.posted_at, reverse=True)

    amazon = bank.core.list_transactions(alice.id, merchant="amazon", limit=500)
    assert amazon and all(t.merchant == "Amazon" for t in amazon)
    assert len(amazon) == sum(1 for t in everything if t.merchant == "Amazon")

    big = bank.core.list_transactions(alice.id, min_amount=Decimal("100"), direction="out", limit=500)
    assert big and all(t.amount <= Decimal("-100") for t in big)

    february = bank.core.list_transactions(alice.id, since=date(2026, 2, 1),
                                           until=date(2026, 2, 28), limit=500)
    assert february and all(t.posted_at.month == 2 for t in february)
    assert {t.description for t in february if t.category == "salary"} == {"Salary ACME ANALYTICS LTD"}

    window = bank.core.list_transactions(alice.id, since=SEED_NOW - timedelta(days=7),
                                         max_amount=Decimal("10"), limit=500)
    assert all(abs(t.amount) <= 10 and t.posted_at >= SEED_NOW - timedelta(days=7) for t in window)

    assert bank.core.list_transactions(alice.id, merchant="100%_", limit=5) == []
    assert len(bank.core.list_transactions(alice.id, limit=3)) == 3


def test_credit_card_shows_statement_and_minimum_payment(bank: Bank) -> None:
    carol = bank.login("carol")
    card = bank.core.get_account(carol.id, bank.account(carol, "credit_card"))
    assert card.balance == Decimal("-2310.55") and card.available_balance == Decimal("17689.45")
    assert card.statement_balance is not None and card.statement_balance > 0
    assert card.minimum_payment == max(Decimal("25.00"),
                                       (card.statement_balance * Decimal("0.02")).quantize(Decimal("0.01")))
    checking = bank.core.get_account(carol.id, bank.account(carol, "checking"))
    assert checking.statement_balance is None and checking.masked_number == "****0001"


def test_the_minimum_payment_follows_the_bank_policy_file(bank: Bank, tmp_path) -> None:
    """The numbers live in data/bank/policy.yml, once: another policy, another minimum."""
    from dataclasses import replace

    from bot.bankcore.policy import BankPolicy
    from bot.bankcore.sql_bankcore import SqlBankCore

    carol = bank.login("carol")
    stricter = replace(BankPolicy.load(), card_minimum_floor=Decimal("50.00"), card_minimum_share=Decimal("0.05"))
    core = SqlBankCore(bank.sessions, bank.clock, stricter)
    card = core.get_account(carol.id, bank.account(carol, "credit_card"))
    assert card.minimum_payment == min(card.statement_balance, max(
        Decimal("50.00"), (card.statement_balance * Decimal("0.05")).quantize(Decimal("0.01"))))
    assert BankPolicy.load().card_minimum_floor == Decimal("25.00")  # what data/bank/policy.yml says
