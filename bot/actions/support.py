"""Support questions (BANKING77 intents and free questions): answered from the knowledge base.

The answer's source ids travel with the reply (``custom.sources``) so the customer sees where it
came from and the transcript keeps them.
"""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from starlette.concurrency import run_in_threadpool

from bot.actions.context import ActionContext


class ActionAnswerSupport(Action):
    def __init__(self, context: ActionContext) -> None:
        self._context = context

    def name(self) -> str:
        return "action_answer_support"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        message = tracker.latest_message
        intent = (message.get("intent") or {}).get("name")
        answer = await run_in_threadpool(self._context.knowledge.answer, message.get("text", ""),
                                         intent, message.get("entities") or [])
        dispatcher.utter_message(text=answer.text,
                                 json_message={"sources": answer.sources, "kind": answer.kind})
        return []
