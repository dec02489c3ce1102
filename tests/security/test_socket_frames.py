"""Malformed frames on every WebSocket (chat, voice, agent console, Twilio media stream) get an
error frame or a clean close with a protocol code, never an unhandled exception (which uvicorn
reports as 1011 and a traceback in the log). Issue 15, item 15: ten of these crashed the handlers."""
from __future__ import annotations

import base64
import json

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.security.conftest import session_token

pytestmark = pytest.mark.stack

MALFORMED: list[str | bytes] = [
    b"\x00\xff\xfe binary",
    "not json",
    "",
    "[]",
    '"a string"',
    "1e400",
    "[" * 5000 + "]" * 5000,  # deeper than the JSON parser's recursion limit
    '{"type": 5}',
    '{"type": "start", "token": ["x"], "conversation_id": {"a": 1}}',
    '{"type": "start", "conversation_id": 1' + "0" * 5000 + "}",  # past int()'s digit limit
    '{"type": "message", "text": "\\ud800"}',
    '{"type": "message", "text": {"nested": [1, 2]}}',
    '{"type": "typing", "entry_id": 1e400, "typing": "yes"}',
    '{"type": "typing", "entry_id": 100000000000000000000000000}',
    '{"type": "callback", "phone": null, "when": [1]}',
]


def _object(frame: str | bytes) -> object:
    try:
        return json.loads(frame)
    except (ValueError, RecursionError, TypeError):
        return None


def quiet_is_fine(frame: str | bytes) -> bool:
    """A well-formed JSON object whose type the socket treats as a signal (typing, ping), which
    gets no answer by design."""
    parsed = _object(frame)
    return isinstance(parsed, dict) and parsed.get("type") in ("typing",) and isinstance(parsed.get("entry_id", 0), int)


def ws_url(http: httpx.Client, path: str) -> str:
    return str(http.base_url).replace("http://", "ws://").rstrip("/") + path


def outcome(ws: ClientConnection, frame: str | bytes) -> str:
    """'error' (an error frame, socket open), 'closed:<code>' or 'silent'."""
    try:
        ws.send(frame)
        answer = json.loads(ws.recv(timeout=20))
    except ConnectionClosed as closed:
        return f"closed:{closed.rcvd.code if closed.rcvd else 1006}"
    except TimeoutError:
        return "silent"
    return "error" if answer.get("type") == "error" else f"other:{answer.get('type')}"


def closed_after_error(ws: ClientConnection, frame: str) -> int:
    """The close code that follows the error frame a refused frame gets."""
    assert outcome(ws, frame) == "error"
    with pytest.raises(ConnectionClosed) as closed:
        ws.recv(timeout=20)
    return closed.value.rcvd.code if closed.value.rcvd else 1006


@pytest.fixture()
def no_crash(secure_stack):
    """Fails the test when the stack logged an unhandled exception while it ran."""
    since = len(secure_stack.log.read_text(errors="replace"))
    yield
    log = secure_stack.log.read_text(errors="replace")[since:]
    assert "Exception in ASGI application" not in log and "Traceback" not in log, log[-3000:]


@pytest.mark.parametrize("frame", MALFORMED, ids=range(len(MALFORMED)))
def test_chat_socket_answers_a_bad_frame_and_stays_usable(http, frame, no_crash):
    with connect(ws_url(http, "/ws/chat"), max_size=2**22) as ws:
        ws.send(json.dumps({"type": "start"}))
        assert json.loads(ws.recv(timeout=20))["type"] == "session"
        assert outcome(ws, frame) in (("error", "silent") if quiet_is_fine(frame) else ("error",))
        ws.send(json.dumps({"type": "message", "text": "hello"}))
        assert json.loads(ws.recv(timeout=60))["type"] == "bot"


@pytest.mark.parametrize("frame", MALFORMED, ids=range(len(MALFORMED)))
def test_chat_socket_refuses_a_bad_first_frame(http, frame, no_crash):
    with connect(ws_url(http, "/ws/chat"), max_size=2**22) as ws:
        assert outcome(ws, frame) == "error"
        ws.send(json.dumps({"type": "start"}))
        assert json.loads(ws.recv(timeout=20))["type"] == "session"


@pytest.mark.parametrize("frame", MALFORMED, ids=range(len(MALFORMED)))
def test_agent_socket_survives_a_bad_frame(http, frame, no_crash):
    token = http.post("/agent/login", json={"username": "agent", "password": "agent-demo-pass"}).json()["token"]
    with connect(ws_url(http, "/agent/ws"), max_size=2**22) as ws:
        ws.send(json.dumps({"type": "auth", "token": token}))
        assert json.loads(ws.recv(timeout=20))["type"] == "ready"
        result = outcome(ws, frame)
        pings = isinstance(_object(frame), dict) and _object(frame).get("type") != "typing"  # any other object pings
        assert result in (("error", "silent") if pings or quiet_is_fine(frame) else ("error",)), result
        ws.send(json.dumps({"type": "ping"}))  # still open


@pytest.mark.parametrize("frame", MALFORMED, ids=range(len(MALFORMED)))
def test_agent_socket_refuses_a_bad_hello(http, frame, no_crash):
    with connect(ws_url(http, "/agent/ws"), max_size=2**22) as ws:
        assert outcome(ws, frame) == "closed:4401"


@pytest.mark.parametrize("frame", MALFORMED, ids=range(len(MALFORMED)))
def test_voice_socket_answers_a_bad_frame(http, frame, no_crash):
    with connect(ws_url(http, "/ws/voice"), max_size=2**23) as ws:
        result = outcome(ws, frame)
        assert result == "error" or result.startswith(("closed:1008", "closed:1013")), result


TWILIO_MALFORMED = [*MALFORMED,
                    '{"event": "start"}',
                    '{"event": "start", "start": "x", "streamSid": ["a"]}',
                    '{"event": "media", "media": {"payload": "!!! not base64"}}',
                    '{"event": "media", "media": {"payload": ' + json.dumps(base64.b64encode(b"\x01").decode()) + "}}",
                    '{"event": "dtmf", "dtmf": {"digit": {"x": 1}}}']


@pytest.mark.parametrize("frame", TWILIO_MALFORMED, ids=range(len(TWILIO_MALFORMED)))
def test_twilio_stream_closes_cleanly_on_a_bad_frame(http, frame, no_crash):
    with connect(ws_url(http, "/voice/twilio/stream"), max_size=2**23) as ws:
        ws.send(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
        result = outcome(ws, frame)
        assert result in ("silent", "error") or result.startswith(("closed:1008", "closed:1000", "closed:1013")), result


def test_an_open_socket_stops_acting_for_the_customer_after_logout(secure_stack, http):
    """Issue 15, item 7: the chat socket kept answering with the customer's data after logout."""
    login = http.post("/api/auth/login", json={"username": "alice", "password": "alice-demo-pass"}).json()
    with connect(ws_url(http, "/ws/chat")) as ws:
        ws.send(json.dumps({"type": "start", "token": login["token"]}))
        assert json.loads(ws.recv(timeout=20))["authenticated"] is True
        assert http.post("/api/auth/logout", headers={"Authorization": f"Bearer {login['token']}"}).status_code < 300
        assert closed_after_error(ws, json.dumps({"type": "message", "text": "what's my balance"})) == 4401


def test_a_socket_that_identified_keeps_working_with_the_token_it_was_given(secure_stack, http):
    """The chat page identifies over its socket and is handed the session token there."""
    with connect(ws_url(http, "/ws/chat")) as ws:
        ws.send(json.dumps({"type": "start"}))
        conversation_id = json.loads(ws.recv(timeout=20))["conversation_id"]
        replies = []
        for text in ("what's my balance", "10000002", "1357"):
            ws.send(json.dumps({"type": "message", "text": text}))
            replies = [json.loads(ws.recv(timeout=60))]
            while replies[-1].get("type") == "bot" and text == "1357" and not session_token(replies):
                replies.append(json.loads(ws.recv(timeout=60)))
        assert session_token(replies), replies
        ws.send(json.dumps({"type": "message", "text": "what's my balance"}))
        assert "balance" in json.loads(ws.recv(timeout=60)).get("text", "").lower()
    with connect(ws_url(http, "/ws/chat")) as again:  # resuming needs the token
        assert closed_after_error(again, json.dumps({"type": "start", "conversation_id": conversation_id})) == 4401
