"""Whether a conversation turn should go to a human, and why.

Pure functions over a small window of recent turns, so the gateway, the Rasa action and the tests
all ask the same question the same way. What counts as risky lives in ``policy.yml``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from handoff.policy import HandoffPolicy


@dataclass(frozen=True)
class Turn:
    """One customer turn as the NLU saw it."""

    intent: str
    confidence: float = 1.0
    entities: tuple[dict, ...] = ()
    frustration: float = 0.0
    sentiment: str | None = None
    text: str = ""
    outcome: str | None = None  # what the bot's reply did (``custom.kind``): answered, clarify, ...


@dataclass(frozen=True)
class ConversationWindow:
    """The recent turns (oldest first) plus the conversation facts a trigger needs."""

    turns: Sequence[Turn]
    auth_locked: bool = False
    language: str = "en"
    customer_tier: str = "standard"


@dataclass(frozen=True)
class HandoffDecision:
    """Why a conversation goes to a person, which skills the agent needs, and extra urgency."""

    reason: str
    skills: tuple[str, ...]
    priority_boost: float = 0.0
    detail: str = ""
    language: str = field(default="en")


HUMAN_REQUEST = "human_request"
FRUSTRATION = "frustration"
# reply kinds that mean the bot did not understand (a clarifying question, the offer of a person)
NOT_UNDERSTOOD = frozenset({"clarify", "offer_person"})
DECLINED = "out_of_scope"  # a question outside banking, politely declined: understood, not a miss
REPEATED_FALLBACK = "repeated_fallback"
RISK = "risk"
LOCKOUT = "auth_lockout"


def topic_skill(window: ConversationWindow, policy: HandoffPolicy) -> str:
    """The skill matching the latest real need in the window (``general`` when none matches)."""
    skip = policy.fallback_intents | policy.human_request_intents
    for turn in reversed(window.turns):
        if turn.intent in skip:
            continue
        for fragment, skill in policy.topic_skills.items():
            if fragment in turn.intent:
                return skill
    return "general"


def _skills(primary: Sequence[str], window: ConversationWindow) -> tuple[str, ...]:
    return tuple(dict.fromkeys([*primary, f"lang:{window.language}"]))


def signal_intent(text: str, policy: HandoffPolicy) -> str | None:
    """A sensitive situation named in the text itself (bereavement, vulnerability), if any."""
    lowered = text.lower()
    for intent, phrases in policy.signal_phrases.items():
        if any(p in lowered for p in phrases):
            return intent
    return None


def frustration_rising(frustrations: Sequence[float], policy: HandoffPolicy) -> bool:
    """True when the last N scores climb strictly, by enough in total, to a high enough level."""
    n = policy.rising_turns
    if n < 2 or len(frustrations) < n:
        return False
    tail = list(frustrations)[-n:]
    climbing = all(b > a for a, b in zip(tail, tail[1:]))
    return climbing and tail[-1] - tail[0] >= policy.rising_min_delta and tail[-1] >= policy.rising_floor


def missed(turn: Turn, policy: HandoffPolicy) -> bool:
    """The bot did not understand this turn: its reply asked to clarify, or, when the reply does not
    say what it did, the NLU could not place the message. A low-confidence message the knowledge
    layer answered, or a non-banking one politely declined, is no miss."""
    if turn.outcome is not None:
        return turn.outcome in NOT_UNDERSTOOD
    return turn.intent in policy.fallback_intents


def repeated_fallbacks(turns: Sequence[Turn], policy: HandoffPolicy) -> bool:
    """True when the last ``fallbacks_in_a_row`` turns all failed to understand the customer."""
    n = policy.fallbacks_in_a_row
    return n > 0 and len(turns) >= n and all(missed(t, policy) for t in turns[-n:])


def decide(window: ConversationWindow, policy: HandoffPolicy) -> HandoffDecision | None:
    """The hand-off decision for the latest turn, or None to let the bot carry on.

    Order matters only for the recorded reason and skills: a locked-out or at-risk customer is
    routed to the specialist even if they also asked for "a person".
    """
    if window.auth_locked:
        return HandoffDecision(LOCKOUT, _skills(policy.lockout.skills, window),
                               policy.lockout.boost, "authentication locked", window.language)
    if not window.turns:
        return None
    last = window.turns[-1]
    risky = last.intent if last.intent in policy.risky_intents else signal_intent(last.text, policy)
    if risky and risky in policy.risky_intents:
        rule = policy.risky_intents[risky]
        return HandoffDecision(RISK, _skills(rule.skills, window), rule.boost, risky, window.language)
    topic = _skills([topic_skill(window, policy)], window)
    if last.intent in policy.human_request_intents or last.outcome == HUMAN_REQUEST:
        return HandoffDecision(HUMAN_REQUEST, topic, 0.0, "customer asked for a person", window.language)
    if last.outcome == DECLINED:  # a question that was merely outside banking is never escalated
        return None
    scores = [t.frustration for t in window.turns]
    if last.frustration >= policy.frustration_threshold:
        return HandoffDecision(FRUSTRATION, topic, 0.0, f"frustration {last.frustration:.2f}",
                               window.language)
    if frustration_rising(scores, policy):
        return HandoffDecision(FRUSTRATION, topic, 0.0, "frustration rising", window.language)
    if repeated_fallbacks(window.turns, policy):
        return HandoffDecision(REPEATED_FALLBACK, topic, 0.0,
                               f"{policy.fallbacks_in_a_row} fallbacks in a row", window.language)
    return None
