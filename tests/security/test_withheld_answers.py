"""A secret typed where the bot asked for one reaches neither Rasa nor the transcript, even when
the previous message was never read because Rasa was down: before this fix the gateway looked
only at the very last customer message, found no question there and sent the PIN in clear."""
from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx

from bot.conversations.store import ConversationStore, NewTurn
from bot.conversations.tokens import TokenStore
from bot.db import create_all, make_engine, make_session_factory
from bot.gateway.turns import Secrets, TurnService
from bot.rasa.client import RasaClient
from bot.security.sources import TurnSources
from bot.security.vault import SecretVault

PIN_QUESTION = {"requested_slot": "identity_secret", "intent": {"name": "inform", "confidence": 1.0}}


class FlakyRasa:
    """A named fake of Rasa's HTTP API: down for the first message, then up; records what it got."""

    def __init__(self) -> None:
        self.received: list[str] = []
        self.down = True

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            self.down = False
            return httpx.Response(503)
        if request.url.path == "/webhooks/rest/webhook":
            self.received.append(json.loads(request.content)["message"])
            return httpx.Response(200, json=[{"recipient_id": "c", "text": "Thank you."}])
        return httpx.Response(200, json={"latest_message": {"intent": {"name": "inform"}}, "slots": {}})


def test_a_pin_sent_again_after_an_outage_is_still_withheld(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    create_all(engine)
    sessions = make_session_factory(engine)
    store = ConversationStore(sessions)
    conversation = store.create("rest")
    store.append(conversation.id, [NewTurn("customer", "what's my balance", "rest", nlu=PIN_QUESTION),
                                   NewTurn("bot", "What's your date of birth or your 4-digit PIN?", "rest")])
    fake = FlakyRasa()
    rasa = RasaClient("http://rasa.test", 5, "internal-token")
    rasa._http = httpx.AsyncClient(base_url="http://rasa.test", transport=httpx.MockTransport(fake))
    vault = SecretVault(held_for_s=600)
    turns = TurnService(store, rasa, secrets=Secrets(vault, {"identity_secret": "[PIN or date of birth]"},
                                                     TokenStore(sessions, 3600), TurnSources()))

    async def run() -> None:
        await turns.handle(conversation, "4821", "rest")  # Rasa is down: "send it again"
        await turns.handle(conversation, "4821", "rest")  # sent again, Rasa is back
        await rasa.close()
    asyncio.run(run())

    assert fake.received and all(vault.reveal(said) == "4821" and "4821" not in said for said in fake.received)
    kept = [t.text for t in store.turns(conversation.id) if t.speaker == "customer"]
    assert "4821" not in kept and kept.count("[PIN or date of birth]") == 2
    engine.dispose()
