"""Task switching, as Rasa's financial-demo does it and a little better, and the offers around it.

A new task asked for in the middle of a form ("oh wait, freeze my card first" while paying the card
bill) is offered as a switch; the form's answers so far are put aside (``suspended_task``) and the
request itself is kept (``request_message``) so the new task starts from what the customer said.
When the new task ends, the bot offers to go back to the first with what was already filled in.
The offers end the bot's turn; the customer's yes or no (worded freely) comes back through
``answer_offer``. "Cancel" at an offer drops both tasks.
"""
from __future__ import annotations

import copy
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.context import ActionContext
from bot.actions.knowledge import offered

SUSPENDED_SLOT = "suspended_task"
REQUEST_SLOT = "request_message"
# slots a form keeps besides its required ones (checks and step-up state)
BOOKKEEPING = ("transfer_date", "dispute_candidates", "stepup_challenge", "stepup_attempts", "stepup_code",
               "form_cancelled")
STOPPED_BOTH = "stopped_both"


def task_slots(domain: dict[str, Any]) -> list[str]:
    """Every slot a task (form) fills: what a switch puts aside and a resume restores."""
    forms = domain.get("forms") or {}
    required = [s for form in forms.values() for s in (form or {}).get("required_slots") or []]
    skip = {"customer_number", "identity_secret"}
    return [s for s in dict.fromkeys([*required, *BOOKKEEPING]) if s not in skip]


def kept_message(tracker: Tracker) -> dict[str, Any]:
    """The parts of the latest parse a task needs to start from it later."""
    message = tracker.latest_message or {}
    return {key: message.get(key) for key in ("text", "intent", "entities", "intent_ranking")}


def replayed(tracker: Tracker, message: dict[str, Any]) -> Tracker:
    """The tracker as if ``message`` were the latest one and no question were pending, so a task
    reads the request that started it (the customer's words before a switch or identification)."""
    copied = copy.copy(tracker)
    copied.latest_message = dict(message)
    copied.slots = {**tracker.slots, "requested_slot": None}
    return copied


class ActionOfferSwitch(Action):
    """Another task was asked for inside a form: put the form aside and ask whether to switch."""

    def __init__(self, context: ActionContext) -> None:
        self._context = context

    def name(self) -> str:
        return "action_offer_switch"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        current = (tracker.active_loop or {}).get("name")
        wanted = self._context.task_forms.get(((tracker.latest_message or {}).get("intent") or {}).get("name", ""))
        if not current or not wanted:
            return []
        saved = {name: tracker.get_slot(name) for name in task_slots(domain) if tracker.get_slot(name) is not None}
        suspended = {"form": current, "next": wanted, "slots": saved,
                     "requested": tracker.get_slot("requested_slot")}
        language = self._context.language
        dispatcher.utter_message(response="utter_offer_switch", current=language.task(current),
                                 new=language.same_task_again if wanted == current else language.task(wanted))
        return [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet(SUSPENDED_SLOT, suspended),
                SlotSet(REQUEST_SLOT, kept_message(tracker))]


def restore(tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
    """Slot events that bring back the suspended form's answers and restart it."""
    suspended = tracker.get_slot(SUSPENDED_SLOT) or {}
    saved = suspended.get("slots") or {}
    events: list[EventType] = [SlotSet(name, saved.get(name)) for name in task_slots(domain)]
    return [*events, SlotSet(SUSPENDED_SLOT, None), SlotSet(REQUEST_SLOT, None),
            FollowupAction(suspended["form"])]


def clear(domain: dict[str, Any]) -> list[EventType]:
    return [SlotSet(name, None) for name in task_slots(domain)]


async def answer_offer(context: ActionContext, dispatcher: CollectingDispatcher, tracker: Tracker,
                       offer: str, domain: dict[str, Any] | None = None) -> list[EventType]:
    """The customer's yes or no to the offer the bot's previous turn ended with."""
    message = tracker.latest_message or {}
    yes = message.get("answer") == "yes"
    domain = domain or {}
    suspended = tracker.get_slot(SUSPENDED_SLOT) or {}
    if offer == "person":
        if yes:
            return [FollowupAction("action_request_human")]
        dispatcher.utter_message(response="utter_person_declined")
        return []
    if offer == "task":  # the task the customer asked about, started from their question
        request = tracker.get_slot(REQUEST_SLOT) or {}
        form = context.task_forms.get(((request.get("intent") or {}).get("name")) or "")
        if yes and form:
            return [*clear(domain), SlotSet(REQUEST_SLOT, request), FollowupAction(form)]
        dispatcher.utter_message(response="utter_anything_else")
        return [SlotSet(REQUEST_SLOT, None)]
    if not suspended.get("form"):
        dispatcher.utter_message(response="utter_anything_else")
        return []
    first = context.language.task(suspended["form"])
    cancelled = message.get("cancel") or (message.get("intent") or {}).get("name") == "cancel"
    if cancelled and offer == "switch":
        dispatcher.utter_message(response="utter_stopped_both", json_message={"kind": STOPPED_BOTH})
        return [*clear(domain), SlotSet(SUSPENDED_SLOT, None), SlotSet(REQUEST_SLOT, None)]
    if offer == "switch" and yes:
        return [*clear(domain), FollowupAction(suspended["next"])]
    if offer == "switch" or yes:  # stay with the first task, or go back to it
        dispatcher.utter_message(response="utter_carry_on", task=first)
        return restore(tracker, domain)
    dispatcher.utter_message(response="utter_resume_declined", task=first)
    return [SlotSet(SUSPENDED_SLOT, None), SlotSet(REQUEST_SLOT, None)]


class ActionAnswerOffer(Action):
    """A yes, no or cancel right after an action that may have ended with an offer; when it did
    not, the stray answer gets "anything else?" (or "nothing to cancel") as it would anywhere."""

    def __init__(self, context: ActionContext) -> None:
        self._context = context

    def name(self) -> str:
        return "action_answer_offer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        offer = offered(tracker)
        if offer:
            return await answer_offer(self._context, dispatcher, tracker, offer, domain)
        cancelled = ((tracker.latest_message or {}).get("intent") or {}).get("name") == "cancel"
        dispatcher.utter_message(response="utter_nothing_to_cancel" if cancelled else "utter_anything_else")
        return []


def offer_task(context: ActionContext, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """After answering a question about a task, offer to do it; a yes starts it from the question
    ("someone stole my wallet, what do I do?" -> block the card)."""
    message = tracker.latest_message or {}
    task = message.get("asked_about")
    offer = context.language.task_offers.get(task or "")
    if not task or task not in context.task_forms or not offer or (tracker.active_loop or {}).get("name"):
        return []  # inside a form the question is a digression; the form carries on
    dispatcher.utter_message(response="utter_offer_task", task=offer)
    request = {**kept_message(tracker), "intent": {"name": task, "confidence": 1.0}}
    return [SlotSet(REQUEST_SLOT, request)]


def offer_resume(context: ActionContext, dispatcher: CollectingDispatcher, tracker: Tracker,
                 finished_form: str) -> list[EventType]:
    """After a task ends: offer to go back to the one put aside for it (none when that one ended)."""
    suspended = tracker.get_slot(SUSPENDED_SLOT) or {}
    if not suspended.get("form"):
        return []
    if suspended["form"] == finished_form and suspended.get("next") != finished_form:
        return [SlotSet(SUSPENDED_SLOT, None)]  # the task put aside was taken up again and is done
    dispatcher.utter_message(response="utter_offer_resume", task=context.language.task(suspended["form"]))
    return []
