"""What custom actions may reach: the ports, never the web layer."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Tracker
from starlette.concurrency import run_in_threadpool

from bot.actions.language import DialogueLanguage
from bot.bankcore.policy import BankPolicy
from bot.bankcore.port import BankCore
from bot.conversations.store import ConversationStore, UnknownConversation
from bot.security.attempts import AttemptGuard
from bot.security.sources import TurnSources
from bot.security.vault import SecretVault
from bot.settings import PROJECT_ROOT

DEFAULT_LANGUAGE = PROJECT_ROOT / "data" / "language" / "en.yml"


@dataclass(frozen=True)
class ActionContext:
    """Ports shared by all actions; built once by the app factory."""

    bank: BankCore
    conversations: ConversationStore
    knowledge: Any | None = None
    language: DialogueLanguage = field(default_factory=lambda: DialogueLanguage.load(DEFAULT_LANGUAGE))
    task_forms: dict[str, str] = field(default_factory=dict)  # intent -> the form it starts (rules.yml)
    support_intents: frozenset[str] = frozenset()  # questions the knowledge layer answers
    vault: SecretVault = field(default_factory=lambda: SecretVault(held_for_s=600))
    identity_attempts: AttemptGuard | None = None  # lock-outs per customer number and source
    sources: TurnSources = field(default_factory=TurnSources)  # where each turn in flight came from
    bank_policy: BankPolicy = field(default_factory=BankPolicy.load)  # data/bank/policy.yml

    async def customer_id(self, tracker: Tracker) -> int | None:
        """The authenticated customer of this conversation (the gateway's record, not a slot)."""
        try:
            conversation = await run_in_threadpool(self.conversations.get, tracker.sender_id)
        except UnknownConversation:
            return None
        return conversation.customer_id
