"""An agent hands a conversation back with what they found out, never with the dialogue's
security state: before the fix any slot name and value was accepted, so an agent could set
``identity_locked: false`` or ``transfer_confirmed: true`` for the customer."""
from __future__ import annotations

import pytest

from tests.handoff.test_agent_api import app, client, escalate, login  # noqa: F401 - fixtures

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("slots", [{"identity_locked": False}, {"identity_secret": "verified"},
                                   {"transfer_confirmed": True}, {"stepup_code": "123456"}])
async def test_an_agent_cannot_set_security_slots_on_hand_back(client, app, slots):  # noqa: F811
    await escalate(app, "c1")
    agent = await login(client, "agent")
    [item] = (await client.get("/agent/queue", headers=agent)).json()
    await client.post(f"/agent/conversations/{item['entry_id']}/claim", headers=agent)
    refused = await client.post(f"/agent/conversations/{item['entry_id']}/hand-back", headers=agent,
                                json={"slots": slots})
    assert refused.status_code == 422 and next(iter(slots)) in refused.json()["detail"]
    assert app.state.handoff_desk.hooks.resumed == []  # the bot was not resumed with anything
    fine = await client.post(f"/agent/conversations/{item['entry_id']}/hand-back", headers=agent,
                             json={"slots": {"last_topic": "cards"}})
    assert fine.status_code == 200 and app.state.handoff_desk.hooks.resumed == [("c1", {"last_topic": "cards"})]
