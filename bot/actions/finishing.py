"""The action a form hands over to when it ends: act once, clear the form's slots, and offer to go
back to a task the customer put aside for this one."""
from __future__ import annotations

from abc import abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.context import ActionContext
from bot.actions.identity import IDENTITY_SLOTS, LOCKED, PLEASE_IDENTIFY
from bot.actions.tasks import REQUEST_SLOT, offer_resume

STOPPED = "OK, I've stopped there. Nothing was changed."


class FinishForm(Action):
    """Subclasses name the slots to clear and implement ``finish`` for the confirmed case."""

    slots: tuple[str, ...] = ()
    form: str = ""  # the form this action finishes

    def __init__(self, context: ActionContext) -> None:
        self._context = context

    @abstractmethod
    async def finish(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                     customer_id: int) -> list[EventType]:
        """Carry out the request; every slot of the form is filled and valid here."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        reset = [SlotSet(name, None) for name in (*self.slots, *IDENTITY_SLOTS, "form_cancelled",
                                                  "stepup_code", "stepup_challenge",
                                                  "stepup_attempts", REQUEST_SLOT)]
        customer_id = await self._context.customer_id(tracker)
        if tracker.get_slot("form_cancelled"):
            dispatcher.utter_message(text=STOPPED)
            events = reset
        elif customer_id is None:
            dispatcher.utter_message(text=LOCKED if tracker.get_slot("identity_locked") else PLEASE_IDENTIFY)
            return reset
        else:
            events = [*await self.finish(dispatcher, tracker, customer_id), *reset]
        return [*events, *offer_resume(self._context, dispatcher, tracker, self.form)]
