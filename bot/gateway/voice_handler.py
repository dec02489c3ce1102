"""The bot behind a phone call: each recognised utterance (or keypad entry) is one chat turn.

``speech.telephony_api`` calls this for every call on ``/voice/twilio/stream``; the call becomes a
conversation on the ``voice`` channel, so transcripts, hand-off and analytics treat calls like chats.
Keypad digits are collected until ``#`` (``*`` clears) and sent as one message, which is how callers
key in customer numbers and PINs.
"""
from __future__ import annotations

from starlette.concurrency import run_in_threadpool

from bot.conversations.store import Conversation, ConversationStore, UnknownConversation
from bot.gateway.turns import TurnService
from bot.gateway.voice_handoff import VoiceHandoff
from speech.twilio import CallInfo

GREETING = "Hello, you're through to the bank's virtual assistant. How can I help you today?"


class VoiceTurnHandler:
    """Maps Twilio calls to conversations and spoken turns to chat turns."""

    def __init__(self, store: ConversationStore, turns: TurnService,
                 handoff: VoiceHandoff | None = None) -> None:
        self._store = store
        self._turns = turns
        self._handoff = handoff
        self._calls: dict[str, Conversation] = {}
        self._digits: dict[str, str] = {}

    async def on_start(self, call: CallInfo) -> str:
        """A new voice conversation, or the one named by the stream's ``conversation_id``
        parameter (an app conversation continuing by voice, or ``bankbot call``)."""
        self._calls[call.stream_sid] = conversation = await run_in_threadpool(
            self._conversation, call.custom_parameters.get("conversation_id"))
        if self._handoff:
            self._handoff.follow(call, conversation.id)
        return GREETING

    def _conversation(self, conversation_id: str | None) -> Conversation:
        if conversation_id:
            try:
                conversation = self._store.get(conversation_id)
            except UnknownConversation:
                pass
            else:
                if conversation.customer_id is None:  # never resume a logged-in chat by id alone
                    return conversation
        return self._store.create("voice")

    async def on_utterance(self, call: CallInfo, text: str) -> str | None:
        conversation = self._calls.get(call.stream_sid)
        if conversation is None or not text.strip():
            return None
        # the conversation may have been bound to a customer by identification since the call began
        conversation = await run_in_threadpool(self._store.get, conversation.id)
        replies = await self._turns.handle(conversation, text.strip()[:2000], "voice")
        if self._handoff:  # a hand-off moves the call to the agents, or keeps the caller on hold
            spoken = " ".join(await self._handoff.spoken_replies(call, replies))
        else:
            spoken = " ".join(reply["text"] for reply in replies if reply.get("text"))
        return spoken or None

    async def on_dtmf(self, call: CallInfo, digit: str) -> str | None:
        if digit == "*":
            self._digits.pop(call.stream_sid, None)
            return None
        if digit != "#":
            self._digits[call.stream_sid] = self._digits.get(call.stream_sid, "") + digit
            return None
        keyed = self._digits.pop(call.stream_sid, "")
        return await self.on_utterance(call, keyed) if keyed else None

    async def on_end(self, call: CallInfo, reason: str) -> None:
        self._calls.pop(call.stream_sid, None)
        self._digits.pop(call.stream_sid, None)
        if self._handoff:
            await self._handoff.stop(call)
