"""Transactions: recent activity and searches by merchant, amount range and date range, with
totals; money coming in ("how much did I earn last month") is searched apart from spending. Filters
carry over to a follow-up ("and at Tesco?" keeps "last month")."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.choosing import find_account
from bot.actions.common import call, entities, first_value, format_money, text
from bot.actions.context import ActionContext
from bot.actions.gate import AccountAction
from bot.bankcore.port import Transaction

SHOWN = 10
SEARCHED = 500  # rows a search by the customer's own words looks through


def haystack(t: Transaction) -> str:
    return " ".join(x for x in (t.merchant, t.description, t.category) if x).lower()


def matching_terms(words: set[str], rows: list[Transaction]) -> set[str]:
    """The words (as the transactions spell them: "mortgages" -> "mortgage") that some of the
    customer's transactions contain as a word."""
    vocabulary = {w for t in rows for w in re.findall(r"[a-z]+", haystack(t))}
    forms = ({w, w[:-1]} if w.endswith("s") else {w} for w in words)
    return {form for options in forms for form in options if form in vocabulary}
_MIN_WORDS = re.compile(r"(?:over|more\s+than|above|at\s+least|bigger\s+than|greater\s+than|>)\s*$", re.I)
_MAX_WORDS = re.compile(r"(?:under|less\s+than|below|at\s+most|smaller\s+than|<)\s*$", re.I)


def filters_from_message(tracker: Tracker) -> dict[str, Any]:
    """The search filters this message states (ISO dates and decimal strings, JSON-safe)."""
    found: dict[str, Any] = {}
    message = text(tracker)
    if merchant := first_value(tracker, "merchant"):
        found["merchant"] = merchant
    if account := first_value(tracker, "account"):
        found["account"] = account
    for entity in entities(tracker, "date") + entities(tracker, "date_range"):
        start, _, end = str(entity["value"]).partition("/")
        found["since"], found["until"] = start, end or start
    amounts = entities(tracker, "amount")
    if len(amounts) >= 2 and re.search(r"\bbetween\b", message, re.I):
        found["min_amount"], found["max_amount"] = str(amounts[0]["value"]), str(amounts[1]["value"])
    elif amounts:
        before = message[:amounts[0]["start"]]
        value = str(amounts[0]["value"])
        if _MIN_WORDS.search(before):
            found["min_amount"] = value
        elif _MAX_WORDS.search(before):
            found["max_amount"] = value
        else:
            found["min_amount"] = found["max_amount"] = value
    return found


def describe_filters(filters: dict[str, Any]) -> str:
    parts = ["coming in"] if filters.get("direction") == "in" else []
    if filters.get("about"):
        parts.append("for " + " and ".join(filters["about"]))
    if "merchant" in filters:
        parts.append(f"at {filters['merchant']}")
    if "min_amount" in filters and filters.get("min_amount") == filters.get("max_amount"):
        parts.append(f"of {filters['min_amount']}")
    else:
        if "min_amount" in filters:
            parts.append(f"over {filters['min_amount']}")
        if "max_amount" in filters:
            parts.append(f"under {filters['max_amount']}")
    if "since" in filters:
        parts.append(f"on {filters['since']}" if filters["since"] == filters["until"]
                     else f"from {filters['since']} to {filters['until']}")
    return " ".join(parts)


def summarise(rows: list[Transaction], filters: dict[str, Any], currency: str) -> str:
    label = describe_filters(filters)
    if not rows:
        return f"I found no transactions{' ' + label if label else ''}."
    spent = sum((-t.amount for t in rows if t.amount < 0), Decimal("0"))
    received = sum((t.amount for t in rows if t.amount > 0), Decimal("0"))
    lines = [f"{t.posted_at.date().isoformat()}  {t.merchant or t.description}  "
             f"{format_money(t.amount, t.currency)}" for t in rows[:SHOWN]]
    more = f"\n...and {len(rows) - SHOWN} more." if len(rows) > SHOWN else ""
    if filters.get("direction") == "in":
        total = f"Total received: {format_money(received, currency)} in {len(rows)} payment(s)"
    else:
        total = f"Total spent: {format_money(spent, currency)} in {sum(t.amount < 0 for t in rows)} payment(s)"
        if received:
            total += f"; received {format_money(received, currency)}"
    return (f"Here are your transactions{' ' + label if label else ''}:\n" + "\n".join(lines) + more
            + f"\n{total}.")


async def own_payments_named(context: ActionContext, tracker: Tracker, customer_id: int,
                             words_too: bool = False) -> bool:
    """The message names a merchant the customer has paid ("what do I pay Equinox every month?") or,
    with ``words_too``, a word of their own transactions ("my mortgage payment last month")."""
    rows = await call(context.bank.list_transactions, customer_id, limit=SEARCHED)
    lowered = text(tracker).lower()
    if any(t.merchant and t.amount < 0 and re.search(rf"\b{re.escape(t.merchant.lower())}\b", lowered) for t in rows):
        return True
    return words_too and bool(matching_terms(context.language.search_words(lowered), rows))


class ActionSearchTransactions(AccountAction):
    def name(self) -> str:
        return "action_search_transactions"

    async def _payee_meant(self, tracker: Tracker, customer_id: int) -> str | None:
        """The payee of the transfer under way, when the search refers to them ("them", "her")."""
        value = tracker.get_slot("payee") or ""
        if not value.startswith("payee:") or not self._context.language.refers_to_payee(text(tracker)):
            return None
        payees = await call(self._context.bank.list_payees, customer_id)
        return next((p.name for p in payees if f"payee:{p.id}" == value), None)

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                     customer_id: int, carry_over: bool = False) -> list[EventType]:
        filters = {**(tracker.get_slot("tx_filters") or {})} if carry_over else {}
        filters.update(filters_from_message(tracker))
        if self._context.language.about_income(text(tracker)):  # "how much did I earn": money in
            filters["direction"] = "in"
        accounts = await call(self._context.bank.list_accounts, customer_id)
        account = find_account(accounts, filters.get("account"))

        async def search(limit: int) -> list[Transaction]:
            return await call(
                self._context.bank.list_transactions, customer_id,
                account_id=account.id if account else None,
                since=date.fromisoformat(filters["since"]) if "since" in filters else None,
                until=date.fromisoformat(filters["until"]) if "until" in filters else None,
                merchant=filters.get("merchant"),
                min_amount=Decimal(filters["min_amount"]) if "min_amount" in filters else None,
                max_amount=Decimal(filters["max_amount"]) if "max_amount" in filters else None,
                direction=filters.get("direction"), limit=limit)
        payee = await self._payee_meant(tracker, customer_id) if "merchant" not in filters else None
        if payee:  # "what did I pay them last time?" in the middle of paying them
            filters["merchant"] = payee
        words = self._context.language.search_words(text(tracker)) if "merchant" not in filters else set()
        named = matching_terms(words, await search(SEARCHED)) if words else {}
        if named:  # "how much was my mortgage payment last month": the customer's own word for it
            filters["about"] = sorted(named)
            rows = [t for t in await search(SEARCHED) if any(w in haystack(t) for w in named)]
        else:
            rows = await search(200 if len(filters) > (1 if account else 0) else SHOWN)
        currency = account.currency if account else (accounts[0].currency if accounts else "USD")
        dispatcher.utter_message(text=summarise(rows, filters, currency))
        return [SlotSet("tx_filters", filters), SlotSet("last_topic", "transactions")]
