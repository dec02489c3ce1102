"""A scripted Twilio Media Streams call through the real ASR and TTS, and bad streams."""
from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable

import pytest

from speech.audio import mulaw_decode, mulaw_encode, resample
from speech.config import CallSettings
from speech.twilio import CallInfo, ProtocolError, Reply, TwilioMediaSession
from tests.speech.conftest import transcribe, words

FRAME = 160  # 20 ms of 8 kHz mu-law, what Twilio sends


def start_msg(rate: int = 8000) -> str:
    return json.dumps({"event": "start", "sequenceNumber": "1", "streamSid": "MZ1", "start": {
        "accountSid": "AC1", "streamSid": "MZ1", "callSid": "CA1", "tracks": ["inbound"],
        "customParameters": {"customer": "c-42"},
        "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": rate, "channels": 1}}})


def media_msgs(mulaw: bytes) -> list[str]:
    return [json.dumps({"event": "media", "streamSid": "MZ1", "media": {
        "track": "inbound", "payload": base64.b64encode(mulaw[i:i + FRAME]).decode()}})
        for i in range(0, len(mulaw), FRAME)]


def silence(seconds: float) -> list[str]:
    return media_msgs(b"\xff" * int(8000 * seconds))


class Bot:
    """Echo bot standing in for the dialogue engine; records what it was told."""

    def __init__(self) -> None:
        self.heard: list[str] = []
        self.digits: list[str] = []
        self.ended: list[str] = []

    async def on_utterance(self, call: CallInfo, text: str) -> str:
        assert call.custom_parameters == {"customer": "c-42"}
        self.heard.append(text)
        return "You said " + text

    async def on_dtmf(self, call: CallInfo, digit: str) -> Reply:
        self.digits.append(digit)
        return Reply(f"You pressed {digit}.", grammar=["yes", "no"])

    async def on_end(self, call: CallInfo, reason: str) -> None:
        self.ended.append(reason)


class Line:
    """The Twilio side: collects what the session sends, and confirms marks like Twilio does."""

    def __init__(self, echo_marks: bool = True) -> None:
        self.sent: list[dict] = []
        self.echo_marks = echo_marks
        self.session: TwilioMediaSession | None = None

    async def send(self, msg: dict) -> None:
        self.sent.append(msg)

    async def play(self, messages: list[str]) -> None:
        for raw in messages:
            await self.session.handle(raw)
            await self.confirm_marks()
            await asyncio.sleep(0)

    async def confirm_marks(self) -> None:
        if not self.echo_marks:
            return
        for msg in [m for m in self.sent if m["event"] == "mark" and not m.get("confirmed")]:
            msg["confirmed"] = True
            await self.session.handle(json.dumps({"event": "mark", "streamSid": "MZ1", "mark": msg["mark"]}))

    async def until(self, predicate: Callable[[], bool], timeout: float = 60) -> None:
        for _ in range(int(timeout / 0.02)):
            if predicate():
                return
            await asyncio.sleep(0.02)
        raise AssertionError("timed out waiting for the session")

    async def silent_until_ended(self, wall_s: float = 60) -> None:
        """Stream line silence, as Twilio does, until the session hangs up."""
        for _ in range(int(wall_s / 0.02)):
            if self.session.ended.is_set():
                return
            await self.play(silence(0.1))
            await asyncio.sleep(0.02)
        raise AssertionError("call never ended")

    def events(self) -> list[str]:
        return [m["event"] for m in self.sent]

    def audio_since(self, index: int) -> bytes:
        return b"".join(mulaw_decode(base64.b64decode(m["media"]["payload"]))
                        for m in self.sent[index:] if m["event"] == "media")


def make_session(whisper_en, piper, bot: Bot, line: Line, **settings) -> TwilioMediaSession:
    line.session = TwilioMediaSession(line.send, whisper_en, piper, bot.on_utterance, bot.on_dtmf,
                                      on_end=bot.on_end, settings=CallSettings(**settings))
    return line.session


def caller_says(piper, text: str) -> bytes:
    pcm = piper.synthesize(text)
    return mulaw_encode(resample(pcm.to_bytes(), pcm.sample_rate, 8000))


def test_scripted_call_speech_dtmf_mark_stop(whisper_en, piper) -> None:
    async def call() -> None:
        bot, line = Bot(), Line()
        session = make_session(whisper_en, piper, bot, line)
        await line.play([json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}), start_msg()])
        await line.play(silence(0.5) + media_msgs(caller_says(piper, "I lost my credit card.")) + silence(1.0))
        await line.until(lambda: "mark" in line.events())
        assert {"lost", "credit", "card"} <= set(words(bot.heard[0]))
        reply = " ".join(transcribe(whisper_en, line.audio_since(0) + bytes(16000), 8000))
        assert {"you", "said", "lost", "credit", "card"} <= set(words(reply))
        mark_at = len(line.sent)
        await line.play([json.dumps({"event": "dtmf", "streamSid": "MZ1", "dtmf": {"track": "inbound_track", "digit": "7"}})])
        await line.until(lambda: "mark" in line.events()[mark_at:])
        await line.play(silence(0.04))
        assert bot.digits == ["7"] and session.recognizer.grammar == ("yes", "no")
        heard = " ".join(transcribe(whisper_en, line.audio_since(mark_at) + bytes(16000), 8000))
        assert "seven" in words(heard) or "7" in words(heard)
        await line.play(silence(0.2) + [json.dumps({"event": "stop", "streamSid": "MZ1", "stop": {"callSid": "CA1"}})])
        assert session.ended.is_set() and session.recognizer is None and bot.ended == ["stream stopped"]
        assert all(m["streamSid"] == "MZ1" for m in line.sent)

    asyncio.run(call())


def test_barge_in_clears_playback_and_handles_the_new_utterance(whisper_en, piper) -> None:
    async def call() -> None:
        bot, line = Bot(), Line(echo_marks=False)  # reply still playing at Twilio
        session = make_session(whisper_en, piper, bot, line)
        await line.play([start_msg()] + media_msgs(caller_says(piper, "What is my balance?")) + silence(1.0))
        await line.until(lambda: "mark" in line.events())
        assert session.speaking
        await line.play(media_msgs(caller_says(piper, "I want to speak to an agent.")) + silence(1.0))
        await line.until(lambda: len(bot.heard) == 2)
        assert "clear" in line.events()
        assert {"speak", "agent"} <= set(words(bot.heard[1]))
        await session.close("test over")

    asyncio.run(call())


def test_silence_only_call_reprompts_then_ends_politely(whisper_en, piper) -> None:
    async def call() -> None:
        bot, line = Bot(), Line()
        session = make_session(whisper_en, piper, bot, line, reprompt_after_s=1.0, max_reprompts=1)
        await line.play([start_msg()])
        await line.silent_until_ended()
        assert session.end_reason == "caller silent"
        assert [text for who, text in session.transcript] == [
            CallSettings().reprompt_text, CallSettings().goodbye_text]
        assert bot.heard == [] and session.recognizer is None and bot.ended == ["caller silent"]

    asyncio.run(call())


def test_a_caller_on_hold_is_not_reprompted(whisper_en, piper) -> None:
    async def call() -> None:
        bot, line = Bot(), Line()
        session = make_session(whisper_en, piper, bot, line, reprompt_after_s=1.0, max_reprompts=1)
        await line.play([start_msg()])
        session.call.line.hold(True)  # handed to a person who has not answered yet
        await line.play(silence(3.0))
        assert session.transcript == [] and not session.ended.is_set()
        session.call.line.hold(False)  # back with the bot: silence is reprompted again
        await line.silent_until_ended()
        assert session.end_reason == "caller silent"

    asyncio.run(call())


def test_call_length_is_bounded(whisper_en, piper) -> None:
    async def call() -> None:
        bot, line = Bot(), Line()
        session = make_session(whisper_en, piper, bot, line, max_call_s=1.0)
        await line.play([start_msg()])
        await line.silent_until_ended()
        assert session.end_reason == "maximum call length reached"
        assert session.transcript == [("bot", CallSettings().too_long_text)]

    asyncio.run(call())


@pytest.mark.parametrize(("messages", "error"), [
    ([start_msg(), json.dumps({"event": "media", "media": {"payload": "//79/"}})], "not valid base64"),
    ([start_msg(), json.dumps({"event": "transcode", "streamSid": "MZ1"})], "unknown stream event"),
    ([json.dumps({"event": "media", "media": {"payload": ""}})], "media before start"),
    ([start_msg(rate=16000)], "unsupported media format"),
    (["{not json"], "not JSON"),
    ([start_msg(), json.dumps({"event": "dtmf", "dtmf": {"digit": "x"}})], "invalid DTMF"),
    ([start_msg(), json.dumps({"event": "media"})], "lacks media"),
    ([start_msg(), start_msg()], "second start"),
])
def test_protocol_errors_are_clear_and_release_resources(whisper_en, piper, messages, error) -> None:
    async def call() -> None:
        bot, line = Bot(), Line()
        session = make_session(whisper_en, piper, bot, line)
        with pytest.raises(ProtocolError, match=error):
            for raw in messages:
                await session.handle(raw)
        await session.close("protocol error")
        assert session.recognizer is None and session.ended.is_set()

    asyncio.run(call())


@pytest.mark.parametrize("echo_marks", [True, False])
def test_bot_can_end_the_call_after_its_goodbye(whisper_en, piper, echo_marks: bool) -> None:
    """Twilio confirms the goodbye mark (hang up then) or never does (hang up once it has played)."""
    class Closer(Bot):
        async def on_utterance(self, call: CallInfo, text: str) -> Reply:
            return Reply("Thank you for calling. Goodbye.", end_call=True)

    async def call() -> None:
        bot, line = Closer(), Line(echo_marks=echo_marks)
        line.session = session = TwilioMediaSession(line.send, whisper_en, piper, bot.on_utterance, on_end=bot.on_end)
        await line.play([start_msg()] + media_msgs(caller_says(piper, "That is all, thanks.")) + silence(1.0))
        await line.until(lambda: "mark" in line.events())
        await line.silent_until_ended()
        assert session.end_reason == "bot ended the call" and bot.ended == ["bot ended the call"]
        assert "clear" not in line.events()

    asyncio.run(call())


def test_two_calls_at_once_each_hear_their_own_caller(whisper_en, piper) -> None:
    async def one(sentence: str) -> list[str]:
        bot, line = Bot(), Line()
        session = make_session(whisper_en, piper, bot, line)
        await line.play([start_msg()] + media_msgs(caller_says(piper, sentence)) + silence(1.0))
        await line.until(lambda: "mark" in line.events())
        await session.close("test over")
        return bot.heard

    async def both() -> tuple[list[str], list[str]]:
        return await asyncio.gather(one("I lost my credit card."), one("What are your opening hours?"))

    first, second = asyncio.run(both())
    assert len(first) == 1 and len(second) == 1
    # each call hears its own caller and nothing of the other (tolerant of a misheard word)
    mine, theirs = {"lost", "credit", "card"}, {"opening", "hours"}
    assert set(words(first[0])) & mine and not set(words(first[0])) & theirs
    assert set(words(second[0])) & theirs and not set(words(second[0])) & mine
