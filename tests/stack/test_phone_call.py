"""A synthetic phone call over the Twilio Media Streams endpoint of the real stack.

The caller asks for their balance by voice, identifies with the keypad (customer number, then
PIN), and must hear the right balance: the bot's returned audio is transcribed and checked.
"""
from __future__ import annotations

import asyncio
import base64
import json
import re

import pytest
import websockets

from speech.audio import mulaw_decode, mulaw_encode, resample
from speech.config import AsrSettings, TtsSettings
from speech.models import load_engine
from speech.tts import load_synthesizer
from tests.stack.conftest import login

pytestmark = pytest.mark.stack
SID = "MZtestcall"


class Caller:
    """The phone side of the call: sends audio/keys like Twilio, collects the bot's replies."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.replies: asyncio.Queue[bytes] = asyncio.Queue()
        self._audio = b""

    async def listen(self) -> None:
        async for raw in self.ws:
            event = json.loads(raw)
            if event["event"] == "media":
                self._audio += base64.b64decode(event["media"]["payload"])
            elif event["event"] == "mark":  # playback finished: echo like Twilio, hand over the reply
                await self.ws.send(json.dumps({"event": "mark", "streamSid": SID, "mark": event["mark"]}))
                await self.replies.put(self._audio)
                self._audio = b""

    async def say(self, pcm8k: bytes) -> None:
        audio = mulaw_encode(pcm8k + b"\x00\x00" * 8000 * 2)  # speech, then 2 s of silence
        for i in range(0, len(audio), 160):
            await self.ws.send(json.dumps({"event": "media", "streamSid": SID, "media": {
                "track": "inbound", "payload": base64.b64encode(audio[i:i + 160]).decode()}}))

    async def key(self, digits: str) -> None:
        for digit in digits:
            await self.ws.send(json.dumps({"event": "dtmf", "streamSid": SID,
                                           "dtmf": {"track": "inbound_track", "digit": digit}}))

    async def reply(self) -> bytes:
        return await asyncio.wait_for(self.replies.get(), timeout=300)


def transcribe(engine, mulaw: bytes) -> str:
    recognizer = engine.recognizer(8000)
    pcm = mulaw_decode(mulaw) + b"\x00\x00" * 8000 * 2
    results = recognizer.feed(pcm) + recognizer.finish()
    return " ".join(r.text for r in results if r.is_final)


async def call(url: str, conversation_id: str, question_8k: bytes) -> list[bytes]:
    ws_url = url.replace("http", "ws", 1) + "/voice/twilio/stream"
    async with websockets.connect(ws_url, max_size=2**23) as ws:
        caller = Caller(ws)
        listener = asyncio.create_task(caller.listen())
        await ws.send(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
        await ws.send(json.dumps({"event": "start", "streamSid": SID, "start": {
            "streamSid": SID, "callSid": "CAtest", "accountSid": "ACtest", "tracks": ["inbound"],
            "customParameters": {"conversation_id": conversation_id},
            "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1}}}))
        replies = [await caller.reply()]          # greeting
        await caller.say(question_8k)
        replies.append(await caller.reply())      # asks who we are
        await caller.key("10000001#")
        replies.append(await caller.reply())      # asks for the PIN or date of birth
        await caller.key("4821#")
        replies.append(await caller.reply())      # the balance
        await ws.send(json.dumps({"event": "stop", "streamSid": SID, "stop": {}}))
        listener.cancel()
        return replies


def test_caller_identifies_by_keypad_and_hears_the_balance(stack, http):
    tts = load_synthesizer(TtsSettings())
    question = tts.synthesize("What is my balance?")
    question_8k = resample(question.to_bytes(), question.sample_rate, 8000)
    conversation_id = http.post("/api/conversations", json={"channel": "voice"}).json()["conversation_id"]

    replies = asyncio.run(call(stack.url, conversation_id, question_8k))

    # identification bound the call to Alice: the call carries on; another customer is refused
    assert http.get(f"/api/conversations/{conversation_id}/transcript",
                    headers=login(http, "bob", "bob-demo-pass")).status_code == 403
    assert http.get(f"/api/conversations/{conversation_id}/transcript").status_code == 401  # no credential
    transcript = http.get(f"/api/conversations/{conversation_id}/transcript",
                          headers=login(http, "alice", "alice-demo-pass")).json()["turns"]
    bot_text = " ".join(t["text"] for t in transcript if t["speaker"] == "bot")
    assert "Everyday Checking" in bot_text, bot_text
    heard = transcribe(load_engine(AsrSettings(language="en")), replies[-1]).lower()
    assert "checking" in heard, heard
    assert re.search(r"2,?450|two thousand,? four hundred (and )?fifty", heard), heard
