"""What a hand-off to a person means on a phone call.

The hand-off itself is the same as in chat (``HandoffGate`` pauses Rasa and queues the
conversation with its masked transcript on the ``voice`` channel). On a call two things differ:

- the call is moved to the agents through the ``CallTransfer`` port (Twilio's call update when
  configured); the caller hears a short spoken notice instead of the chat's "keep typing" text;
- when it cannot be moved (no telephony credentials, or Twilio refused), the caller stays on the
  line: the conversation waits in the agent console queue, and what the agent types there, the
  agent joining and the hand-back are spoken to the caller. What the caller says meanwhile reaches
  the agent as text, through the same relay as chat.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from bot.gateway.call_transfer import CallTransfer
from handoff.customer_feed import for_customer
from handoff.desk import HandoffDesk
from speech.twilio import CallInfo

log = logging.getLogger(__name__)

TRANSFERRING = "I'm transferring you to a colleague now."
ON_HOLD = "I'm connecting you to a colleague. Please stay on the line; they will speak to you here."
NOBODY_NOW = ("No colleague is free to take your call right now. Your request and what you've said "
              "are with our team; please stay on the line to wait, or call back later.")
# bot_message: the satisfaction question the desk asks once an agent resolved the call
SPOKEN_EVENTS = frozenset({"agent_message", "agent_joined", "handed_back", "resolved", "bot_message"})


def handoff_of(replies: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The hand-off facts the gateway attached to this turn's replies, if it handed off."""
    for reply in replies:
        handoff = (reply.get("custom") or {}).get("handoff")
        if handoff:
            return handoff
    return None


class VoiceHandoff:
    """Transfers handed-off calls and voices the agent side of calls that stay on the line."""

    def __init__(self, desk: HandoffDesk, transfer: CallTransfer) -> None:
        self._desk = desk
        self._transfer = transfer
        self._followers: dict[str, asyncio.Task] = {}

    async def spoken_replies(self, call: CallInfo, replies: list[dict[str, Any]]) -> list[str]:
        """The texts the caller hears for this turn; transfers the call when it was handed off."""
        texts = [reply["text"] for reply in replies
                 if reply.get("text") and not (reply.get("custom") or {}).get("handoff")]
        handoff = handoff_of(replies)
        if handoff is None:
            return texts
        if await self._transfer.transfer(call.call_sid):
            return texts + [TRANSFERRING]
        if call.line is not None:
            call.line.hold(True)  # waiting for a person: silence is expected, no reprompts
        staffed = handoff.get("in_hours", True) and handoff.get("estimated_wait_s") is not None
        return texts + [ON_HOLD if staffed else NOBODY_NOW]

    def follow(self, call: CallInfo, conversation_id: str) -> None:
        """Speak agent messages, joins and hand-backs for this conversation until ``stop``."""
        if call.line is not None:
            self._followers[call.stream_sid] = asyncio.create_task(
                self._relay(call, conversation_id), name=f"voice-handoff-{call.stream_sid}")

    async def stop(self, call: CallInfo) -> None:
        task = self._followers.pop(call.stream_sid, None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _relay(self, call: CallInfo, conversation_id: str) -> None:
        async with self._desk.customer_events(conversation_id) as subscription:
            async for event in subscription:
                if event.get("type") not in SPOKEN_EVENTS:
                    continue  # queue positions every few seconds are for screens, not ears
                if event["type"] in ("handed_back", "resolved"):
                    call.line.hold(False)
                payload = for_customer(event, self._desk.policy)
                if payload and payload.get("text"):
                    await call.line.say(payload["text"])
