"""A bare detail after an answer ("and my savings?", "what about at Tesco?") continues the last
topic with the earlier context kept; such short follow-ups often parse below the NLU threshold,
so a low-confidence message with a detail in it continues too, and anything else is asked again."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.balance import ActionCheckBalance
from bot.actions.common import intent
from bot.actions.context import ActionContext
from bot.actions.gate import customer_or_identify
from bot.actions.transactions import ActionSearchTransactions

TRANSFER_GUESS = 0.15
DETAILS = {"account", "merchant", "date", "date_range", "amount"}
UNCLEAR = "What would you like me to do with that? I can check balances, show transactions or make a transfer."


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

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        topic = tracker.get_slot("last_topic")
        details = any(e.get("entity") in DETAILS for e in (tracker.latest_message or {}).get("entities") or [])
        if intent(tracker) == "nlu_fallback" and self._looks_like_a_transfer(tracker):
            return [FollowupAction("transfer_form")]
        if intent(tracker) == "nlu_fallback" and not (topic and details):
            dispatcher.utter_message(response="utter_please_rephrase")
            return []
        if topic not in ("balance", "transactions"):
            dispatcher.utter_message(text=UNCLEAR)
            return []
        action = self._balance if topic == "balance" else self._transactions
        customer_id, detour = await customer_or_identify(self._context, dispatcher, tracker, action.name())
        if customer_id is None:
            return detour
        if topic == "balance":
            return await self._balance.answer(dispatcher, tracker, customer_id)
        return await self._transactions.answer(dispatcher, tracker, customer_id, carry_over=True)
