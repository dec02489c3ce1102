"""Where the gateway meets the human side: relay to an agent, or decide to hand off.

While a hand-off is open, customer messages go to the agent and never to Rasa (no double
replies). After every bot turn, the hand-off triggers look at the recent transcript (explicit
request, risky intent, frustration, repeated fallbacks); when one fires, Rasa is paused and the
conversation queued, and the customer is told why, where they are in the queue and how long.
"""
from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool

from bot.bankcore.port import BankCore, UnknownCustomer
from bot.conversations.store import Conversation, ConversationStore, NewTurn, Turn
from bot.observability.masked_transcripts import mask_turn
from handoff.desk import HandoffDesk
from handoff.gateway_hooks import RasaGatewayHooks
from handoff.notices import queue_notice
from handoff.transcript import recent_window
from handoff.triggers import decide


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

    async def relay_to_agent(self, conversation: Conversation, text: str, channel: str) -> bool:
        """Record and relay the message when a person has (or is about to take) the conversation."""
        if not await self._desk.with_human(conversation.id):
            return False
        turn = NewTurn("customer", text, channel, meta={"to": "agent"})
        await run_in_threadpool(self._store.append, conversation.id, [turn])
        await self._desk.customer_message(conversation.id, text, {"text": text, "channel": channel})
        return True

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
        decision = decide(window, policy)
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
