"""Support questions (BANKING77 intents, product questions): answered from the knowledge base.

The answer's source ids travel with the reply (``custom.sources``) so the customer sees where it
came from and the transcript keeps them; what it was about is kept for a follow-up question. A
question about a task the bot can do ("my wallet was stolen, what do I do?") is answered, then the
bot offers to do it.
"""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.context import ActionContext
from bot.actions.knowledge import consult, tell
from bot.actions.tasks import offer_task


class ActionAnswerSupport(Action):
    def __init__(self, context: ActionContext) -> None:
        self._context = context

    def name(self) -> str:
        return "action_answer_support"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        events = tell(dispatcher, await consult(self._context, tracker))
        return [*events, *offer_task(self._context, dispatcher, tracker)]
