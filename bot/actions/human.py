"""The customer asks for a person: acknowledge in one step, no "are you sure" loop.

The reply is marked as a request for a person (``custom.kind``), so the gateway's hand-off gate
sees it in the same turn whatever the words were ("yes" to the bot's offer of a colleague), pauses
Rasa and queues the conversation; the queue notice (reason, position, wait) follows this reply.
"""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.context import ActionContext

ACKNOWLEDGE = "Of course, I'm bringing in one of my colleagues."
HUMAN_REQUEST = "human_request"  # the reply kind the hand-off triggers read as a request for a person


class ActionRequestHuman(Action):
    def __init__(self, context: ActionContext) -> None:
        self._context = context

    def name(self) -> str:
        return "action_request_human"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=ACKNOWLEDGE, json_message={"kind": HUMAN_REQUEST})
        return [ActiveLoop(None)] if tracker.active_loop.get("name") else []
