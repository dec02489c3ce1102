"""A dispute case is opened by the bot, then the gateway hands the conversation to a disputes
specialist (reason "dispute", the case reference in the agent's summary).

Real parts: the gateway's conversation store and hand-off gate, the desk and queue on SQLite, the
demo bank and the dispute action itself. Rasa is the only stand-in (``RecordingRasa``).
"""
from __future__ import annotations

from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.context import ActionContext
from bot.actions.disputes import ActionOpenDispute
from bot.bankcore.seed import seed_demo_bank
from bot.bankcore.sql_bankcore import SqlBankCore
from bot.conversations.store import ConversationStore, NewTurn
from bot.db import create_all, make_engine, make_session_factory
from bot.gateway.handoff_gate import HandoffGate
from bot.gateway.handoff_hooks import RasaGatewayHooks
from bot.gateway.turns import fold_custom
from bot.settings import PROJECT_ROOT
from handoff.agents import AgentDirectory
from handoff.audit import AuditLog
from handoff.desk import HandoffDesk
from handoff.events import InProcessBus
from handoff.follow_ups import follow_up_marker, specialist_follow_up
from handoff.policy import load_policy
from handoff.queue import HandoffQueue
from tests.handoff.fakes import RecordingRasa

pytestmark = pytest.mark.anyio

POLICY = load_policy(PROJECT_ROOT / "data" / "handoff" / "policy.yml")
DISPUTE_REASON = {"intent": {"name": "inform", "confidence": 0.9}, "active_loop": "dispute_form"}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def world(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'bank.db'}")
    create_all(engine)
    sessions = make_session_factory(engine)
    seed_demo_bank(sessions, PROJECT_ROOT / "data" / "bank" / "demo_bank.yml")
    bank, store = SqlBankCore(sessions), ConversationStore(sessions)
    hooks = RasaGatewayHooks(RecordingRasa(), store)
    desk = HandoffDesk(HandoffQueue(sessions, POLICY), AgentDirectory(sessions), AuditLog(sessions),
                       InProcessBus(), POLICY, hooks)
    yield bank, store, desk, HandoffGate(desk, hooks, store, bank)
    engine.dispose()


async def open_dispute_as_the_bot(bank, store, conversation_id: str, customer_id: int) -> list[dict]:
    """Run the real dispute action and record its replies the way the gateway does."""
    netflix = bank.list_transactions(customer_id, merchant="Netflix", limit=1)[0]
    tracker = Tracker(conversation_id, {"dispute_transaction": str(netflix.id),
                                        "dispute_reason": "cancelled but still charged"},
                      {"text": "cancelled but still charged"}, [], False, None,
                      {"name": None}, "action_listen")
    dispatcher = CollectingDispatcher()
    await ActionOpenDispute(ActionContext(bank, store)).run(dispatcher, tracker, {})
    replies = fold_custom([
        part for message in dispatcher.messages for part in (
            [{"text": message["text"]}] + ([{"custom": message["custom"]}] if message.get("custom") else []))])
    store.append(conversation_id, [NewTurn("customer", "cancelled but still charged", "rest", nlu=DISPUTE_REASON)] + [
        NewTurn("bot", r.get("text", ""), "rest", meta={k: v for k, v in r.items() if k != "text"} or None)
        for r in replies])
    return replies


async def test_after_the_case_is_opened_a_disputes_specialist_takes_over(world):
    bank, store, desk, gate = world
    alice = bank.authenticate("alice", "alice-demo-pass")
    conversation = store.create("rest", alice.id)

    [reply] = await open_dispute_as_the_bot(bank, store, conversation.id, alice.id)
    reference = next(word for word in reply["text"].split() if word.startswith("DSP-"))
    notice = await gate.after_bot_turn(conversation, "rest")

    assert notice["custom"]["handoff"]["reason"] == "dispute"
    assert "disputes team will take your case" in notice["text"]
    entry = desk.queue.open_for(conversation.id)
    assert entry.reason == "dispute" and reference in entry.reason_detail
    assert reference in entry.summary and "fraud" in entry.skills
    assert await desk.with_human(conversation.id)


async def test_a_dispute_opened_earlier_does_not_hand_off_again_after_the_customer_moves_on(world):
    bank, store, desk, gate = world
    alice = bank.authenticate("alice", "alice-demo-pass")
    conversation = store.create("rest", alice.id)
    await open_dispute_as_the_bot(bank, store, conversation.id, alice.id)
    store.append(conversation.id, [
        NewTurn("customer", "what's my balance", "rest", nlu={"intent": {"name": "check_balance"}}),
        NewTurn("bot", "Everyday Checking: $2,450.75", "rest")])
    assert await gate.after_bot_turn(conversation, "rest") is None
    assert not await desk.with_human(conversation.id)


def test_only_reasons_the_policy_names_hand_off():
    turn = lambda speaker, meta=None: type("T", (), {"speaker": speaker, "meta": meta})()  # noqa: E731
    marked = [turn("customer"), turn("bot", {"custom": follow_up_marker("dispute", "DSP-1")})]
    decision = specialist_follow_up(marked, POLICY)
    assert (decision.reason, decision.detail) == ("dispute", "DSP-1")
    assert "lang:en" in decision.skills
    unknown = [turn("customer"), turn("bot", {"custom": follow_up_marker("made_up", "x")})]
    assert specialist_follow_up(unknown, POLICY) is None
    assert specialist_follow_up([turn("customer"), turn("bot", {"custom": {"sources": []}})], POLICY) is None
