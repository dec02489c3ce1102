"""What custom actions may reach: the ports, never the web layer."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker
from starlette.concurrency import run_in_threadpool

from bot.bankcore.port import BankCore
from bot.conversations.store import ConversationStore, UnknownConversation


@dataclass(frozen=True)
class ActionContext:
    """Ports shared by all actions; built once by the app factory."""

    bank: BankCore
    conversations: ConversationStore
    knowledge: Any | None = None

    async def customer_id(self, tracker: Tracker) -> int | None:
        """The authenticated customer of this conversation (the gateway's record, not a slot)."""
        try:
            conversation = await run_in_threadpool(self.conversations.get, tracker.sender_id)
        except UnknownConversation:
            return None
        return conversation.customer_id
