"""In-app voice: the chat page's microphone over the WebSocket ``/ws/voice``.

The customer's speech goes through the same streaming ASR as phone calls and then through the
same turn path as typed chat (``TurnService.handle`` on the ``voice`` channel, same conversation,
same login-token rules as ``/ws/chat``); replies come back as text and as synthesised audio.

Protocol (text frames are JSON; binary frames are audio):
  client -> {"type": "start", "token"?: str, "conversation_id"?: str, "sample_rate"?: int}
            sample_rate of the microphone audio, 8000-48000 Hz (default 16000)
  server -> {"type": "session", "conversation_id": str, "authenticated": bool,
             "reply_audio": {"encoding": "pcm16le", "sample_rate": int}}
  client -> binary: little-endian mono PCM16 at sample_rate, any length up to 64 KiB, even
  server -> {"type": "heard", "text": str}       an utterance, endpointed by silence, as understood
  server -> {"type": "bot", "text": str, ...}    each reply, as on /ws/chat (hand-off notices too)
  server -> {"type": "audio", "reply": n, "sample_rate": int}, then binary PCM16 chunks of the
            spoken replies, then {"type": "audio_end", "reply": n}
  server -> {"type": "audio_stop", "reply": n}  the customer spoke over reply n: stop playing it
  client -> {"type": "stop"}                     end of speech: the last utterance is handled now
  server -> {"type": "error", "detail": str}     bad frame; nothing changes and the socket stays open
A bad token or conversation closes the socket with 4000 + HTTP status (4401, 4403, 4404), as on
/ws/chat; without speech models it closes with 1013. Agent messages during a hand-off reach the
page through its /ws/chat socket, which follows the same conversation.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

from fastapi import (
    APIRouter,
    Depends,
    HTTPException,
    WebSocket,
    WebSocketDisconnect,
    status,
)

from bot.conversations.store import Conversation
from bot.gateway.messages import MessageRejected
from bot.gateway.ws_frames import (
    conversation_for_frame,
    parse_frame,
    refuse_frame,
    session_token,
    still_allowed,
    text_field,
)
from speech.asr.base import AsrResult, Recognizer
from speech.audio import AudioFormatError, check_rate
from speech.telephony_api import SpeechRuntime, get_speech_runtime
from speech.tts import Synthesizer

log = logging.getLogger(__name__)
router = APIRouter(tags=["voice"])
DEFAULT_RATE = 16000
Observe = Callable[[str, float], None]


def _no_metrics(stage: str, seconds: float) -> None:
    """Used where the app has no metrics registry (a bare test app)."""


class AppVoiceSession:
    """One microphone stream: PCM16 in → ASR → the chat turn path → reply text and audio out."""

    def __init__(self, ws: WebSocket, conversation: Conversation, recognizer: Recognizer,
                 tts: Synthesizer, observe: Observe, token: str | None = None) -> None:
        self._ws, self._conversation, self._rec, self._tts = ws, conversation, recognizer, tts
        self._observe = observe
        self._token = token  # the conversation's credential, checked before every turn
        self._turn_lock = asyncio.Lock()
        self._turns: set[asyncio.Task] = set()
        self._play: asyncio.Task | None = None
        self._reply = 0
        self._playing_until = 0.0  # when the page finishes playing what was sent (monotonic)
        self.audio_s = 0.0

    async def audio(self, pcm: bytes) -> None:
        """Feed microphone audio; a finished utterance becomes a turn, speech stops playback."""
        self.audio_s += len(pcm) / 2 / self._rec.sample_rate
        started = time.perf_counter()
        results = await asyncio.to_thread(self._rec.feed, pcm)
        await self._handle(results, started)

    async def finish(self) -> None:
        """The customer stopped the microphone: decode what is left and answer it."""
        started = time.perf_counter()
        await self._handle(await asyncio.to_thread(self._rec.finish), started)

    async def _handle(self, results: list[AsrResult], started: float) -> None:
        finals = [r.text for r in results if r.is_final and r.text.strip()]
        if finals:  # the decode that ends an utterance is what the customer waits for
            self._observe("asr", time.perf_counter() - started)
        if (self._rec.speech_active or results) and self._speaking():  # barge-in
            if self._play and not self._play.done():
                self._play.cancel()
            self._playing_until = 0.0
            await self._ws.send_json({"type": "audio_stop", "reply": self._reply})
        for text in finals:
            task = asyncio.create_task(self._turn(text))
            self._turns.add(task)
            task.add_done_callback(self._turns.discard)

    def _speaking(self) -> bool:
        """Reply audio is being made or is still playing on the page."""
        return bool(self._play and not self._play.done()) or time.monotonic() < self._playing_until

    async def _turn(self, text: str) -> None:
        async with self._turn_lock:  # answers come in the order things were said
            state = self._ws.app.state
            await self._ws.send_json({"type": "heard", "text": text})
            try:  # a logged-out token, or a conversation bound since, ends the stream (4401/4403)
                conversation = await still_allowed(self._ws, self._conversation.id, self._token)
            except HTTPException as exc:
                await refuse_frame(self._ws, exc)
                return
            replies = await state.turns.handle(conversation, text[: state.settings.max_message_chars],
                                               "voice")
            self._token = session_token(replies) or self._token
            for reply in replies:
                await self._ws.send_json({"type": "bot", **reply})
            spoken = " ".join(r["text"] for r in replies if r.get("text"))
            if spoken:
                if self._play and not self._play.done():
                    self._play.cancel()
                self._reply += 1
                self._play = asyncio.create_task(self._speak(self._reply, spoken))

    async def _speak(self, reply: int, text: str) -> None:
        """Stream the reply's audio chunk by chunk as the synthesiser makes it."""
        await self._ws.send_json({"type": "audio", "reply": reply, "sample_rate": self._tts.sample_rate})
        chunks = self._tts.stream(text)
        started: float | None = time.perf_counter()
        self._playing_until = time.monotonic()
        try:
            while (chunk := await asyncio.to_thread(next, chunks, None)) is not None:
                if started is not None:  # time to the first audio is what the customer waits for
                    self._observe("tts", time.perf_counter() - started)
                    started = None
                await self._ws.send_bytes(chunk)
                self._playing_until = max(self._playing_until, time.monotonic()) + \
                    len(chunk) / 2 / self._tts.sample_rate
        finally:
            with contextlib.suppress(ValueError):  # still running in its worker thread
                chunks.close()
        await self._ws.send_json({"type": "audio_end", "reply": reply})

    async def close(self) -> None:
        tasks = list(self._turns) + ([self._play] if self._play else [])
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._rec.reset()




def _metrics(ws: WebSocket) -> Observe:
    metrics = getattr(ws.app.state, "metrics", None)
    return metrics.observe if metrics is not None else _no_metrics


async def _start(ws: WebSocket, runtime: SpeechRuntime, frame: dict[str, Any]) -> AppVoiceSession:
    try:
        rate = check_rate(frame.get("sample_rate", DEFAULT_RATE))
    except AudioFormatError as exc:
        raise MessageRejected(422, str(exc)) from None
    conversation = await conversation_for_frame(ws, frame, "voice")
    session = AppVoiceSession(ws, conversation, runtime.asr.recognizer(rate), runtime.tts, _metrics(ws),
                              text_field(frame, "token") or None)
    await ws.send_json({"type": "session", "conversation_id": conversation.id,
                        "authenticated": conversation.customer_id is not None,
                        "reply_audio": {"encoding": "pcm16le", "sample_rate": runtime.tts.sample_rate}})
    return session


async def _audio(session: AppVoiceSession | None, data: bytes, runtime: SpeechRuntime) -> None:
    if session is None:
        raise MessageRejected(409, "send a 'start' frame first")
    if len(data) > runtime.call.max_message_bytes:
        raise MessageRejected(413, f"audio frame larger than {runtime.call.max_message_bytes} bytes")
    if len(data) % 2:
        raise MessageRejected(422, f"PCM16 audio has an odd number of bytes ({len(data)})")
    await session.audio(data)


@router.websocket("/ws/voice")
async def voice_socket(ws: WebSocket,
                       runtime: SpeechRuntime | None = Depends(get_speech_runtime)) -> None:
    """Speak to the bot from the app: microphone PCM16 in, reply text and speech out."""
    await ws.accept()
    if runtime is None or not hasattr(ws.app.state, "turns"):
        await ws.close(status.WS_1013_TRY_AGAIN_LATER, "speech models not available")
        return
    max_bytes = ws.app.state.settings.max_body_bytes
    session: AppVoiceSession | None = None
    try:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                return
            try:
                if message.get("bytes") is not None:
                    await _audio(session, message["bytes"], runtime)
                    if session.audio_s > runtime.call.max_call_s:
                        await ws.close(status.WS_1000_NORMAL_CLOSURE, "maximum length reached")
                        return
                    continue
                frame = parse_frame(message.get("text") or "", max_bytes)
                if frame["type"] == "start":
                    if session is not None:
                        raise MessageRejected(409, "already started")
                    session = await _start(ws, runtime, frame)
                elif frame["type"] == "stop":
                    if session is None:
                        raise MessageRejected(409, "send a 'start' frame first")
                    await session.finish()
                else:
                    raise MessageRejected(422, f"unknown frame type {frame['type']!r}")
            except (MessageRejected, HTTPException) as exc:
                if await refuse_frame(ws, exc):
                    return
    except WebSocketDisconnect:
        return
    except Exception:
        log.exception("voice socket failed")
        with contextlib.suppress(Exception):
            await ws.close(code=status.WS_1011_INTERNAL_ERROR)
    finally:
        if session is not None:
            await session.close()
