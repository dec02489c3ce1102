"""Plain (non-form) account actions: the customer's id, or a detour through identification that
comes back to the same action afterwards."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.context import ActionContext
from bot.actions.forms import BankForm
from bot.actions.identity import LOCKED, PLEASE_IDENTIFY
from bot.actions.tasks import REQUEST_SLOT, kept_message


async def customer_or_identify(context: ActionContext, dispatcher: CollectingDispatcher,
                               tracker: Tracker, action: str) -> tuple[int | None, list[EventType]]:
    """``(customer_id, [])`` when known; else ``(None, events)`` that start identification."""
    customer_id = await context.customer_id(tracker)
    if customer_id is not None:
        return customer_id, []
    if tracker.get_slot("identity_locked"):
        dispatcher.utter_message(text=LOCKED)
        return None, []
    dispatcher.utter_message(text=PLEASE_IDENTIFY)
    return None, [SlotSet("pending_action", action), SlotSet(REQUEST_SLOT, kept_message(tracker)),
                  FollowupAction("identify_form")]


class ValidateIdentifyForm(BankForm):
    replays_request = False  # the action that sent the customer here reads the request afterwards

    def name(self) -> str:
        return "validate_identify_form"

    async def form_slots(self, tracker: Tracker, customer_id: int) -> list[str]:
        return []


class AccountAction(Action):
    """Base of the plain account actions: ports in, identification detour built in."""

    def __init__(self, context: ActionContext) -> None:
        self._context = context

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        customer_id, detour = await customer_or_identify(self._context, dispatcher, tracker, self.name())
        if customer_id is None:
            return detour
        return await self.answer(dispatcher, tracker, customer_id)

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                     customer_id: int) -> list[EventType]:
        raise NotImplementedError
