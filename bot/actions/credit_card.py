"""Pay the credit card bill (form): minimum, statement balance, full balance or a custom amount,
from one of the customer's accounts, with a read-back; executed once per form instance."""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.choosing import describe_account, find_account
from bot.actions.common import (
    amount_problem,
    call,
    entities,
    first_value,
    format_money,
    short_answer,
    text,
    yes_or_no,
)
from bot.actions.finishing import FinishForm
from bot.actions.forms import BankForm
from bot.actions.transfer import form_instance_key
from bot.bankcore.port import Account, BankError

PAYING_KINDS = ("checking", "savings")


def card_account(accounts: list[Account]) -> Account | None:
    return next((a for a in accounts if a.kind == "credit_card"), None)


def owed(card: Account) -> Decimal:
    return max(-card.balance, Decimal("0"))


class ValidatePayCardForm(BankForm):
    def name(self) -> str:
        return "validate_pay_card_form"

    async def form_slots(self, tracker: Tracker, customer_id: int) -> list[str]:
        return ["card_payment_amount", "from_account", "card_payment_confirmed"]

    async def extract_card_payment_amount(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                          domain: dict[str, Any]) -> dict[str, Any]:
        customer_id = await self._context.customer_id(tracker)
        if customer_id is None:
            return {}
        accounts = await call(self._context.bank.list_accounts, customer_id)
        card = card_account(accounts)
        if card is None or owed(card) == 0:
            dispatcher.utter_message(text="You don't have a credit card balance to pay." if card
                                     else "You don't have a credit card with us.")
            return {"form_cancelled": True}
        message = text(tracker).lower()
        value = None
        if re.search(r"\bmin(?:imum)?\b", message):
            value = card.minimum_payment
        elif re.search(r"\bstatement\b", message):
            value = min(card.statement_balance or Decimal(0), owed(card))
        elif re.search(r"\b(?:full|everything|whole|all of it|what i owe|entire|outstanding)\b", message):
            value = owed(card)
        elif found := entities(tracker, "amount"):
            value = Decimal(str(found[0]["value"]))
            problem = amount_problem(str(value))
            if problem:
                dispatcher.utter_message(text=problem)
                return {"card_payment_amount": None}
            if value > owed(card):
                dispatcher.utter_message(text=f"You only owe {format_money(owed(card), card.currency)}, "
                                              "so I can pay at most that.")
                return {"card_payment_amount": None}
        if value is None:
            return {}
        if value <= 0:
            dispatcher.utter_message(text="There's nothing due for that option.")
            return {"card_payment_amount": None}
        return {"card_payment_amount": str(value.quantize(Decimal("0.01")))}

    async def extract_from_account(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: dict[str, Any]) -> dict[str, Any]:
        requested = tracker.get_slot("requested_slot") == "from_account"
        said = first_value(tracker, "account", "from") or (
            requested and (next((e["value"] for e in entities(tracker, "account")
                                 if e["value"] != "credit_card"), None) or short_answer(tracker)))
        if not said:
            return {}
        customer_id = await self._context.customer_id(tracker)
        accounts = await call(self._context.bank.list_accounts, customer_id)
        paying = [a for a in accounts if a.kind in PAYING_KINDS]
        account = find_account(paying, said)
        if account is None:
            names = " or ".join(describe_account(a) for a in paying)
            dispatcher.utter_message(text=f"I can pay from {names}.")
            return {"from_account": None}
        amount = tracker.get_slot("card_payment_amount")
        if amount and Decimal(amount) > account.available_balance:
            other = next((a for a in paying if a.id != account.id and a.available_balance >= Decimal(amount)), None)
            tip = f" You could pay from {describe_account(other)} instead." if other else " You could pay the minimum instead."
            dispatcher.utter_message(text=f"That would overdraw {describe_account(account)} (available "
                                          f"{format_money(account.available_balance, account.currency)}).{tip}")
            return {"from_account": None}
        return {"from_account": str(account.id)}

    async def extract_card_payment_confirmed(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                             domain: dict[str, Any]) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "card_payment_confirmed" or entities(tracker, "amount") \
                or entities(tracker, "account"):
            return {}
        answer = yes_or_no(tracker)
        if answer is None:
            return {}
        return {"card_payment_confirmed": True} if answer else {"form_cancelled": True}


class ActionAskCardPaymentAmount(Action):
    def __init__(self, context) -> None:
        self._context = context

    def name(self) -> str:
        return "action_ask_card_payment_amount"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        customer_id = await self._context.customer_id(tracker)
        card = card_account(await call(self._context.bank.list_accounts, customer_id))
        money = lambda v: format_money(v or Decimal(0), card.currency)  # noqa: E731
        dispatcher.utter_message(
            text=f"Your {card.name} balance is {money(owed(card))}; statement balance {money(card.statement_balance)}, "
                 f"minimum payment {money(card.minimum_payment)}. Would you like to pay the minimum, the "
                 "statement balance, the full balance, or another amount?")
        return []


class ActionAskCardPaymentConfirmed(Action):
    def __init__(self, context) -> None:
        self._context = context

    def name(self) -> str:
        return "action_ask_card_payment_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        customer_id = await self._context.customer_id(tracker)
        accounts = await call(self._context.bank.list_accounts, customer_id)
        source = next(a for a in accounts if str(a.id) == tracker.get_slot("from_account"))
        card = card_account(accounts)
        amount = format_money(Decimal(tracker.get_slot("card_payment_amount")), source.currency)
        dispatcher.utter_message(text=f"Please confirm: pay {amount} to your {describe_account(card)} from "
                                      f"{describe_account(source)}. Shall I go ahead?")
        return []


class ActionPayCreditCard(FinishForm):
    slots = ("card_payment_amount", "from_account", "card_payment_confirmed")
    form = "pay_card_form"

    def name(self) -> str:
        return "action_pay_credit_card"

    async def finish(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                     customer_id: int) -> list[EventType]:
        if tracker.get_slot("card_payment_confirmed") is not True:
            dispatcher.utter_message(text="I haven't paid anything.")
            return []
        accounts = await call(self._context.bank.list_accounts, customer_id)
        source = next(a for a in accounts if str(a.id) == tracker.get_slot("from_account"))
        card = card_account(accounts)
        try:
            result = await call(self._context.bank.transfer, customer_id, source.id, to_account_id=card.id,
                                amount=tracker.get_slot("card_payment_amount"), currency=source.currency,
                                idempotency_key=form_instance_key(tracker, "pay_card_form"),
                                actor=f"customer:{customer_id}", memo="Credit card payment")
        except BankError as exc:
            dispatcher.utter_message(text=f"I couldn't make the payment ({exc}). Nothing was paid.")
            return []
        dispatcher.utter_message(text=f"Done: paid {format_money(result.amount, result.currency)} to your "
                                      f"{card.name}. Reference {result.reference}.")
        return []
