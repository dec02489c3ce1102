"""The WebSocket endpoint as Twilio would use it, mounted on a bare FastAPI app."""
from __future__ import annotations

import json

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from speech.telephony_api import SpeechRuntime, router
from tests.speech.test_twilio import Bot, silence, start_msg

URL = "/voice/twilio/stream"


@pytest.fixture()
def app(whisper_en, piper) -> FastAPI:
    app = FastAPI()
    app.include_router(router)
    app.state.speech = SpeechRuntime(whisper_en, piper)
    return app


def test_greeting_then_hang_up_on_stop(app: FastAPI) -> None:
    class Greeter(Bot):
        async def on_start(self, call) -> str:
            return "Welcome to the bank."

    app.state.voice_handler = bot = Greeter()
    with TestClient(app).websocket_connect(URL) as ws:
        ws.send_text(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
        ws.send_text(start_msg())
        first = ws.receive_json()
        assert first["event"] == "media" and first["streamSid"] == "MZ1" and first["media"]["payload"]
        for raw in silence(0.2):
            ws.send_text(raw)
        ws.send_text(json.dumps({"event": "stop", "streamSid": "MZ1", "stop": {"callSid": "CA1"}}))
        while (msg := ws.receive())["type"] != "websocket.close":
            pass
        assert msg["code"] == 1000
    assert bot.ended == ["stream stopped"]


def test_protocol_error_closes_with_policy_violation(app: FastAPI) -> None:
    app.state.voice_handler = bot = Bot()
    with TestClient(app).websocket_connect(URL) as ws:
        ws.send_text(start_msg())
        ws.send_text(json.dumps({"event": "hologram", "streamSid": "MZ1"}))
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 1008 and "unknown stream event" in closed.value.reason
    assert bot.ended == ["protocol error: unknown stream event 'hologram'"]


def test_binary_frames_are_refused(app: FastAPI) -> None:
    app.state.voice_handler = Bot()
    with TestClient(app).websocket_connect(URL) as ws:
        ws.send_bytes(b"\x00\x01")
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 1008 and "binary" in closed.value.reason


def test_without_a_voice_handler_the_call_is_refused(app: FastAPI) -> None:
    with TestClient(app).websocket_connect(URL) as ws:
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 1013 and "handler" in closed.value.reason


def test_without_speech_models_the_call_is_refused(app: FastAPI) -> None:
    app.state.voice_handler, app.state.speech = Bot(), None  # the app failed to load them
    with TestClient(app).websocket_connect(URL) as ws:
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 1013 and "speech models" in closed.value.reason


def test_an_unsigned_stream_is_refused_when_twilio_signs_them(app: FastAPI) -> None:
    """Issue 15: anyone could open a call stream, pick its streamSid and attach it to a chat."""
    app.state.voice_handler = Bot()
    app.state.twilio_auth_token = "twilio-secret"
    with pytest.raises(WebSocketDisconnect) as refused:
        with TestClient(app).websocket_connect(URL, headers={"X-Twilio-Signature": "forged"}):
            pass
    assert refused.value.code == 1008


def test_a_stream_twilio_signed_is_accepted(app: FastAPI) -> None:
    from speech.telephony_api import twilio_signature

    app.state.voice_handler = Bot()
    app.state.twilio_auth_token = "twilio-secret"
    signed = {"X-Twilio-Signature": twilio_signature("twilio-secret", "ws://testserver" + URL)}
    with TestClient(app).websocket_connect(URL, headers=signed) as ws:
        ws.send_text(json.dumps({"event": "hologram"}))
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 1008 and "unknown stream event" in closed.value.reason
