"""Shared behaviour of the account forms (rasa-sdk FormValidationAction).

Every slot is extracted by an ``extract_<slot>`` method from the latest parse, so a message that
fills nothing makes Rasa reject the form and lets a digression rule answer it before the form
resumes; a question typed where a name or code is expected is not taken as the answer. Handled
here for all forms: cancelling ("cancel", "never mind", "forget it" at any step); another task asked
for (nothing is read from it: the switch rule offers that task); identification (an anonymous
conversation first fills the identity slots, a locked one ends the form at once), after which
the form reads the request that started it, as it does after a task switch.
"""
from __future__ import annotations

from abc import abstractmethod
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from bot.actions.common import intent, text
from bot.actions.context import ActionContext
from bot.actions.identity import IDENTITY_SLOTS, IdentityValidation
from bot.actions.tasks import REQUEST_SLOT, kept_message, replayed

CANCEL_INTENTS = {"cancel", "cancel_transfer"}  # "cancel the transfer" mid-form stops the form
FREE_TEXT_SLOTS = {"customer_number", "identity_secret", "stepup_code", "new_payee_name",
                   "new_payee_bank", "new_payee_account", "dispute_reason"}
# intents a message can have and still be a plain answer to a free-text question
ANSWER_INTENTS = {"inform", "nlu_fallback", "affirm", "deny", "greet", "goodbye", "thanks", "out_of_scope"}
MIN_QUESTION_WORDS = 3  # "Jane?" may answer; "what's the transfer fee?" asks something
MIN_NAME_WORDS = 4  # "Harbour Demo Bank" answers "which bank?"; four words with another intent ask something
LONG_QUESTION_WORDS = 6  # "from savings?" answers; "do you offer any fixed-term savings accounts?" asks


# answers worded any way (a dispute's reason, which payment, "the minimum"): only a plain question
# interrupts them, never the support intent the words happen to resemble
FREE_FORM_SLOTS = {"dispute_reason", "dispute_transaction", "card_payment_amount"}
QUESTION_INTENTS = {"check_balance", "check_limits"}  # besides the ask_* product-question intents


def is_question(tracker: Tracker, own_intents: frozenset[str] = frozenset()) -> bool:
    """A product or account question by its intent, or a question of several words that is not about
    this task ("what's the annual fee on the gold card?", "what's my balance?")."""
    message, name = text(tracker), intent(tracker)
    if name in QUESTION_INTENTS or name.startswith("ask_"):
        return True
    return "?" in message and len(message.split()) >= MIN_QUESTION_WORDS and name not in own_intents


def clearly_a_question(tracker: Tracker, own_intents: frozenset[str]) -> bool:
    """A question even if a word of it would fill the slot ("by the way, do you offer fixed-term
    savings accounts?" when asked which account to pay from): a long one with a question mark, or a
    product question by its intent, that is not a plain answer or about this task."""
    name, words = intent(tracker), len(text(tracker).split())
    if name in ANSWER_INTENTS or name in own_intents:
        return False
    return name.startswith("ask_") and words >= MIN_NAME_WORDS or ("?" in text(tracker) and words >= LONG_QUESTION_WORDS)


def asks_something_else(tracker: Tracker, slot: str) -> bool:
    """Where any text is an answer (a name, a bank, a code), a message is read as a question instead
    when it has a question mark, or several words and an intent that is not a plain answer."""
    message, words = text(tracker), len(text(tracker).split())
    if ("?" in message and words >= MIN_QUESTION_WORDS) or (intent(tracker) in QUESTION_INTENTS and words > 1):
        return True
    if slot in FREE_FORM_SLOTS or any(ch.isdigit() for ch in message) or words < MIN_NAME_WORDS:
        return False
    return intent(tracker) not in ANSWER_INTENTS


class BankForm(IdentityValidation, FormValidationAction):
    """Base of every ``validate_<form>`` action."""

    replays_request = True  # after identification, read the request that started the form

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

    def _switch_requested(self, tracker: Tracker) -> bool:
        """Another task's request in the middle of this one ("wait, freeze my card first" while
        paying, or "actually, move 100 into checking first" during a transfer); a yes that names the
        task ("yes, send it") is an answer, not a switch."""
        wanted = self._context.task_forms.get(intent(tracker))
        other = wanted != self.form_name() or self._context.language.another(text(tracker))
        return bool(wanted) and other and (tracker.latest_message or {}).get("answer") != "yes" \
            and tracker.get_slot("requested_slot") is not None

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        message = tracker.latest_message or {}
        asking = tracker.get_slot("requested_slot") is not None
        if tracker.active_loop.get("name") == self.form_name() and asking and (
                intent(tracker) in CANCEL_INTENTS or message.get("cancel")):
            return [SlotSet("form_cancelled", True), SlotSet("requested_slot", None)]
        if self._switch_requested(tracker):
            return []  # nothing is read from it; the switch rule offers the other task
        requested = tracker.get_slot("requested_slot")
        if asking and requested in FREE_TEXT_SLOTS and asks_something_else(tracker, requested):
            return []  # a question on the side: answered by a digression rule, then the form asks again
        kept: list[EventType] = []
        if self.replays_request and not asking and tracker.get_slot(REQUEST_SLOT) is None \
                and await self._context.customer_id(tracker) is None:
            kept = [SlotSet(REQUEST_SLOT, kept_message(tracker))]  # read again once they are verified
        trial = CollectingDispatcher()  # what it would say, kept only if the message is read as an answer
        extraction = await self.get_extraction_events(trial, tracker, domain)
        answered = any(e.get("name") == requested and e.get("value") is not None for e in extraction)
        own = frozenset(i for i, form in self._context.task_forms.items() if form == self.form_name())
        if asking and (clearly_a_question(tracker, own) or not answered and (is_question(tracker, own) or (
                requested not in FREE_FORM_SLOTS and intent(tracker) in self._context.support_intents))):
            return []  # a question on the side ("card pin locked" when asked for a payee): answered aside
        dispatcher.messages.extend(trial.messages)
        tracker.add_slots(extraction)
        validation = await self._extract_validation_events(dispatcher, tracker, domain)
        # rasa-sdk keeps only required slots; bookkeeping slots set while extracting survive here
        validated = {event["name"] for event in validation if event.get("event") == "slot"}
        return [*kept, *(event for event in extraction if event["name"] not in validated), *validation]

    async def get_extraction_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: dict[str, Any]) -> list[EventType]:
        """Until the customer is known only the identity answers are read (nothing is looked up), and
        an answer to a free-text question fills that slot alone. The request that started the form
        (kept while the customer identified, or across a task switch) is read once the customer is
        known and no question is pending."""
        requested = tracker.get_slot("requested_slot")
        stored = tracker.get_slot(REQUEST_SLOT) if self.replays_request else None
        if requested in FREE_TEXT_SLOTS:
            only = [requested]  # a code or a name typed on its own is not an amount or a correction
        elif await self._context.customer_id(tracker) is None:
            only = IDENTITY_SLOTS
        elif stored and requested is None:
            return [*await super().get_extraction_events(dispatcher, replayed(tracker, stored), domain),
                    SlotSet(REQUEST_SLOT, None)]
        else:
            return await super().get_extraction_events(dispatcher, tracker, domain)
        events: list[EventType] = []
        for slot in only:
            extracted = await self._extract_slot(slot, dispatcher, tracker, domain)
            tracker.slots.update(extracted)
            events += [SlotSet(name, value) for name, value in extracted.items()]
        if stored and requested == "identity_secret" and tracker.get_slot("identity_secret") == "verified":
            extracted_events = await super().get_extraction_events(dispatcher, replayed(tracker, stored), domain)
            events += [*extracted_events, SlotSet(REQUEST_SLOT, None)]
        return events

    def cancel(self, dispatcher: CollectingDispatcher, message: str) -> dict[str, Any]:
        """End the form without acting (the finishing action then says nothing was changed)."""
        dispatcher.utter_message(text=message)
        return {"form_cancelled": True}
