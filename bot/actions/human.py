"""The customer asks for a person: hand the conversation to the agent queue."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.context import ActionContext

NO_QUEUE = ("I can't transfer chats to a colleague from here yet. You can reach our team by "
            "phone at any time; I'm happy to keep helping meanwhile.")


class ActionRequestHuman(Action):
    def __init__(self, context: ActionContext) -> None:
        self._context = context

    def name(self) -> str:
        return "action_request_human"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=NO_QUEUE)
        return []
