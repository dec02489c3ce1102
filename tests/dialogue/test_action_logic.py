"""The plain functions behind the account actions: parsing answers, choosing records, keys."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from bot.actions.choosing import find_account, find_card, find_payee
from bot.actions.common import amount_problem
from bot.actions.disputes import pick
from bot.actions.identity import parse_customer_number, parse_secret
from bot.actions.language import DialogueLanguage
from bot.actions.transfer import form_instance_key, target_of
from bot.bankcore.port import Account, Card, Payee, Transaction
from bot.settings import PROJECT_ROOT as ROOT


def account(id_: int, kind: str, name: str, last4: str) -> Account:
    zero = Decimal("0")
    return Account(id_, 1, kind, name, last4, "USD", zero, zero, "Class I", zero, zero)


ACCOUNTS = [account(1, "checking", "Everyday Checking", "0001"),
            account(2, "savings", "Rainy Day Savings", "0002"),
            account(3, "credit_card", "Platinum Credit Card", "0003")]
PAYEES = [Payee(7, 1, "Bob Okafor", "First Demo Bank", "****0001"),
          Payee(8, 1, "Jane Morgan", "Harbour Demo Bank", "****0987")]


@pytest.mark.parametrize("said, expected", [("10000001", "10000001"), ("it's 1000 0001", "10000001"),
                                            ("1234", None), ("10000001 or 10000002", None)])
def test_customer_number(said, expected):
    assert parse_customer_number(said) == expected


@pytest.mark.parametrize("said, expected", [
    ("4821", {"pin": "4821"}), ("my pin is 4821", {"pin": "4821"}),
    ("12 April 1988", {"date_of_birth": "1988-04-12"}), ("1988-04-12", {"date_of_birth": "1988-04-12"}),
    ("born on April 12, 1988", {"date_of_birth": "1988-04-12"}), ("31/12/1990", {"date_of_birth": "1990-12-31"}),
    ("no idea", None)])
def test_identity_secret(said, expected):
    assert parse_secret(said, date(2026, 11, 24)) == expected


def test_accounts_by_kind_last4_or_name_and_never_ambiguous():
    assert find_account(ACCOUNTS, "savings").id == 2
    assert find_account(ACCOUNTS, "0001").id == 1
    assert find_account(ACCOUNTS, "rainy day").id == 2
    assert find_account(ACCOUNTS, "credit_card").id == 3
    assert find_account(ACCOUNTS, "account") is None
    assert find_account(ACCOUNTS, "9999") is None


def test_payees_fuzzy_but_only_the_customers_own():
    assert find_payee(PAYEES, "jane morgn").id == 8
    assert find_payee(PAYEES, "bob").id == 7
    assert find_payee(PAYEES, "Voldemort") is None
    assert find_payee(PAYEES, "Robert'); DROP TABLE payees;--") is None


def test_cards_by_kind_or_last4():
    cards = [Card(1, 1, "debit", "4417", "active", date(2028, 9, 30)),
             Card(2, 3, "credit", "9034", "active", date(2027, 5, 31))]
    assert find_card(cards, "debit").id == 1
    assert find_card(cards, "9034").id == 2
    assert find_card(cards, "1111") is None


@pytest.mark.parametrize("value, ok", [("50.00", True), ("0", False), ("-5", False), ("0.001", False),
                                       ("5000000", False), ("abc", False), ("NaN", False)])
def test_amount_problems(value, ok):
    assert (amount_problem(value) is None) == ok


LANGUAGE = DialogueLanguage.load(ROOT / "data" / "language" / "en.yml")


def test_dispute_pick_by_number_ordinal_or_merchant():
    when = datetime(2026, 11, 1, tzinfo=timezone.utc)
    rows = [Transaction(i, 1, when, Decimal("-9.99"), "USD", m, m, None, f"r{i}")
            for i, m in enumerate(["Netflix", "Amazon", "Uber"], start=1)]
    assert pick("2", rows, LANGUAGE).id == 2
    assert pick("the third one", rows, LANGUAGE).id == 3
    assert pick("the amazon one", rows, LANGUAGE).id == 2
    assert pick("whatever", rows, LANGUAGE) is None


# the list as the bot shows it: newest first
LISTED = [Transaction(1, 1, datetime(2026, 12, 6, tzinfo=timezone.utc), Decimal("-63.94"), "USD", "Amazon", "Amazon", None, "a"),
          Transaction(2, 1, datetime(2026, 12, 6, tzinfo=timezone.utc), Decimal("-58.24"), "USD", "Tesco", "Tesco", None, "b"),
          Transaction(3, 1, datetime(2026, 12, 5, tzinfo=timezone.utc), Decimal("-14.95"), "USD", "Uber", "Uber", None, "c"),
          Transaction(4, 1, datetime(2026, 12, 5, tzinfo=timezone.utc), Decimal("-65.93"), "USD", "Amazon", "Amazon", None, "d"),
          Transaction(5, 1, datetime(2026, 12, 3, tzinfo=timezone.utc), Decimal("-489.34"), "USD", "Le Bernardin", "Le Bernardin", None, "e")]


@pytest.mark.parametrize("said, chosen", [
    ("the most recent Amazon purchase", 1), ("the latest Amazon one", 1), ("the older Amazon one", None),
    ("the oldest Amazon one", 4), ("the Le Bernardin one", 5), ("the $58 one", 2), ("the 65.93 Amazon charge", 4),
    ("the biggest one", 5), ("the Uber ride on the 5th of December", 3), ("the last one", 5), ("the Amazon one", None)])
def test_dispute_pick_by_any_detail_of_the_listed_payment(said, chosen):
    found = pick(said, LISTED, LANGUAGE, today=date(2026, 12, 7))
    assert (found.id if found else None) == chosen


class FakeTracker:
    def __init__(self, sender: str, events: list[dict]) -> None:
        self.sender_id, self.events = sender, events


def test_idempotency_key_is_stable_per_form_instance():
    first = FakeTracker("c1", [{"event": "active_loop", "name": "transfer_form", "timestamp": 1.0}])
    again = FakeTracker("c1", [{"event": "active_loop", "name": "transfer_form", "timestamp": 1.0},
                               {"event": "active_loop", "name": None, "timestamp": 2.0}])
    second = FakeTracker("c1", [{"event": "active_loop", "name": "transfer_form", "timestamp": 5.0}])
    assert form_instance_key(first, "transfer_form") == form_instance_key(again, "transfer_form")
    assert form_instance_key(first, "transfer_form") != form_instance_key(second, "transfer_form")
    assert target_of("payee:12") == ("payee", 12) and target_of("junk") is None
