"""What the customer's chat shows for each hand-off event."""
from __future__ import annotations

import pytest

from handoff.audit import AuditLog
from handoff.customer_feed import for_customer
from handoff.desk import HandoffDesk, status_event
from handoff.events import InProcessBus
from handoff.queue import QueueStatus
from handoff.triggers import HandoffDecision


def test_agent_message_typing_and_join(policy):
    msg = for_customer({"type": "agent_message", "agent": "Alex", "text": "Hi", "id": "1", "ts": 0},
                       policy)
    assert msg == {"type": "message", "sender": "agent", "name": "Alex", "text": "Hi", "id": "1"}
    assert for_customer({"type": "agent_typing", "agent": "Alex", "typing": True}, policy)["typing"]
    assert for_customer({"type": "agent_joined", "agent": "Alex"}, policy)["text"].startswith("Alex")


def test_queue_status_updates_become_notices(policy):
    shown = for_customer(status_event(QueueStatus("waiting", 3, 2, 120.0, 1, True)), policy)
    assert shown["type"] == "notice" and "number 2 in the queue" in shown["text"]
    assert shown["estimated_wait_s"] == 120.0


def test_hand_back_and_internal_events(policy):
    assert for_customer({"type": "handed_back", "slots": {}}, policy)["type"] == "handed_back"
    assert for_customer({"type": "queue_changed"}, policy) is None


@pytest.mark.anyio
async def test_a_full_feed_from_the_desk(queue, agents, session_factory, policy):
    desk = HandoffDesk(queue, agents, AuditLog(session_factory), InProcessBus(), policy)
    await desk.escalate("c1", HandoffDecision("human_request", ("general", "lang:en")))
    agents.create("a", "pw")
    agent = agents.login("a", "pw")[1]
    async with desk.customer_events("c1") as events:
        entry = await desk.claim(agent)
        await desk.agent_message(agent, entry, "Hello")
        await desk.hand_back(agent, entry, {})
        shown = [for_customer(await events.get(1), policy) for _ in range(3)]
    assert [s["type"] for s in shown] == ["notice", "message", "handed_back"]
