"""Twilio Media Streams call session, independent of any web framework.

The transport (FastAPI WebSocket in ``telephony_api``, a test script, a bench) passes every text
message to ``handle`` and every outbound message comes back through the ``send`` coroutine; when
``ended`` is set the transport closes the socket. The bot plugs in through coroutines:
``on_utterance(call, text)`` and ``on_dtmf(call, digit)`` return the reply (``str`` or ``Reply``,
or None for silence); ``on_start(call)`` may return a greeting; ``on_end(call, reason)`` is told
when the call ends. Silence and call length are measured in received audio, which Twilio streams
continuously, so behaviour does not depend on event-loop timing.
"""
from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from speech.asr.base import AsrEngine, Recognizer
from speech.audio import StreamResampler, mulaw_decode, mulaw_encode
from speech.config import CallSettings
from speech.tts import Synthesizer

log = logging.getLogger(__name__)

RATE = 8000
DTMF_DIGITS = set("0123456789*#ABCD")
EVENTS = {"connected", "start", "media", "dtmf", "mark", "stop"}


class ProtocolError(ValueError):
    """A message that breaks the Media Streams protocol; the transport closes the stream."""


@dataclass(frozen=True)
class CallInfo:
    """What the bot knows about the call (``customParameters`` come from the TwiML <Parameter>s),
    and ``line``: the live call, to speak outside the caller's turns or put them on hold."""

    stream_sid: str
    call_sid: str
    account_sid: str = ""
    custom_parameters: dict[str, str] = field(default_factory=dict)
    line: CallLine | None = field(default=None, repr=False, compare=False)


class CallLine(Protocol):
    """What the bot may do to a live call between turns (``TwilioMediaSession`` does both)."""

    async def say(self, text: str) -> None:
        """Speak now (e.g. what a human agent typed)."""

    def hold(self, on: bool) -> None:
        """On hold the caller is waiting for a person: silence is expected, no reprompts."""


@dataclass(frozen=True)
class Reply:
    """A reply with options: a grammar for the caller's next answers (None keeps the current one,
    [] returns to free speech), or hang up after speaking."""

    text: str
    grammar: list[str] | None = None
    end_call: bool = False


ReplyLike = str | Reply | None
OnText = Callable[[CallInfo, str], Awaitable[ReplyLike]]
OnStart = Callable[[CallInfo], Awaitable[ReplyLike]]
OnEnd = Callable[[CallInfo, str], Awaitable[None]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
Observe = Callable[[str, float], None]  # (stage, seconds): "asr" decode at an endpoint, "tts" first audio


def _ignore(stage: str, seconds: float) -> None:
    """No metrics wanted (tests, benches)."""


def _as_reply(reply: ReplyLike) -> Reply | None:
    if reply is None or isinstance(reply, Reply):
        return reply
    return Reply(str(reply))


def _field(msg: dict, *path: str) -> Any:
    value: Any = msg
    for key in path:
        if not isinstance(value, dict) or key not in value:
            raise ProtocolError(f"{msg.get('event')} message lacks {'.'.join(path)}")
        value = value[key]
    return value


class TwilioMediaSession:
    """One phone call: inbound audio → ASR → bot → TTS → outbound audio, with barge-in."""

    def __init__(
        self,
        send: Send,
        asr: AsrEngine,
        tts: Synthesizer,
        on_utterance: OnText,
        on_dtmf: OnText | None = None,
        on_start: OnStart | None = None,
        on_end: OnEnd | None = None,
        settings: CallSettings | None = None,
        observe: Observe | None = None,
    ) -> None:
        self._send, self._asr, self._tts = send, asr, tts
        self._observe = observe or _ignore
        self._on_utterance, self._on_dtmf, self._on_start, self._on_end = on_utterance, on_dtmf, on_start, on_end
        self.settings = settings or CallSettings()
        self.call: CallInfo | None = None
        self.recognizer: Recognizer | None = None
        self.ended = asyncio.Event()
        self.end_reason: str | None = None
        self.transcript: list[tuple[str, str]] = []
        self.inbound_audio_s = 0.0
        self._started_at = time.monotonic()
        self._turn_lock = asyncio.Lock()
        self._tasks: set[asyncio.Task] = set()
        self._play_task: asyncio.Task | None = None
        self._pending_marks: set[str] = set()
        self._marks_sent = 0
        self._silence_s = 0.0
        self._reprompts = 0
        self._hangup_at_s: float | None = None
        self._ending = False
        self._next_grammar: list[str] | None = None
        self.on_hold = False

    def _live(self) -> CallInfo:
        """The call, once started (``handle`` refuses every event but ``connected`` before ``start``)."""
        if self.call is None:
            raise ProtocolError("no call started")
        return self.call

    def _listening(self) -> Recognizer:
        """The call's recogniser, made at ``start`` and dropped at ``close``."""
        if self.recognizer is None:
            raise ProtocolError("no call started")
        return self.recognizer

    @property
    def speaking(self) -> bool:
        """True while reply audio is being sent or Twilio has not yet confirmed playing it."""
        return bool(self._pending_marks) or (self._play_task is not None and not self._play_task.done())

    async def handle(self, raw: str | bytes) -> None:
        """Process one inbound WebSocket text message; raises ProtocolError on a bad one."""
        if self.ended.is_set():
            return
        if len(raw) > self.settings.max_message_bytes:
            raise ProtocolError(f"message of {len(raw)} bytes exceeds {self.settings.max_message_bytes}")
        try:
            msg = json.loads(raw)
        except (ValueError, RecursionError) as exc:  # bad JSON or UTF-8, too deep, a number too long
            raise ProtocolError(f"message is not JSON: {exc.__class__.__name__}") from exc
        event = msg.get("event") if isinstance(msg, dict) else None
        if event not in EVENTS:
            raise ProtocolError(f"unknown stream event {event!r}")
        if event not in ("connected", "start") and self.call is None:
            raise ProtocolError(f"{event} before start")
        await getattr(self, f"_{event}")(msg)

    async def say(self, text: str) -> None:
        """Speak ``text`` now, as a reply would be (it replaces any playback in progress)."""
        if not self.ended.is_set() and not self._ending:
            self._spawn(self._respond(_constant(text)))

    def hold(self, on: bool) -> None:
        """While on hold, caller silence is not reprompted (they are waiting for a person)."""
        self.on_hold = on
        self._silence_s = 0.0

    async def close(self, reason: str) -> None:
        """End the call and release everything; safe to call more than once."""
        if self.ended.is_set():
            return
        self.ended.set()
        self.end_reason = self.end_reason or reason
        log.info("call %s ended: %s", self.call.call_sid if self.call else "-", self.end_reason)
        tasks = list(self._tasks) + ([self._play_task] if self._play_task else [])
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()
        self._pending_marks.clear()
        if self.recognizer is not None:
            self.recognizer.reset()
            self.recognizer = None
        if self._on_end and self.call:
            await self._on_end(self.call, self.end_reason)

    async def _connected(self, msg: dict) -> None:
        pass

    async def _start(self, msg: dict) -> None:
        if self.call is not None:
            raise ProtocolError("second start on one stream")
        fmt = _field(msg, "start", "mediaFormat")
        if (fmt.get("encoding"), fmt.get("sampleRate"), fmt.get("channels", 1)) != ("audio/x-mulaw", RATE, 1):
            raise ProtocolError(f"unsupported media format {fmt}; expected audio/x-mulaw 8000 Hz mono")
        params = msg["start"].get("customParameters") or {}
        self.call = CallInfo(str(_field(msg, "start", "streamSid")), str(_field(msg, "start", "callSid")),
                             str(msg["start"].get("accountSid", "")), {str(k): str(v) for k, v in params.items()},
                             line=self)
        self.recognizer = self._asr.recognizer(RATE)
        log.info("call %s started (stream %s)", self.call.call_sid, self.call.stream_sid)
        if self._on_start:
            self._spawn(self._respond(self._on_start(self.call)))

    async def _media(self, msg: dict) -> None:
        if _field(msg, "media").get("track", "inbound") not in ("inbound", "inbound_track"):
            return
        payload = _field(msg, "media", "payload")
        try:
            mulaw = base64.b64decode(payload, validate=True)
        except (binascii.Error, TypeError, ValueError) as exc:
            raise ProtocolError(f"media payload is not valid base64: {exc}") from exc
        seconds = len(mulaw) / RATE
        self.inbound_audio_s += seconds
        if self._next_grammar is not None:  # applied between feeds: the recogniser is not shared
            self._listening().set_grammar(self._next_grammar or None)
            self._next_grammar = None
        started = time.perf_counter()
        results = await asyncio.to_thread(self._listening().feed, mulaw_decode(mulaw))
        if any(result.is_final for result in results):  # the decode the caller waits for
            self._observe("asr", time.perf_counter() - started)
        caller_talking = self._listening().speech_active or bool(results)
        if caller_talking and self.speaking and not self._ending:
            await self._barge_in()
        for result in results:
            if result.is_final and not self._ending:
                self.transcript.append(("caller", result.text))
                self._spawn(self._respond(self._on_utterance(self._live(), result.text)))
        await self._check_time(seconds, caller_talking)

    async def _dtmf(self, msg: dict) -> None:
        digit = str(_field(msg, "dtmf", "digit"))
        if digit not in DTMF_DIGITS:
            raise ProtocolError(f"invalid DTMF digit {digit!r}")
        self._silence_s = 0.0
        if self._ending:
            return
        if self.speaking:
            await self._barge_in()
        if self._on_dtmf:
            self._spawn(self._respond(self._on_dtmf(self._live(), digit)))

    async def _mark(self, msg: dict) -> None:
        name = str(_field(msg, "mark", "name"))
        self._pending_marks.discard(name)
        if name.startswith("end-") and not self._pending_marks:
            await self.close("bot ended the call")

    async def _stop(self, msg: dict) -> None:
        await self.close("stream stopped")

    async def _check_time(self, seconds: float, caller_talking: bool) -> None:
        s = self.settings
        if self._hangup_at_s is not None and self.inbound_audio_s >= self._hangup_at_s:
            await self.close(self.end_reason or "bot ended the call")
            return
        if self._ending:
            return
        if self.inbound_audio_s >= s.max_call_s or time.monotonic() - self._started_at >= s.max_call_s:
            await self._say_and_end(s.too_long_text, "maximum call length reached")
            return
        busy = caller_talking or self.speaking or self._turn_lock.locked() or self.on_hold
        self._silence_s = 0.0 if busy else self._silence_s + seconds
        if self._silence_s >= s.reprompt_after_s:
            self._silence_s = 0.0
            self._reprompts += 1
            if self._reprompts > s.max_reprompts:
                await self._say_and_end(s.goodbye_text, "caller silent")
            else:
                self._spawn(self._respond(_constant(s.reprompt_text)))

    async def _say_and_end(self, text: str, reason: str) -> None:
        self._ending, self.end_reason = True, reason
        self._spawn(self._respond(_constant(Reply(text, end_call=True))))

    async def _barge_in(self) -> None:
        """Caller spoke or pressed a key over the reply: stop playback here and at Twilio."""
        if self._play_task and not self._play_task.done():
            self._play_task.cancel()
        self._pending_marks.clear()
        await self._send({"event": "clear", "streamSid": self._live().stream_sid})

    def _spawn(self, coro: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("call %s: turn failed", self.call.call_sid if self.call else "-",
                      exc_info=task.exception())

    async def _respond(self, pending: Awaitable[ReplyLike]) -> None:
        """Run one turn: wait for the bot, then replace any playback with the reply."""
        async with self._turn_lock:
            reply = _as_reply(await pending)
            if reply is None or self.ended.is_set():
                return
            self._silence_s = 0.0
            if reply.grammar is not None:
                self._next_grammar = list(reply.grammar)
            self._ending = self._ending or reply.end_call  # a goodbye is not interrupted
            if self._play_task and not self._play_task.done():
                self._play_task.cancel()
            self.transcript.append(("bot", reply.text))
            self._play_task = asyncio.ensure_future(self._play(reply))

    async def _play(self, reply: Reply) -> None:
        """Stream the reply as 8 kHz mu-law media messages, then a mark to learn when it played."""
        chunks = self._tts.stream(reply.text)
        resampler = StreamResampler(self._tts.sample_rate, RATE)
        sent_s = 0.0
        started: float | None = time.perf_counter()
        try:
            while (chunk := await asyncio.to_thread(next, chunks, None)) is not None:
                if started is not None:  # time to the first audio is what the caller waits for
                    self._observe("tts", time.perf_counter() - started)
                    started = None
                pcm = resampler.process(chunk)
                sent_s += len(pcm) / 2 / RATE
                await self._send_audio(pcm)
        finally:
            try:
                chunks.close()  # stops an espeak-ng subprocess on barge-in
            except ValueError:
                pass  # still running in its worker thread; it is closed when collected
        await self._send_audio(resampler.process(b"", last=True))
        self._marks_sent += 1
        name = f"{'end' if reply.end_call else 'reply'}-{self._marks_sent}"
        self._pending_marks.add(name)
        await self._send({"event": "mark", "streamSid": self._live().stream_sid, "mark": {"name": name}})
        if reply.end_call:
            self.end_reason = self.end_reason or "bot ended the call"
            # Twilio confirms with the mark; if it never does, hang up once the audio has had time.
            self._hangup_at_s = self.inbound_audio_s + sent_s + 2.0

    async def _send_audio(self, pcm: bytes) -> None:
        if pcm:
            payload = base64.b64encode(mulaw_encode(pcm)).decode("ascii")
            await self._send({"event": "media", "streamSid": self._live().stream_sid, "media": {"payload": payload}})


async def _constant(reply: ReplyLike) -> ReplyLike:
    return reply
