"""What the dialogue relies on: normalised entity values in Rasa's format."""
from __future__ import annotations

from datetime import date

import pytest

from nlu.entities import extract_entities

TODAY = date(2026, 11, 24)  # a Tuesday
PAYEES = ["Bob Okafor", "Jane Morgan", "Greenway Lettings"]


def values(text: str, entity: str, payees: list[str] | None = None) -> list[str]:
    return [e["value"] for e in extract_entities(text, TODAY, payees) if e["entity"] == entity]


@pytest.mark.parametrize("text, amount, currency", [
    ("send fifty quid to mum", "50.00", "GBP"),
    ("$1,200.50", "1200.50", "USD"),
    ("transfer 1.2k to Alex", "1200.00", None),
    ("50 bucks", "50.00", "USD"),
    ("pay Sarah £30", "30.00", "GBP"),
    ("move 100 euros to savings", "100.00", "EUR"),
    ("81.63€ left?", "81.63", "EUR"),
    ("transfer half a grand to Lucy", "500.00", None),
    ("two hundred and fifty dollars", "250.00", "USD"),
    ("make it 50", "50.00", None),
    ("twenty", "20.00", None),
])
def test_amounts_are_normalised_with_currency(text, amount, currency):
    found = [e for e in extract_entities(text, TODAY) if e["entity"] == "amount"]
    assert [e["value"] for e in found] == [amount]
    assert (found[0].get("additional_info") or {}).get("currency") == currency


@pytest.mark.parametrize("text", [
    "show my last 10 transactions", "freeze the card ending in 4321", "it happened 3 days ago",
    "my customer number is 10000001", "i want to transfer money",
])
def test_counts_digits_and_ids_are_not_amounts(text):
    assert values(text, "amount") == []


@pytest.mark.parametrize("text, entity, value", [
    ("what did I spend last month", "date_range", "2026-10-01/2026-10-31"),
    ("show transactions since March", "date_range", "2026-03-01/2026-11-24"),
    ("purchases in the past two weeks", "date_range", "2026-11-10/2026-11-24"),
    ("everything i paid last friday", "date", "2026-11-20"),
    ("what came out yesterday", "date", "2026-11-23"),
    ("3 days ago", "date", "2026-11-21"),
    ("send it on 5 December", "date", "2026-12-05"),
    ("this week", "date_range", "2026-11-23/2026-11-29"),
    ("between 1 March and 15 March", "date_range", "2026-03-01/2026-03-15"),
])
def test_dates_resolve_to_iso_against_today(text, entity, value):
    assert values(text, entity) == [value]


def test_may_the_verb_is_not_a_month():
    assert values("I may have been charged twice", "date_range") == []


def test_accounts_carry_from_and_to_roles():
    found = extract_entities("move 100 from checking to my savings account", TODAY)
    accounts = [(e["value"], e.get("role")) for e in found if e["entity"] == "account"]
    assert accounts == [("checking", "from"), ("savings", "to")]


def test_cards_by_kind_and_last_four():
    assert values("freeze my debit card", "card") == ["debit"]
    assert values("lock the card ending in 9034", "card") == ["9034"]
    assert "credit_card" in values("pay my credit card", "account")


def test_payees_fuzzy_match_the_customers_payees():
    assert values("send 10 to bob", "payee", PAYEES) == ["Bob Okafor"]
    assert values("pay jane morgn 20", "payee", PAYEES) == ["Jane Morgan"]
    assert values("transfer to Greenway Lettings", "payee", PAYEES) == ["Greenway Lettings"]
    assert values("wire $1,200.50 to my landlord", "payee") == ["my landlord"]
    assert values("send 20 bucks to jake", "payee", PAYEES) == ["jake"]


def test_merchants_from_the_list_and_at_patterns():
    assert values("what did I spend at amazon last month", "merchant") == ["Amazon"]
    assert values("cancel the payment to uber eats", "merchant") == ["Uber Eats"]
    assert values("it was at Joe's Pizza", "merchant") == ["Joe's Pizza"]


def test_entities_have_rasa_fields_and_exact_spans():
    text = "send $250 to Bob Okafor from savings"
    for entity in extract_entities(text, TODAY, PAYEES):
        assert {"entity", "value", "start", "end", "extractor"} <= entity.keys()
        assert text[entity["start"]:entity["end"]] == entity["text"]


@pytest.mark.parametrize("text", ["", "   ", "🙂🙂", "x" * 10_000, "\x00\x01 binary", "'; DROP TABLE payees; --"])
def test_bad_input_never_crashes(text):
    assert isinstance(extract_entities(text, TODAY), list)


@pytest.mark.parametrize("said, day", [("the first of next month", "2027-01-01"), ("on the 3rd of next month", "2027-01-03"),
                                       ("the 15th of this month", "2026-12-15"), ("the first of the month", "2027-01-01")])
def test_a_day_of_a_month_named_by_its_place(said, day):
    found = [e for e in extract_entities(said, date(2026, 12, 7)) if e["entity"] == "date"]
    assert [e["value"] for e in found] == [day]
