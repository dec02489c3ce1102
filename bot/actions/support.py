"""Support questions (BANKING77 intents, product questions): answered from the knowledge base.

The answer's source ids travel with the reply (``custom.sources``) so the customer sees where it
came from and the transcript keeps them; what it was about is kept for a follow-up question. A
question about a task the bot can do ("my wallet was stolen, what do I do?") is answered, then the
bot offers to do it; a logged-in customer asking about their own payments in a period ("my mortgage
payment last month") gets their transactions, not the product.
"""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.common import entities
from bot.actions.context import ActionContext
from bot.actions.knowledge import consult, tell
from bot.actions.tasks import offer_task
from bot.actions.transactions import ActionSearchTransactions, own_payments_named


class ActionAnswerSupport(Action):
    def __init__(self, context: ActionContext) -> None:
        self._context = context

    def name(self) -> str:
        return "action_answer_support"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        customer_id = await self._context.customer_id(tracker)
        if customer_id is not None and entities(tracker, "date_range") + entities(tracker, "date") and \
                await own_payments_named(self._context, tracker, customer_id, words_too=True):
            # "how much was my mortgage payment last month?": their own payments, not the product
            return await ActionSearchTransactions(self._context).answer(dispatcher, tracker, customer_id)
        events = tell(dispatcher, await consult(self._context, tracker))
        return [*events, *offer_task(self._context, dispatcher, tracker)]
