"""After identification, answer what the customer originally asked (balance, transactions,
payees, card status) in the same turn, read from their request, not from the PIN just typed."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.balance import ActionCheckBalance
from bot.actions.cards import ActionCardStatus
from bot.actions.finishing import FinishForm
from bot.actions.limits import ActionCheckLimits
from bot.actions.payees import ActionListPayees
from bot.actions.tasks import REQUEST_SLOT, replayed
from bot.actions.transactions import ActionSearchTransactions

RESUMABLE = (ActionCheckBalance, ActionSearchTransactions, ActionListPayees, ActionCardStatus, ActionCheckLimits)


class ActionResumeAfterIdentify(FinishForm):
    slots = ("pending_action",)
    form = "identify_form"

    def name(self) -> str:
        return "action_resume_after_identify"

    async def finish(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                     customer_id: int) -> list[EventType]:
        pending = tracker.get_slot("pending_action")
        action = next((cls(self._context) for cls in RESUMABLE if cls(self._context).name() == pending), None)
        if action is None:
            dispatcher.utter_message(text="What can I help you with?")
            return []
        stored = tracker.get_slot(REQUEST_SLOT)  # what they asked, not the PIN they just typed
        return await action.answer(dispatcher, replayed(tracker, stored) if stored else tracker, customer_id)
