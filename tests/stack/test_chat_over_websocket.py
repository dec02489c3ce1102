"""The chat page's WebSocket channel against the real stack."""
from __future__ import annotations

import json

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.stack.conftest import login

pytestmark = pytest.mark.stack


def ws_url(stack) -> str:
    return stack.url.replace("http://", "ws://") + "/ws/chat"


def receive(ws) -> dict:
    return json.loads(ws.recv(timeout=60))


def test_conversation_over_websocket(stack, http):
    headers = login(http, "alice", "alice-demo-pass")
    token = headers["Authorization"].split()[1]
    with connect(ws_url(stack)) as ws:
        ws.send(json.dumps({"type": "start", "token": token}))
        session = receive(ws)
        assert session["type"] == "session" and session["authenticated"] is True
        ws.send(json.dumps({"type": "message", "text": "hello"}))
        assert "hello" in receive(ws)["text"].lower()
        ws.send(json.dumps({"type": "message", "text": "what is my balance"}))
        assert "balances" in receive(ws)["text"].lower()
    turns = http.get(f"/api/conversations/{session['conversation_id']}/transcript",
                     headers=headers).json()["turns"]
    assert [t["channel"] for t in turns] == ["websocket"] * len(turns)
    assert [t["text"] for t in turns if t["speaker"] == "customer"] == ["hello", "what is my balance"]


def test_bad_frames_get_errors_and_the_socket_stays_usable(stack):
    with connect(ws_url(stack)) as ws:
        ws.send("not json")
        assert receive(ws)["type"] == "error"
        ws.send(json.dumps({"type": "message", "text": "hi"}))
        assert "start" in receive(ws)["detail"]
        ws.send(json.dumps({"type": "start"}))
        assert receive(ws)["type"] == "session"
        ws.send(json.dumps({"type": "message", "text": ""}))
        assert receive(ws)["detail"] == "message is empty"
        ws.send(json.dumps({"type": "message", "text": "hello"}))
        assert receive(ws)["type"] == "bot"


def test_invalid_token_closes_the_socket(stack):
    with connect(ws_url(stack)) as ws:
        ws.send(json.dumps({"type": "start", "token": "forged"}))
        assert receive(ws)["type"] == "error"
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
    assert closed.value.rcvd.code == 4401
