"""The bot behind a phone call: each recognised utterance (or keypad entry) is one chat turn.

``speech.telephony_api`` calls this for every call on ``/voice/twilio/stream``; the call becomes a
conversation on the ``voice`` channel, so transcripts, hand-off and analytics treat calls like chats.
Keypad digits are collected until ``#`` (``*`` clears) and sent as one message, which is how callers
key in customer numbers and PINs; the one exception is the 1-5 satisfaction question, answered by a
single key. A reply marked as the end of the conversation is spoken, then the call hangs up.
"""
from __future__ import annotations

from starlette.concurrency import run_in_threadpool

from bot.analytics.survey import END
from bot.conversations.store import Conversation, ConversationStore, UnknownConversation
from bot.gateway.turns import TurnService
from bot.gateway.voice_handoff import VoiceHandoff
from speech.twilio import CallInfo, Reply

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
        self._one_key: set[str] = set()  # calls asked for a 1-5 score: the next key is the answer

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

    async def on_utterance(self, call: CallInfo, text: str) -> str | Reply | None:
        self._one_key.discard(call.stream_sid)
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
        last = (replies[-1].get("custom") or {}) if replies else {}
        if (last.get("survey") or {}).get("step") == "csat":
            self._one_key.add(call.stream_sid)
        return Reply(spoken, end_call=True) if spoken and last.get(END) else spoken or None

    async def on_dtmf(self, call: CallInfo, digit: str) -> str | Reply | None:
        if digit.isdigit() and call.stream_sid in self._one_key:
            return await self.on_utterance(call, digit)
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
        self._one_key.discard(call.stream_sid)
        if self._handoff:
            await self._handoff.stop(call)
