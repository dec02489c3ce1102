"""Cards: freeze, unfreeze (after step-up), report lost or stolen (block + replacement with a
delivery estimate) through one form; card status as a plain answer."""
from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.choosing import find_card
from bot.actions.common import call, first_value, intent, short_answer, text, yes_or_no
from bot.actions.finishing import FinishForm
from bot.actions.forms import BankForm
from bot.actions.gate import AccountAction
from bot.actions.stepup import STEPUP_SLOT, StepupValidation
from bot.bankcore.port import BankError, Card

REQUESTS = {"freeze_card": "freeze", "unfreeze_card": "unfreeze", "report_lost_card": "lost"}

ELIGIBLE = {"freeze": ("active",), "unfreeze": ("frozen",), "lost": ("active", "frozen")}


def card_label(card: Card) -> str:
    return f"{card.kind} card ending {card.last4}"


async def eligible_cards(context, customer_id: int, request: str) -> list[Card]:
    cards = await call(context.bank.list_cards, customer_id)
    return [c for c in cards if c.status in ELIGIBLE.get(request, ())]


class ValidateCardForm(StepupValidation, BankForm):
    def name(self) -> str:
        return "validate_card_form"

    async def form_slots(self, tracker: Tracker, customer_id: int) -> list[str]:
        request = tracker.get_slot("card_request")
        extra = {"unfreeze": [STEPUP_SLOT], "lost": ["card_confirmed"]}.get(request, [])
        return ["card_request", "card", *extra]

    async def extract_card_request(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: dict[str, Any]) -> dict[str, Any]:
        if tracker.get_slot("card_request") or intent(tracker) not in REQUESTS:
            return {}
        return {"card_request": REQUESTS[intent(tracker)]}

    async def extract_card(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: dict[str, Any]) -> dict[str, Any]:
        request = tracker.get_slot("card_request")
        customer_id = await self._context.customer_id(tracker)
        if not request or customer_id is None:
            return {}
        said = first_value(tracker, "card") or await self._named_by_account(tracker, customer_id) or (
            short_answer(tracker) if tracker.get_slot("requested_slot") == "card" else None)
        if said is None and tracker.get_slot("card"):
            return {}
        cards = await eligible_cards(self._context, customer_id, request)
        asked = tracker.get_slot("requested_slot") == "card"
        if said is None:
            if len(cards) == 1 and not asked:  # the only card it can be; an answer must name it
                return {"card": str(cards[0].id)}
            if not cards:
                state = {"freeze": "active", "unfreeze": "frozen", "lost": "usable"}[request]
                dispatcher.utter_message(text=f"You don't have a {state} card, so there's nothing to {request}.")
                return {"form_cancelled": True}
            return {}
        card = find_card(cards, said)
        if card is None:
            owned = find_card(await call(self._context.bank.list_cards, customer_id), said)
            if owned and not asked:  # the card they named cannot take this request: nothing to do
                dispatcher.utter_message(text=f"Your {card_label(owned)} is {owned.status}.")
                return {"form_cancelled": True}
            dispatcher.utter_message(
                text=f"Your {card_label(owned)} is {owned.status}." if owned
                else "I couldn't find that card among yours.")
            return {"card": None}
        return {"card": str(card.id)}

    async def _named_by_account(self, tracker: Tracker, customer_id: int) -> str | None:
        """"my black card": a card named by a word of its account's name ("Black Credit Card"), as
        its last four digits, so a card that cannot take this request is not swapped for one that can."""
        accounts = {a.id: a for a in await call(self._context.bank.list_accounts, customer_id)}
        words = set(re.findall(r"[a-z]+", text(tracker).lower()))
        for card in await call(self._context.bank.list_cards, customer_id):
            account = accounts.get(card.account_id)
            name = set(re.findall(r"[a-z]+", account.name.lower())) - self._context.language.generic_account_words \
                if account else set()
            if name & words:
                return card.last4
        return None

    async def extract_card_confirmed(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: dict[str, Any]) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "card_confirmed":
            return {}
        answer = yes_or_no(tracker)
        if answer is None:
            return {}
        return {"card_confirmed": True} if answer else {"form_cancelled": True}


class ActionAskCard(Action):
    def __init__(self, context) -> None:
        self._context = context

    def name(self) -> str:
        return "action_ask_card"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        customer_id = await self._context.customer_id(tracker)
        cards = await eligible_cards(self._context, customer_id, tracker.get_slot("card_request"))
        options = " or ".join(f"your {card_label(c)}" for c in cards)
        dispatcher.utter_message(text=f"Which card: {options}?")
        return []


class ActionCardRequest(FinishForm):
    slots = ("card_request", "card", "card_confirmed")
    form = "card_form"

    def name(self) -> str:
        return "action_card_request"

    async def finish(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                     customer_id: int) -> list[EventType]:
        request, card_id = tracker.get_slot("card_request"), int(tracker.get_slot("card"))
        bank, actor = self._context.bank, f"customer:{customer_id}"
        try:
            if request == "freeze":
                card = await call(bank.set_card_status, customer_id, card_id, "frozen", actor, "customer request")
                dispatcher.utter_message(text=f"Your {card_label(card)} is now frozen. Say \"unfreeze my card\" "
                                              "whenever you want it back.")
            elif request == "unfreeze":
                card = await call(bank.set_card_status, customer_id, card_id, "active", actor, "customer request")
                dispatcher.utter_message(text=f"Your {card_label(card)} is active again.")
            else:
                card = await call(bank.set_card_status, customer_id, card_id, "blocked", actor, "lost or stolen")
                new = await call(bank.order_replacement_card, customer_id, card_id, actor)
                dispatcher.utter_message(
                    text=f"I've blocked your {card_label(card)} so nobody can use it, and ordered a replacement "
                         f"(ending {new.card.last4}). It should arrive by {new.delivery_estimate:%A %d %B}.")
        except BankError as exc:
            dispatcher.utter_message(text=f"I couldn't do that ({exc}). Nothing was changed.")
        return []


class ActionCardStatus(AccountAction):
    def name(self) -> str:
        return "action_card_status"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                     customer_id: int) -> list[EventType]:
        cards = await call(self._context.bank.list_cards, customer_id)
        if not cards:
            dispatcher.utter_message(text="You don't have any cards with us.")
            return []
        lines = [f"{card_label(c).capitalize()}: {c.status}, expires {c.expiry:%m/%Y}" for c in cards]
        dispatcher.utter_message(text="Your cards:\n" + "\n".join(lines))
        return []
