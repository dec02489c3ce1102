"""A short template summary of a conversation for the agent who picks it up.

Agents read this before the transcript, so it answers four questions in four lines: who, what
they wanted, what the bot did, what failed. Template-based on purpose: predictable and offline.
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Iterable

from handoff.transcript import normalize_turn, turn_field

_NOT_A_NEED = {"greet", "goodbye", "thanks", "affirm", "deny", "nlu_fallback", "out_of_scope",
               "human_agent", "inform", "bot_challenge", "cancel"}
_FAILED = {"nlu_fallback", "out_of_scope"}


def _humanize(intent: str) -> str:
    return intent.replace("_", " ")


def _entities(turns: list[dict[str, Any]]) -> list[str]:
    seen: dict[str, str] = {}
    for t in turns:
        for e in t["entities"]:
            name, value = turn_field(e, "entity"), turn_field(e, "value")
            if name and value is not None:
                seen[str(name)] = str(value)
    return [f"{k}={v}" for k, v in seen.items()]


def summarize(transcript: Iterable[Any], *, customer: str | None = None, channel: str = "chat",
              reason: str | None = None) -> str:
    """Four lines (who / wanted / bot did / failed) from the transcript's turns, oldest first."""
    turns = [normalize_turn(t) for t in transcript]
    user = [t for t in turns if t["sender"] == "user"]
    bot = [t for t in turns if t["sender"] == "bot"]
    needs = [t["intent"] for t in user if t["intent"] and t["intent"] not in _NOT_A_NEED]
    wanted = ", ".join(_humanize(i) for i, _ in Counter(needs).most_common(3)) or "not stated"
    ents = _entities(user)
    if ents:
        wanted += f" ({', '.join(ents)})"
    actions = [t["action"] for t in bot if t["action"] and t["action"].startswith("action_")]
    did = f"{len(bot)} replies"
    if actions:
        did += "; ran " + ", ".join(dict.fromkeys(actions))
    failures = sum(1 for t in user if t["intent"] in _FAILED)
    peak = max((float(t["frustration"] or 0.0) for t in user), default=0.0)
    failed = f"{failures} not understood" if failures else "nothing misunderstood"
    failed += f"; peak frustration {peak:.2f}"
    if reason:
        failed += f"; handed off: {reason}"
    who = f"{customer or 'unverified customer'} via {channel}, {len(user)} messages"
    return f"Who: {who}\nWanted: {wanted}\nBot did: {did}\nFailed: {failed}"
