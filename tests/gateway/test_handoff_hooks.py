"""The hooks write to the gateway's real conversation store and send Rasa the right events."""
from __future__ import annotations

import pytest

from bot.conversations.store import ConversationStore
from bot.db import create_all, make_engine, make_session_factory
from bot.gateway.handoff_hooks import RasaGatewayHooks
from handoff.transcript import normalize_turn
from tests.handoff.fakes import RecordingRasa

pytestmark = pytest.mark.anyio



@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_pause_agent_turn_and_resume(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'conv.db'}")
    create_all(engine)
    store = ConversationStore(make_session_factory(engine))
    cid = store.create("web").id
    rasa = RecordingRasa()
    hooks = RasaGatewayHooks(rasa, store)

    await hooks.pause_bot(cid)
    assert store.get(cid).mode == "agent"
    await hooks.record_agent_message(cid, "Alex", "I've frozen the card.")
    [turn] = [normalize_turn(t) for t in store.turns(cid)]
    assert (turn["sender"], turn["text"]) == ("agent", "I've frozen the card.")
    await hooks.resume_bot(cid, {"card_frozen": True})
    assert store.get(cid).mode == "bot"
    assert rasa.events == [(cid, [{"event": "pause"}]),
                           (cid, [{"event": "resume"},
                                  {"event": "slot", "name": "card_frozen", "value": True}])]
    engine.dispose()
