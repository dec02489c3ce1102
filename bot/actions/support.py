"""Support questions (BANKING77 intents): answered from the knowledge base when one is loaded."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.context import ActionContext


def intent_label(intent: str) -> str:
    return intent.replace("_", " ")


def placeholder_answer(intent: str) -> str:
    """Until the knowledge base answers, say plainly what was understood."""
    return (f"I understand you're asking about {intent_label(intent)}. Detailed answers on this "
            "topic aren't available in chat yet; you can ask for a colleague at any time.")


class ActionAnswerSupport(Action):
    def __init__(self, context: ActionContext) -> None:
        self._context = context

    def name(self) -> str:
        return "action_answer_support"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name") or "your question"
        dispatcher.utter_message(text=placeholder_answer(intent))
        return []
