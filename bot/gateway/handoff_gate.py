"""Where the gateway meets the human side: relay to an agent, or decide to hand off.

While a hand-off is open, customer messages go to the agent and never to Rasa (no double
replies). After every bot turn, the hand-off triggers look at the recent transcript (explicit
request, risky intent, frustration, repeated fallbacks); when one fires, Rasa is paused and the
conversation queued, and the customer is told why, where they are in the queue and how long.
While still waiting, the two ways out the queue notice offers work from any channel: the word
"cancel" goes back to the bot, and asking to be called on a number leaves a callback request.
"""
from __future__ import annotations

import re
from typing import Any

from starlette.concurrency import run_in_threadpool

from bot.bankcore.port import BankCore, UnknownCustomer
from bot.conversations.store import Conversation, ConversationStore, NewTurn, Turn
from bot.gateway.handoff_hooks import RasaGatewayHooks
from bot.observability.masked_transcripts import mask_turn
from handoff.desk import HandoffDesk
from handoff.follow_ups import specialist_follow_up
from handoff.notices import callback_notice, handed_back_notice, queue_notice
from handoff.queue import is_phone_number
from handoff.transcript import recent_window
from handoff.triggers import decide

_CANCEL_WORDS = frozenset({"cancel", "'cancel'"})  # what the queue notices tell customers to type
_PHONE_IN_TEXT = re.compile(r"\+?\d[\d ()-]{4,22}\d")
_CALL_ME = re.compile(r"\b(call|ring)", re.IGNORECASE)  # "call me on ...", "callback", "ring me"


def outside_forms(transcript: list[Turn], human_intents: frozenset[str]) -> list[Turn]:
    """The transcript without the customer's answers to a form's questions.

    A customer number, PIN or payee name typed while a form asks for it is not an intent and
    often parses as a fallback; only a request for a person counts from inside a form.
    """
    kept: list[Turn] = []
    form_running = None
    for turn in transcript:
        if turn.speaker != "customer":
            kept.append(turn)
            continue
        nlu = turn.nlu or {}
        intent = (nlu.get("intent") or {}).get("name")
        if not form_running or intent in human_intents:
            kept.append(turn)
        form_running = nlu.get("active_loop")
    return kept


class HandoffGate:
    """The gateway's two questions to the hand-off desk, asked on every customer message."""

    def __init__(self, desk: HandoffDesk, hooks: RasaGatewayHooks, store: ConversationStore,
                 bank: BankCore) -> None:
        self._desk = desk
        self._hooks = hooks
        self._store = store
        self._bank = bank

    @property
    def desk(self) -> HandoffDesk:
        return self._desk

    async def relay_to_agent(self, conversation: Conversation, text: str,
                             channel: str) -> list[dict[str, Any]] | None:
        """Record and relay the message when a person has (or is about to take) the conversation.

        Returns None when no hand-off is open (the bot answers), else the replies to show: none
        for a relayed message, a notice when a waiting customer typed "cancel" or asked to be
        called on a number.
        """
        entry = await run_in_threadpool(self._desk.queue.open_for, conversation.id)
        if entry is None:
            return None
        if entry.agent_id is None:
            notice = await self._typed_way_out(conversation, text, channel)
            if notice is not None:
                return [{"recipient_id": conversation.id, "text": notice}]
        turn = NewTurn("customer", text, channel, meta={"to": "agent"})
        await run_in_threadpool(self._store.append, conversation.id, [turn])
        await self._desk.customer_message(conversation.id, text, {"text": text, "channel": channel})
        return []

    async def back_to_bot(self, conversation: Conversation, channel: str) -> str | None:
        """The customer leaves the queue or the agent; Rasa resumes. Returns what to tell them,
        or None when no hand-off was open."""
        if not await self._desk.cancel(conversation.id):
            return None
        return await self._tell(conversation, handed_back_notice(self._desk.policy), channel,
                                "cancelled")

    async def leave_callback(self, conversation: Conversation, channel: str, phone: str,
                             preferred_time: str = "", note: str = "") -> tuple[int, str] | None:
        """Close the wait with a callback request; returns its id and what to tell the customer,
        or None when no hand-off was open. A bad number raises ValueError and changes nothing."""
        if not is_phone_number(phone):
            raise ValueError("give a phone number: digits, spaces, brackets or dashes")
        if not await self._desk.with_human(conversation.id):
            return None
        callback_id = await self._desk.request_callback(conversation.id, phone.strip(),
                                                        preferred_time[:64], note)
        text = await self._tell(conversation, callback_notice(preferred_time[:64], self._desk.policy),
                                channel, "callback")
        return callback_id, text

    async def _typed_way_out(self, conversation: Conversation, text: str, channel: str) -> str | None:
        """'cancel', or "call me" with a number, typed while waiting; None for anything else (an
        account or card number given for the agent is relayed like any message)."""
        words = text.strip().lower().rstrip(".!")
        phone = _PHONE_IN_TEXT.search(text)
        wants_call = bool(phone and is_phone_number(phone.group()) and _CALL_ME.search(text))
        if words not in _CANCEL_WORDS and not wants_call:
            return None
        said = NewTurn("customer", text, channel, meta={"to": "handoff"})
        await run_in_threadpool(self._store.append, conversation.id, [said])
        if words in _CANCEL_WORDS:
            told = await self.back_to_bot(conversation, channel)
        else:  # the whole message is the note: it says when to call, in the customer's words
            done = await self.leave_callback(conversation, channel, phone.group(), note=text)
            told = done[1] if done else None
        return told or handed_back_notice(self._desk.policy)  # closed meanwhile: back with the bot

    async def _tell(self, conversation: Conversation, text: str, channel: str, what: str) -> str:
        await run_in_threadpool(self._store.append, conversation.id,
                                [NewTurn("system", text, channel, meta={"handoff": what})])
        return text

    async def after_bot_turn(self, conversation: Conversation, channel: str) -> dict[str, Any] | None:
        """Escalate when a trigger fires; returns the queue notice to show the customer."""
        if await self._desk.with_human(conversation.id):
            return None
        transcript = await run_in_threadpool(self._store.turns, conversation.id)
        policy = self._desk.policy
        customer_turns = [t for t in transcript if t.speaker == "customer"]
        locked = bool(customer_turns and (customer_turns[-1].nlu or {}).get("locked_out"))
        window = recent_window(outside_forms(transcript, policy.human_request_intents),
                               auth_locked=locked)
        decision = specialist_follow_up(transcript, policy, window.language) or decide(window, policy)
        if decision is None:
            return None
        name, tier = await run_in_threadpool(self._customer, conversation.customer_id)
        await self._hooks.pause_bot(conversation.id)
        masked = [mask_turn(turn) for turn in transcript]
        status = await self._desk.escalate(  # agents read the summary: no card numbers or PINs
            conversation.id, decision, transcript=masked, customer=name,
            customer_id=conversation.customer_id, channel=channel, customer_tier=tier)
        notice = queue_notice(status, self._desk.policy, decision.reason)
        await run_in_threadpool(self._store.append, conversation.id, [NewTurn(
            "system", notice, channel, meta={"handoff": decision.reason, "detail": decision.detail})])
        return {"recipient_id": conversation.id, "text": notice,
                "custom": {"handoff": {"reason": decision.reason, "entry_id": status.entry_id,
                                       "position": status.position,
                                       "estimated_wait_s": status.estimated_wait_s,
                                       "in_hours": status.in_hours}}}

    def _customer(self, customer_id: int | None) -> tuple[str | None, str]:
        if customer_id is None:
            return None, "standard"
        try:
            customer = self._bank.get_customer(customer_id)
        except UnknownCustomer:
            return None, "standard"
        return customer.full_name, customer.tier
