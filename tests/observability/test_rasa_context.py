"""Log lines written inside a Rasa action call carry that call's conversation id."""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from bot.observability.logs import conversation_id_var
from bot.observability.rasa_context import ActionConversationMiddleware


def test_action_calls_are_tagged_and_their_body_reaches_the_route() -> None:
    seen: dict = {}
    app = FastAPI()
    app.add_middleware(ActionConversationMiddleware)

    @app.post("/actions/webhook")
    async def webhook(request: Request) -> dict:
        seen["body"] = await request.json()
        seen["conversation"] = conversation_id_var.get()
        logging.getLogger("bot.actions").info("running")
        return {}

    @app.post("/other")
    async def other() -> dict:
        seen["other"] = conversation_id_var.get()
        return {}

    client = TestClient(app)
    call = {"next_action": "action_check_balance", "sender_id": "abc123",
            "tracker": {"sender_id": "abc123", "events": [{"text": "x" * 70_000}]}}
    assert client.post("/actions/webhook", json=call).status_code == 200
    assert seen["body"] == call and seen["conversation"] == "abc123"
    client.post("/other", json={"sender_id": "nope"})
    assert seen["other"] is None
    assert conversation_id_var.get() is None
