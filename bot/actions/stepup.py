"""Step-up verification inside a form: a one-time code is sent when the form asks for it and
checked when the customer types it back (adding payees, unfreezing cards, large transfers)."""
from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.common import call, text
from bot.actions.context import ActionContext
from bot.bankcore.port import BankError

STEPUP_SLOT = "stepup_code"


class ActionAskStepupCode(Action):
    """``action_ask_stepup_code``: Rasa runs it whenever a form requests the code slot."""

    def __init__(self, context: ActionContext) -> None:
        self._context = context

    def name(self) -> str:
        return "action_ask_stepup_code"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        if tracker.get_slot("stepup_challenge"):
            dispatcher.utter_message(text="Please type the 6-digit security code I sent you.")
            return []
        customer_id = await self._context.customer_id(tracker)
        purpose = (tracker.active_loop or {}).get("name", "verify").replace("_form", "")
        try:
            challenge = await call(self._context.bank.send_one_time_code, customer_id, purpose,
                                   f"bot:{tracker.sender_id}")
        except BankError as exc:
            dispatcher.utter_message(text=f"I couldn't send a security code ({exc}). Say cancel to stop.")
            return []
        dispatcher.utter_message(text=f"For your security I've sent a 6-digit code to your "
                                      f"{challenge.masked_destination}. Please type it here.")
        return [SlotSet("stepup_challenge", str(challenge.id))]


class StepupValidation:
    """Mixin for forms: extracts the code and verifies it with the bank."""

    _context: ActionContext

    async def extract_stepup_code(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: dict[str, Any]) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != STEPUP_SLOT:
            return {}
        code = re.sub(r"\s", "", self._context.vault.reveal(text(tracker)))
        challenge = tracker.get_slot("stepup_challenge")
        if not re.fullmatch(r"\d{6}", code) or not challenge:
            dispatcher.utter_message(text="The security code is 6 digits (or say cancel to stop).")
            return {STEPUP_SLOT: None}
        customer_id = await self._context.customer_id(tracker)
        try:
            ok = await call(self._context.bank.verify_one_time_code, customer_id, int(challenge), code)
        except BankError:
            ok = False
        if ok:
            return {STEPUP_SLOT: "verified"}
        attempts = int(tracker.get_slot("stepup_attempts") or 0) + 1
        if attempts >= 3:
            dispatcher.utter_message(text="That code didn't match 3 times, so I've stopped this request.")
            return {STEPUP_SLOT: None, "stepup_attempts": 0, "form_cancelled": True}
        dispatcher.utter_message(text="That code doesn't match.")
        return {STEPUP_SLOT: None, "stepup_attempts": attempts}
