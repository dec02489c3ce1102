"""The knowledge layer inside the dialogue: every answer carries its sources and kind, remembers
what it was about (so "and for the gold card?" is answered next), and an unclear question gets the
closest topics as quick-reply buttons.

``consult`` asks the knowledge layer about the latest message with the remembered topic; ``tell``
says the answer; ``declined`` says whether a message the knowledge layer cannot answer is clearly
not about banking (the NLU's own out-of-scope reading, or no FAQ anywhere near it).
"""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from starlette.concurrency import run_in_threadpool

from bot.actions.context import ActionContext
from knowledge_graph.answerer import Answer
from knowledge_graph.followups import Topic
from nlu.labels import NLU_FALLBACK, OUT_OF_SCOPE
from nlu.service import lookup_intent

TOPIC_SLOT = "knowledge_topic"
ANSWERED = frozenset({"graph", "faq", "not_offered"})


async def consult(context: ActionContext, tracker: Tracker) -> Answer:
    """The knowledge layer's answer to the latest message, read in the light of the last topic."""
    message = tracker.latest_message or {}
    intent = lookup_intent(message)
    topic = Topic.from_slot(tracker.get_slot(TOPIC_SLOT))
    return await run_in_threadpool(context.knowledge.answer, message.get("text", ""), intent,
                                   message.get("entities") or [], topic)


def tell(dispatcher: CollectingDispatcher, answer: Answer) -> list[EventType]:
    """Say the answer; a clarifying question offers its candidates as buttons."""
    buttons = [{"title": c.question, "payload": c.question} for c in answer.candidates] \
        if answer.kind == "clarify" else []
    dispatcher.utter_message(text=answer.text, buttons=buttons,
                             json_message={"sources": answer.sources, "kind": answer.kind,
                                           "result": answer.result})
    return [SlotSet(TOPIC_SLOT, answer.topic.to_slot())] if answer.topic else []


def declined(tracker: Tracker, answer: Answer, floor: float) -> bool:
    """A message nothing in the knowledge layer answers is outside banking when the NLU ranks
    out_of_scope first, or when even the closest FAQ scores under ``floor`` (bench/oos_decline.py)."""
    if answer.kind in ANSWERED:
        return False
    ranking = [r for r in (tracker.latest_message or {}).get("intent_ranking") or []
               if r.get("name") != NLU_FALLBACK]
    if ranking and ranking[0].get("name") == OUT_OF_SCOPE:
        return True
    return not answer.candidates or answer.candidates[0].score < floor


def previous_turn(tracker: Tracker) -> list[dict[str, Any]]:
    """The payloads (``custom``) of the bot's messages in the turn before this one."""
    users = [i for i, e in enumerate(tracker.events) if e.get("event") == "user"]
    if len(users) < 2:
        return []
    return [(e.get("data") or {}).get("custom") or {} for e in tracker.events[users[-2]:users[-1]]
            if e.get("event") == "bot"]


def offered(tracker: Tracker) -> str | None:
    """The offer the bot's previous turn ended with ("switch", "resume", "person"), if any."""
    offers = [p.get("offer") for p in previous_turn(tracker) if p.get("offer")]
    return offers[-1] if offers else None
