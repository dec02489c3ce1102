"""Shared behaviour of the account forms (rasa-sdk FormValidationAction).

Every slot is extracted by an ``extract_<slot>`` method from the latest parse, so a message that
fills nothing makes Rasa reject the form and lets a digression rule answer it before the form
resumes. Cancelling is handled here for all forms; so is identification: an anonymous
conversation first fills the identity slots, and a locked one ends the form at once.
"""
from __future__ import annotations

from abc import abstractmethod
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from bot.actions.common import intent
from bot.actions.context import ActionContext
from bot.actions.identity import IDENTITY_SLOTS, IdentityValidation

CANCEL_INTENTS = {"cancel", "cancel_transfer"}  # "cancel the transfer" mid-form stops the form
FREE_TEXT_SLOTS = {"customer_number", "identity_secret", "stepup_code", "new_payee_name",
                   "new_payee_bank", "new_payee_account", "dispute_reason"}


class BankForm(IdentityValidation, FormValidationAction):
    """Base of every ``validate_<form>`` action."""

    def __init__(self, context: ActionContext) -> None:
        self._context = context

    @abstractmethod
    async def form_slots(self, tracker: Tracker, customer_id: int) -> list[str]:
        """The slots this form still needs once the customer is known, in asking order."""

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: dict[str, Any]) -> list[str]:
        if tracker.get_slot("identity_locked") or tracker.get_slot("form_cancelled"):
            return []
        customer_id = await self._context.customer_id(tracker)
        if customer_id is None:
            return list(dict.fromkeys(IDENTITY_SLOTS + domain_slots))
        return await self.form_slots(tracker, customer_id)

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        if intent(tracker) in CANCEL_INTENTS and tracker.active_loop.get("name") == self.form_name():
            return [SlotSet("form_cancelled", True), SlotSet("requested_slot", None)]
        extraction = await self.get_extraction_events(dispatcher, tracker, domain)
        tracker.add_slots(extraction)
        validation = await self._extract_validation_events(dispatcher, tracker, domain)
        # rasa-sdk keeps only required slots; bookkeeping slots set while extracting survive here
        validated = {event["name"] for event in validation if event.get("event") == "slot"}
        return [*(event for event in extraction if event["name"] not in validated), *validation]

    async def get_extraction_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: dict[str, Any]) -> list[EventType]:
        """Until the customer is known only the identity answers are read (nothing is looked up), and
        an answer to a free-text question fills that slot alone."""
        requested = tracker.get_slot("requested_slot")
        if requested in FREE_TEXT_SLOTS:
            only = [requested]  # a code or a name typed on its own is not an amount or a correction
        elif await self._context.customer_id(tracker) is None:
            only = IDENTITY_SLOTS
        else:
            return await super().get_extraction_events(dispatcher, tracker, domain)
        events: list[EventType] = []
        for slot in only:
            extracted = await self._extract_slot(slot, dispatcher, tracker, domain)
            tracker.slots.update(extracted)
            events += [SlotSet(name, value) for name, value in extracted.items()]
        return events

    def cancel(self, dispatcher: CollectingDispatcher, message: str) -> dict[str, Any]:
        """End the form without acting (the finishing action then says nothing was changed)."""
        dispatcher.utter_message(text=message)
        return {"form_cancelled": True}
