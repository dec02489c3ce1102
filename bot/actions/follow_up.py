"""What the bot does with a message the intent model is unsure of (``nlu_fallback``) or a bare
detail (``inform``): never a plain "please rephrase".

In order: an answer to the offer the bot just made (switch task, go back to a task, a colleague);
a scheduled transfer cancelled by its reference; a transfer the message clearly asks for; a question about the customer's own payments to a
merchant they have paid; a detail continuing the last balance or transactions
answer ("and my savings?"); the knowledge layer (graph, then FAQ), with the last topic for
follow-ups; the out-of-scope reply for a message clearly not about banking; else one clarifying
question with the closest topics, and if the customer is still not understood, the offer of a
colleague (a third miss in a row hands off: ``fallbacks_in_a_row`` in the hand-off policy).
"""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.balance import ActionCheckBalance
from bot.actions.common import call, intent, text
from bot.actions.context import ActionContext
from bot.actions.gate import customer_or_identify
from bot.actions.knowledge import (
    ANSWERED,
    consult,
    declined,
    offered,
    previous_turn,
    tell,
)
from bot.actions.scheduled import REFERENCE, ActionCancelScheduledTransfer
from bot.actions.tasks import answer_offer
from bot.actions.transactions import ActionSearchTransactions, own_payments_named
from nlu.entities import extract_entities

TRANSFER_GUESS = 0.15
DETAILS = {"account", "merchant", "date", "date_range", "amount"}
UNCLEAR = {"clarify", "offer_person"}
SHORT_FOLLOW_UP = 6  # words: "and my savings?" continues the last answer; a longer message is a new question


class ActionFollowUp(Action):
    def __init__(self, context: ActionContext) -> None:
        self._context = context
        self._balance = ActionCheckBalance(context)
        self._transactions = ActionSearchTransactions(context)

    def name(self) -> str:
        return "action_follow_up"

    @staticmethod
    def _looks_like_a_transfer(tracker: Tracker) -> bool:
        """Below the NLU threshold, but transfer_money is among the model's top guesses and the
        message names an amount and/or a recipient: start the transfer form (its read-back guards
        the rest)."""
        ranking = [r for r in (tracker.latest_message or {}).get("intent_ranking") or []
                   if r.get("name") != "nlu_fallback"][:3]
        guess = next((r for r in ranking if r.get("name") == "transfer_money"), None)
        named = {e.get("entity") for e in (tracker.latest_message or {}).get("entities") or []}
        if guess is None or guess.get("confidence", 0) < TRANSFER_GUESS:
            return False
        # the best guess itself, or a runner-up backed by both an amount and a recipient
        return bool(named & {"amount", "payee", "merchant"}) and (
            guess is ranking[0] or ("amount" in named and bool(named & {"payee", "merchant"})))

    async def _pays_a_saved_payee(self, tracker: Tracker) -> bool:
        """"I'd like to pay Greenway Lettings": a logged-in customer's saved payee named with a verb
        of paying (the NLU does not know this customer's payees)."""
        customer_id = await self._context.customer_id(tracker)
        if customer_id is None or not self._context.language.pays(text(tracker)):
            return False
        names = [p.name for p in await call(self._context.bank.list_payees, customer_id)]
        found = extract_entities(text(tracker), payees=names)
        return any(e["entity"] == "payee" and e["value"] in names for e in found)

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        message = tracker.latest_message or {}
        offer = offered(tracker)
        if offer and (message.get("answer") or message.get("cancel")):
            return await answer_offer(self._context, dispatcher, tracker, offer, domain)
        if message.get("cancel") and REFERENCE.search(text(tracker)):  # "cancel scheduled transfer SCH-..."
            return await ActionCancelScheduledTransfer(self._context).run(dispatcher, tracker, domain)
        if intent(tracker) == "nlu_fallback" and (self._looks_like_a_transfer(tracker)
                                                  or await self._pays_a_saved_payee(tracker)):
            return [FollowupAction("transfer_form")]
        customer_id = await self._context.customer_id(tracker)
        if intent(tracker) == "nlu_fallback" and customer_id is not None and await own_payments_named(
                self._context, tracker, customer_id):  # "what do I pay Equinox every month?"
            return await self._transactions.answer(dispatcher, tracker, customer_id)
        topic = tracker.get_slot("last_topic")
        details = any(e.get("entity") in DETAILS for e in (tracker.latest_message or {}).get("entities") or [])
        if topic in ("balance", "transactions") and details and intent(tracker) in ("inform", "nlu_fallback") \
                and len(text(tracker).split()) <= SHORT_FOLLOW_UP:
            return await self._continue(dispatcher, tracker, topic)
        answer = await consult(self._context, tracker)
        if answer.kind in ANSWERED:
            return tell(dispatcher, answer)
        if declined(tracker, answer, self._context.knowledge.bundle.retrieval.decline_below):
            dispatcher.utter_message(response="utter_out_of_scope", json_message={"kind": "out_of_scope"})
            return []
        if any(p.get("kind") in UNCLEAR for p in previous_turn(tracker)):
            dispatcher.utter_message(response="utter_offer_person")
            return []
        return tell(dispatcher, answer)

    async def _continue(self, dispatcher: CollectingDispatcher, tracker: Tracker, topic: str) -> list[EventType]:
        """"and my savings?" after a balance, "and at Uber?" after a transactions search."""
        action = self._balance if topic == "balance" else self._transactions
        customer_id, detour = await customer_or_identify(self._context, dispatcher, tracker, action.name())
        if customer_id is None:
            return detour
        if topic == "balance":
            return await self._balance.answer(dispatcher, tracker, customer_id)
        return await self._transactions.answer(dispatcher, tracker, customer_id, carry_over=True)
