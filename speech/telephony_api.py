"""FastAPI WebSocket endpoint for Twilio Media Streams: ``/voice/twilio/stream``.

Contract with the app (the lead mounts ``router``):

- ``app.state.voice_handler``: an object with ``async on_utterance(call: CallInfo, text) ->
  str | Reply | None`` and optionally ``on_dtmf(call, digit)``, ``on_start(call)`` (greeting) and
  ``on_end(call, reason)``. Without it the socket is closed with 1013 (try again later).
- ``app.state.speech``: a ``SpeechRuntime`` (loaded ASR engine + TTS + call settings). If the app
  never set it, one is built from ``BANKBOT_ASR_*``/``BANKBOT_TTS_*``/``BANKBOT_CALL_*`` on first
  use and kept there, so models load once per process, not per call; set to None, calls are
  refused with 1013.
- Twilio side: TwiML ``<Connect><Stream url="wss://HOST/voice/twilio/stream"/></Connect>`` followed
  by ``<Hangup/>``: when the bot ends the call the socket closes and Twilio hangs up.

A protocol error closes the socket with 1008 and the reason; the call's resources are released
whatever way the socket ends.
"""
from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import ipaddress
import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from fastapi import APIRouter, Depends, WebSocket, WebSocketDisconnect, status

from speech.asr.base import AsrEngine
from speech.config import AsrSettings, CallSettings, TtsSettings
from speech.models import load_engine
from speech.tts import Synthesizer, load_synthesizer
from speech.twilio import Observe, ProtocolError, TwilioMediaSession

log = logging.getLogger(__name__)
router = APIRouter(tags=["voice"])


@dataclass
class SpeechRuntime:
    """Models loaded once per process and shared by all calls."""

    asr: AsrEngine
    tts: Synthesizer
    call: CallSettings = field(default_factory=CallSettings)
    observe: Observe | None = None  # stage timings (asr, tts) for the app's metrics

    @classmethod
    def from_env(cls) -> SpeechRuntime:
        return cls(load_engine(AsrSettings()), load_synthesizer(TtsSettings()), CallSettings())


_build_lock = asyncio.Lock()


async def get_speech_runtime(websocket: WebSocket) -> SpeechRuntime | None:
    """Dependency: ``app.state.speech``; built from the environment on first use if the app never
    set it, None (calls refused) if the app set it to None or the models fail to load."""
    state = websocket.app.state
    async with _build_lock:
        if not hasattr(state, "speech"):
            try:
                state.speech = await asyncio.to_thread(SpeechRuntime.from_env)
            except Exception:  # noqa: BLE001 - any load failure means no voice, not a crash
                log.exception("speech models failed to load; phone calls will be refused")
                state.speech = None
    return state.speech


def twilio_signature(auth_token: str, url: str) -> str:
    """Twilio's ``X-Twilio-Signature`` for a request without POST parameters (a WebSocket
    upgrade): base64 of HMAC-SHA1 over the full URL, keyed with the account's auth token."""
    return base64.b64encode(hmac.new(auth_token.encode(), url.encode(), hashlib.sha1).digest()).decode()


def from_twilio(websocket: WebSocket) -> bool:
    """Whether the stream may be opened. With ``app.state.twilio_auth_token`` set (production),
    only a request Twilio signed for this URL; without one (the embedded demo, tests), only a
    client on this machine. Either way nobody else can open a call stream, choose its
    ``streamSid`` or attach it to a conversation with a ``conversation_id`` parameter."""
    token = getattr(websocket.app.state, "twilio_auth_token", None)
    if not token:
        host = websocket.client.host if websocket.client else ""
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return host in ("testclient", "localhost")
    signature = websocket.headers.get("x-twilio-signature", "")
    host = websocket.headers.get("x-forwarded-host") or websocket.headers.get("host", "")
    path = websocket.url.path + (f"?{websocket.url.query}" if websocket.url.query else "")
    return any(hmac.compare_digest(twilio_signature(token, f"{scheme}://{host}{path}"), signature)
               for scheme in ("wss", "ws", "https"))


class VoiceHandler(Protocol):
    """The bot's side of a call (``on_dtmf``, ``on_start`` and ``on_end`` are optional)."""

    async def on_utterance(self, call: Any, text: str) -> Any: ...


def get_voice_handler(websocket: WebSocket) -> VoiceHandler | None:
    """Dependency: the bot's turn handler, ``app.state.voice_handler``."""
    return getattr(websocket.app.state, "voice_handler", None)


@router.websocket("/voice/twilio/stream")
async def twilio_stream(
    websocket: WebSocket,
    handler: VoiceHandler | None = Depends(get_voice_handler),
    runtime: SpeechRuntime | None = Depends(get_speech_runtime),
) -> None:
    """Twilio Media Streams (bidirectional): caller audio in, bot speech out, DTMF, barge-in."""
    if not from_twilio(websocket):
        log.warning("refused a media stream not signed by Twilio")
        await websocket.close(status.WS_1008_POLICY_VIOLATION)  # before accepting: HTTP 403
        return
    await websocket.accept()
    if handler is None or runtime is None:
        missing = "voice handler not configured" if handler is None else "speech models not available"
        await websocket.close(status.WS_1013_TRY_AGAIN_LATER, missing)
        return
    session = TwilioMediaSession(
        websocket.send_json, runtime.asr, runtime.tts,
        on_utterance=handler.on_utterance,
        on_dtmf=getattr(handler, "on_dtmf", None),
        on_start=getattr(handler, "on_start", None),
        on_end=getattr(handler, "on_end", None),
        settings=runtime.call,
        observe=runtime.observe,
    )
    code: int | None = status.WS_1000_NORMAL_CLOSURE
    reason, why = "", "socket closed"
    try:
        while not session.ended.is_set():
            receive = asyncio.ensure_future(websocket.receive())
            ended = asyncio.ensure_future(session.ended.wait())
            done, _ = await asyncio.wait({receive, ended}, timeout=runtime.call.idle_timeout_s,
                                         return_when=asyncio.FIRST_COMPLETED)
            ended.cancel()
            if receive not in done:
                receive.cancel()
                why = "bot ended the call" if session.ended.is_set() else "line idle"
                break
            message = receive.result()
            if message["type"] == "websocket.disconnect":
                raise WebSocketDisconnect(message.get("code", 1000))
            if message.get("text") is None:
                raise ProtocolError("binary frames are not part of the Media Streams protocol")
            await session.handle(message["text"])
    except ProtocolError as exc:
        log.warning("twilio stream protocol error: %s", exc)
        code, reason, why = status.WS_1008_POLICY_VIOLATION, str(exc)[:120], f"protocol error: {exc}"
    except WebSocketDisconnect:
        code = None
    finally:
        await session.close(why)
    if code is not None:
        try:
            await websocket.close(code, reason)
        except RuntimeError:
            pass  # already closed by the peer
