"""Reading the gateway's transcript without importing the gateway.

``TranscriptReader`` is the one thing hand-off needs from the transcript store. Turns may be
mappings or objects, flat (``sender``, ``intent``, ``frustration``) or shaped like the gateway's
store (``speaker`` plus an ``nlu`` Rasa parse); ``normalize_turn`` turns either into one flat dict.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Protocol, runtime_checkable

from handoff.triggers import ConversationWindow, Turn

_SENDERS = {"customer": "user", "user": "user", "bot": "bot", "agent": "agent", "system": "system"}


@runtime_checkable
class TranscriptReader(Protocol):
    """Reads one conversation's turns, oldest first."""

    def turns(self, conversation_id: str) -> Iterable[Any]: ...


def turn_field(turn: Any, name: str, default: Any = None) -> Any:
    """A field of a mapping or attribute object."""
    if isinstance(turn, Mapping):
        return turn.get(name, default)
    return getattr(turn, name, default)


def parse_fields(parse: Mapping[str, Any] | None) -> dict[str, Any]:
    """Intent, confidence, entities, sentiment label and frustration from a Rasa parse result
    (sentiment may be a label or a mapping with ``label`` and ``frustration``)."""
    parse = parse or {}
    intent = parse.get("intent")
    name, confidence = (intent.get("name"), intent.get("confidence")) if isinstance(intent, Mapping) \
        else (intent, parse.get("confidence"))
    sentiment = parse.get("sentiment")
    label = sentiment.get("label") if isinstance(sentiment, Mapping) else sentiment
    frustration = parse.get("frustration")
    if frustration is None and isinstance(sentiment, Mapping):
        frustration = sentiment.get("frustration")
    return {"intent": name, "confidence": confidence, "entities": list(parse.get("entities") or []),
            "sentiment": label, "frustration": frustration}


def normalize_turn(turn: Any) -> dict[str, Any]:
    """One flat, JSON-ready turn: sender (user/bot/agent/system), text, intent, confidence,
    entities, sentiment, frustration, timestamp, action."""
    nlu = turn_field(turn, "nlu")
    fields = parse_fields(nlu) if isinstance(nlu, Mapping) else {}
    for name in ("intent", "confidence", "entities", "sentiment", "frustration"):
        value = turn_field(turn, name)
        if value is not None:
            fields[name] = value
    meta = turn_field(turn, "meta") or {}
    sender = turn_field(turn, "sender") or turn_field(turn, "speaker") or "bot"
    stamp = turn_field(turn, "timestamp") or turn_field(turn, "created_at")
    return {"sender": _SENDERS.get(str(sender), str(sender)), "text": turn_field(turn, "text", ""),
            "intent": fields.get("intent"), "confidence": fields.get("confidence"),
            "entities": list(fields.get("entities") or []), "sentiment": fields.get("sentiment"),
            "frustration": fields.get("frustration"),
            "timestamp": stamp.isoformat() if hasattr(stamp, "isoformat") else stamp,
            "action": turn_field(turn, "action") or (meta.get("action") if isinstance(meta, Mapping) else None)}


def turn_from_parse(parse: Mapping[str, Any], text: str = "") -> Turn:
    """A trigger ``Turn`` from the NLU's Rasa-format parse of one customer message."""
    f = parse_fields(parse)
    return Turn(intent=f["intent"] or "nlu_fallback", confidence=float(f["confidence"] or 0.0),
                entities=tuple(f["entities"]), frustration=float(f["frustration"] or 0.0),
                sentiment=f["sentiment"], text=text or str(parse.get("text", "")))


def reply_kind(turn: Any) -> str | None:
    """What a bot reply says it did (``custom.kind``: graph, faq, clarify, out_of_scope, ...)."""
    meta = turn_field(turn, "meta") or {}
    custom = meta.get("custom") if isinstance(meta, Mapping) else None
    kind = custom.get("kind") if isinstance(custom, Mapping) else None
    return str(kind) if kind else None


def recent_window(transcript: Iterable[Any], *, last: int = 6, auth_locked: bool = False,
                  language: str = "en", customer_tier: str = "standard") -> ConversationWindow:
    """The trigger input from a transcript: the customer's last ``last`` turns, each with what the
    bot's reply to it did (its ``outcome``), when the reply says."""
    users: list[tuple[dict[str, Any], str | None]] = []
    for turn in transcript:
        flat = normalize_turn(turn)
        if flat["sender"] == "user":
            users.append((flat, None))
        elif flat["sender"] == "bot" and users and users[-1][1] is None:
            users[-1] = (users[-1][0], reply_kind(turn))
    turns = [Turn(intent=t["intent"] or "nlu_fallback", confidence=float(t["confidence"] or 0.0),
                  entities=tuple(t["entities"]), frustration=float(t["frustration"] or 0.0),
                  sentiment=t["sentiment"], text=t["text"] or "", outcome=outcome)
             for t, outcome in users[-last:]]
    return ConversationWindow(turns, auth_locked, language, customer_tier)
