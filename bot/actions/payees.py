"""Payees: list them; add one through a form that ends with step-up verification."""
from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.common import call, text
from bot.actions.finishing import FinishForm
from bot.actions.forms import BankForm
from bot.actions.gate import AccountAction
from bot.actions.stepup import STEPUP_SLOT, StepupValidation
from bot.bankcore.port import BankError

NAME = re.compile(r"[A-Za-z][A-Za-z .'&-]{1,59}")


class ActionListPayees(AccountAction):
    def name(self) -> str:
        return "action_list_payees"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                     customer_id: int) -> list[EventType]:
        payees = await call(self._context.bank.list_payees, customer_id)
        if not payees:
            dispatcher.utter_message(text="You don't have any saved payees yet. Say \"add a payee\" to add one.")
            return []
        lines = [f"{p.name}, {p.bank} ({p.masked_account})" for p in payees]
        dispatcher.utter_message(text="Your saved payees:\n" + "\n".join(lines))
        return []


class ValidateAddPayeeForm(StepupValidation, BankForm):
    def name(self) -> str:
        return "validate_add_payee_form"

    async def form_slots(self, tracker: Tracker, customer_id: int) -> list[str]:
        return ["new_payee_name", "new_payee_bank", "new_payee_account", STEPUP_SLOT]

    def _answer(self, tracker: Tracker, slot: str) -> str | None:
        return text(tracker).strip() if tracker.get_slot("requested_slot") == slot else None

    async def extract_new_payee_name(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: dict[str, Any]) -> dict[str, Any]:
        said = self._answer(tracker, "new_payee_name")
        if said is None:
            return {}
        if not NAME.fullmatch(said):
            dispatcher.utter_message(text="A payee name can only use letters, spaces and . ' & -.")
            return {"new_payee_name": None}
        return {"new_payee_name": said}

    async def extract_new_payee_bank(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: dict[str, Any]) -> dict[str, Any]:
        said = self._answer(tracker, "new_payee_bank")
        if said is None:
            return {}
        if not NAME.fullmatch(said):
            dispatcher.utter_message(text="A bank name can only use letters, spaces and . ' & -.")
            return {"new_payee_bank": None}
        return {"new_payee_bank": said}

    async def extract_new_payee_account(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                        domain: dict[str, Any]) -> dict[str, Any]:
        said = self._answer(tracker, "new_payee_account")
        if said is None:
            return {}
        digits = re.sub(r"[\s-]", "", said)
        if not re.fullmatch(r"\d{6,20}", digits):
            dispatcher.utter_message(text="An account number has 6 to 20 digits.")
            return {"new_payee_account": None}
        return {"new_payee_account": digits}


class ActionAddPayee(FinishForm):
    slots = ("new_payee_name", "new_payee_bank", "new_payee_account")
    form = "add_payee_form"

    def name(self) -> str:
        return "action_add_payee"

    async def finish(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                     customer_id: int) -> list[EventType]:
        try:
            payee = await call(self._context.bank.add_payee, customer_id, tracker.get_slot("new_payee_name"),
                               tracker.get_slot("new_payee_bank"), tracker.get_slot("new_payee_account"),
                               f"customer:{customer_id}")
        except BankError as exc:
            dispatcher.utter_message(text=f"I couldn't add that payee ({exc}). Nothing was changed.")
            return []
        dispatcher.utter_message(text=f"Added {payee.name} ({payee.bank}, {payee.masked_account}) to your payees.")
        return []
