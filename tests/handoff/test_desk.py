"""The desk's housekeeping: customers hear their position, abandoned chats go back to the queue."""
from __future__ import annotations

import pytest

from handoff.audit import AuditLog
from handoff.desk import HandoffDesk
from handoff.events import InProcessBus
from handoff.triggers import HandoffDecision

pytestmark = pytest.mark.anyio

GENERAL = HandoffDecision("human_request", ("general", "lang:en"), 0.0, "asked")


@pytest.fixture
def desk(queue, agents, session_factory, policy, clock) -> HandoffDesk:
    return HandoffDesk(queue, agents, AuditLog(session_factory, clock), InProcessBus(), policy)


async def test_escalation_tells_the_customer_where_they_stand(desk, agents):
    status = await desk.escalate("c1", GENERAL)
    assert (status.status, status.position, status.agents_online) == ("waiting", 1, 0)
    assert status.estimated_wait_s is None  # nobody online: offer a callback
    await desk.escalate("c2", GENERAL)
    agents.create("a", "pw", capacity=1)
    agents.login("a", "pw")
    async with desk.customer_events("c2") as customer:
        await desk.tick()
        event = await customer.get(1)
    assert (event["type"], event["position"], event["agents_online"]) == ("queue_status", 2, 1)
    assert event["estimated_wait_s"] == desk.policy.default_handle_time_s


async def test_tick_requeues_an_agent_gone_past_grace_and_tells_the_customer(desk, agents, clock, policy):
    await desk.escalate("c1", GENERAL)
    agents.create("a", "pw")
    agent = agents.login("a", "pw")[1]
    assert (await desk.claim(agent)).conversation_id == "c1"
    clock.advance(policy.disconnect_grace_s + 1)
    async with desk.customer_events("c1") as customer:
        moved = await desk.tick()
        assert [e.conversation_id for e in moved] == ["c1"]
        assert (await customer.get(1))["type"] == "agent_left"
        assert (await customer.get(1))["position"] == 1


async def test_callback_request_closes_the_wait_and_is_listed(desk):
    await desk.escalate("c1", GENERAL)
    callback_id = await desk.request_callback("c1", "+44 7700 900123", "tomorrow morning")
    assert not await desk.with_human("c1")
    assert desk.queue.callbacks()[0]["id"] == callback_id
