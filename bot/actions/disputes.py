"""Dispute a transaction (form): pick one of the matching recent payments (by any of its details),
give a reason, and a case is opened with a reference number; then a specialist takes the
conversation over."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.common import call, format_money, text
from bot.actions.finishing import FinishForm
from bot.actions.forms import BankForm
from bot.actions.language import DialogueLanguage
from bot.actions.transactions import filters_from_message
from bot.bankcore.port import BankError, Transaction
from handoff.follow_ups import follow_up_marker
from nlu.entities import extract_entities

CHOICES = 5


def describe(t: Transaction) -> str:
    return f"{t.posted_at.date().isoformat()} {t.merchant or t.description} {format_money(t.amount, t.currency)}"


def pick(message: str, candidates: list[Transaction], language: DialogueLanguage,
         today: date | None = None) -> Transaction | None:
    """The listed payment the customer means, by any of its details: merchant ("the Netflix one"),
    amount ("the $58 one"), day ("the one on the 5th"), position ("2", "the second one", "the last
    one") or order ("the latest Amazon one", "the biggest"). None when it stays ambiguous."""
    lowered = message.lower()
    pool = [t for t in candidates if t.merchant and t.merchant.lower() in lowered] or candidates
    found = extract_entities(message, today)
    amounts = [Decimal(str(e["value"])) for e in found if e["entity"] == "amount"]
    amounts += [Decimal(m) for m in re.findall(r"(?<![\w.])(\d+\.\d\d)(?!\d)", message)]  # "the 65.93 one"
    if amounts:
        pool = [t for t in pool if any(abs(abs(t.amount) - a) < 1 for a in amounts)] or pool
    days = [str(e["value"]).partition("/") for e in found if e["entity"] in ("date", "date_range")]
    if days:
        pool = [t for t in pool if any(start <= t.posted_at.date().isoformat() <= (end or start)
                                       for start, _, end in days)] or pool
    if len(pool) == 1:
        return pool[0]
    wanted = language.picked(lowered)
    order = {"newest": lambda ts: max(ts, key=lambda t: t.posted_at), "oldest": lambda ts: min(ts, key=lambda t: t.posted_at),
             "largest": lambda ts: max(ts, key=lambda t: abs(t.amount)),
             "smallest": lambda ts: min(ts, key=lambda t: abs(t.amount))}
    for name, choose in order.items():
        if name in wanted:
            return choose(pool)
    if "last" in wanted and pool is candidates:
        return candidates[-1]
    index = language.position(lowered) if pool is candidates else None
    return candidates[index - 1] if index is not None and 1 <= index <= len(candidates) else None


class ValidateDisputeForm(BankForm):
    def name(self) -> str:
        return "validate_dispute_form"

    async def form_slots(self, tracker: Tracker, customer_id: int) -> list[str]:
        return ["dispute_transaction", "dispute_reason"]

    async def candidates(self, tracker: Tracker) -> list[Transaction]:
        customer_id = await self._context.customer_id(tracker)
        ids = tracker.get_slot("dispute_candidates") or []
        rows = await call(self._context.bank.list_transactions, customer_id, direction="out", limit=200)
        by_id = {t.id: t for t in rows}
        return [by_id[i] for i in ids if i in by_id]

    async def extract_dispute_transaction(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                          domain: dict[str, Any]) -> dict[str, Any]:
        customer_id = await self._context.customer_id(tracker)
        if customer_id is None or tracker.get_slot("dispute_transaction"):
            return {}
        if tracker.get_slot("requested_slot") == "dispute_transaction":
            chosen = pick(text(tracker), await self.candidates(tracker), self._context.language)
            if chosen is None:
                dispatcher.utter_message(text="I couldn't tell which one you mean; you can answer with its number.")
            return {"dispute_transaction": str(chosen.id) if chosen else None}
        if tracker.get_slot("dispute_candidates"):
            return {}
        filters = filters_from_message(tracker)
        rows = await call(
            self._context.bank.list_transactions, customer_id, direction="out",
            merchant=filters.get("merchant"),
            since=date.fromisoformat(filters["since"]) if "since" in filters else None,
            until=date.fromisoformat(filters["until"]) if "until" in filters else None,
            min_amount=Decimal(filters["min_amount"]) if "min_amount" in filters else None,
            max_amount=Decimal(filters["max_amount"]) if "max_amount" in filters else None, limit=CHOICES * 4)
        rows = ([t for t in rows if t.merchant] or rows)[:CHOICES]  # card payments, not moves between own accounts
        if not rows:
            dispatcher.utter_message(text="I couldn't find a matching payment out of your accounts.")
            return {"form_cancelled": True}
        return {"dispute_candidates": [t.id for t in rows]}

    async def extract_dispute_reason(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: dict[str, Any]) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "dispute_reason":
            return {}
        reason = text(tracker).strip()
        if len(reason) < 3:
            dispatcher.utter_message(text="Please tell me briefly what went wrong with this payment.")
            return {"dispute_reason": None}
        return {"dispute_reason": reason[:500]}


class ActionAskDisputeTransaction(Action):
    def __init__(self, context) -> None:
        self._context = context

    def name(self) -> str:
        return "action_ask_dispute_transaction"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        form = ValidateDisputeForm(self._context)
        rows = await form.candidates(tracker)
        lines = [f"{i}. {describe(t)}" for i, t in enumerate(rows, start=1)]
        dispatcher.utter_message(text="Which payment would you like to dispute?\n" + "\n".join(lines))
        return []


class ActionOpenDispute(FinishForm):
    slots = ("dispute_transaction", "dispute_reason", "dispute_candidates")
    form = "dispute_form"

    def name(self) -> str:
        return "action_open_dispute"

    async def finish(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                     customer_id: int) -> list[EventType]:
        try:
            dispute = await call(self._context.bank.open_dispute, customer_id,
                                 int(tracker.get_slot("dispute_transaction")),
                                 tracker.get_slot("dispute_reason"), f"customer:{customer_id}")
        except BankError as exc:
            dispatcher.utter_message(text=f"I couldn't open a dispute ({exc}).")
            return []
        amount = format_money(dispute.amount, dispute.currency)
        dispatcher.utter_message(  # the marker makes the gateway hand the case to a specialist next
            text=f"I've opened dispute case {dispute.reference} for {amount}. "
                 "Keep the reference for any follow-up; I'm passing the case to our disputes team now.",
            json_message=follow_up_marker("dispute", f"dispute case {dispute.reference}, {amount}"))
        return []
