"""In-app voice on the real stack: a logged-in customer speaks into /ws/voice (piper speech streamed
as 16 kHz PCM16, as the chat page's microphone sends it), hears the balance in the reply audio, and
the ASR and TTS stages show in /metrics. Bad frames get clear errors; another customer's
conversation is refused as on /ws/chat."""
from __future__ import annotations

import asyncio
import json
import re

import pytest
import websockets

from speech.audio import resample
from speech.config import AsrSettings, TtsSettings
from speech.models import load_engine
from speech.tts import load_synthesizer
from tests.stack.conftest import login

pytestmark = pytest.mark.stack
RATE = 16000


def ws_url(url: str) -> str:
    return url.replace("http", "ws", 1) + "/ws/voice"


async def speak(url: str, token: str, conversation_id: str, pcm16k: bytes) -> dict:
    """Stream the utterance in 100 ms frames like the microphone, then collect what comes back."""
    got: dict = {"frames": [], "audio": b""}
    async with websockets.connect(ws_url(url), max_size=2**23) as ws:
        await ws.send(json.dumps({"type": "start", "token": token, "conversation_id": conversation_id,
                                  "sample_rate": RATE}))
        got["session"] = json.loads(await ws.recv())
        audio = pcm16k + bytes(2 * RATE)  # then a second of silence ends the utterance
        for i in range(0, len(audio), 3200):
            await ws.send(audio[i:i + 3200])
        while True:
            message = await asyncio.wait_for(ws.recv(), timeout=300)
            if isinstance(message, bytes):
                got["audio"] += message
                continue
            frame = json.loads(message)
            got["frames"].append(frame)
            if frame["type"] == "audio_end":
                return got


def alice_asks_her_balance(http) -> tuple[dict[str, str], str, str, bytes]:
    """Alice logged in with a conversation of her own, and her question as 16 kHz PCM16:
    (headers, token, conversation id, audio)."""
    headers = login(http, "alice", "alice-demo-pass")
    conversation_id = http.post("/api/conversations", json={"channel": "websocket"},
                                headers=headers).json()["conversation_id"]
    question = load_synthesizer(TtsSettings()).synthesize("What is my balance?")
    return (headers, headers["Authorization"].removeprefix("Bearer "), conversation_id,
            resample(question.to_bytes(), question.sample_rate, RATE))


def test_customer_speaks_in_the_app_and_hears_the_balance(stack, http):
    headers, token, conversation_id, question = alice_asks_her_balance(http)

    got = asyncio.run(speak(stack.url, token, conversation_id, question))

    assert got["session"]["conversation_id"] == conversation_id and got["session"]["authenticated"]
    heard = [f["text"].lower() for f in got["frames"] if f["type"] == "heard"]
    assert heard and "balance" in heard[0], got["frames"]
    bot_text = " ".join(f.get("text", "") for f in got["frames"] if f["type"] == "bot")
    assert "Everyday Checking" in bot_text, bot_text
    reply_rate = got["session"]["reply_audio"]["sample_rate"]
    engine = load_engine(AsrSettings(language="en"))
    recognizer = engine.recognizer(reply_rate)
    results = recognizer.feed(got["audio"] + bytes(2 * reply_rate)) + recognizer.finish()
    spoken = " ".join(r.text for r in results if r.is_final).lower()
    assert "checking" in spoken and re.search(r"2,?450|two thousand,? four hundred", spoken), spoken

    turns = http.get(f"/api/conversations/{conversation_id}/transcript", headers=headers).json()["turns"]
    assert [t["channel"] for t in turns if t["speaker"] == "customer"] == ["voice"]
    metrics = http.get("/metrics").text
    for stage in ("asr", "tts"):
        count = re.search(rf'bankbot_stage_seconds_count\{{stage="{stage}"\}} (\S+)', metrics)
        assert count and float(count[1]) >= 1, stage


async def refused(url: str, frames: list, then_closed: bool = False) -> list:
    """One answer per frame; with ``then_closed``, also the close code that follows."""
    answers = []
    async with websockets.connect(ws_url(url)) as ws:
        for frame in frames:
            await ws.send(frame)
            answers.append(json.loads(await asyncio.wait_for(ws.recv(), timeout=60)))
        if then_closed:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), timeout=60)
            answers.append(("closed", closed.value.rcvd.code))
    return answers


def test_bad_voice_frames_get_clear_errors(stack):
    answers = asyncio.run(refused(stack.url, [
        b"\x00\x01",                                         # audio before start
        json.dumps({"type": "start", "sample_rate": 1234}),   # impossible microphone rate
        "not json",
        json.dumps({"type": "start"}),                        # fine: anonymous, 16 kHz
        b"\x00\x01\x02",                                      # odd byte count is not PCM16
        json.dumps({"type": "dance"}),
    ]))
    assert [a["type"] for a in answers] == ["error", "error", "error", "session", "error", "error"]
    assert "start" in answers[0]["detail"] and "1234" in answers[1]["detail"]
    assert "odd" in answers[4]["detail"] and "dance" in answers[5]["detail"]


def test_another_customers_conversation_is_refused(stack, http):
    alice = login(http, "alice", "alice-demo-pass")
    conversation_id = http.post("/api/conversations", json={"channel": "websocket"},
                                headers=alice).json()["conversation_id"]
    bob = login(http, "bob", "bob-demo-pass")["Authorization"].removeprefix("Bearer ")
    answers = asyncio.run(refused(stack.url, [json.dumps(
        {"type": "start", "token": bob, "conversation_id": conversation_id})], then_closed=True))
    assert answers[0]["type"] == "error"
    assert answers[1:] == [("closed", 4403)]


async def talk_over_the_reply(url: str, token: str, question: bytes) -> list[dict]:
    """Ask, and as soon as the reply's audio starts arriving, speak again."""
    frames: list[dict] = []
    async with websockets.connect(ws_url(url), max_size=2**23) as ws:
        await ws.send(json.dumps({"type": "start", "token": token, "sample_rate": RATE}))
        await ws.recv()
        for i in range(0, len(question + bytes(2 * RATE)), 3200):
            await ws.send((question + bytes(2 * RATE))[i:i + 3200])
        while not isinstance(message := await asyncio.wait_for(ws.recv(), timeout=300), bytes):
            frames.append(json.loads(message))
        for i in range(0, len(question), 3200):  # the customer talks over the answer
            await ws.send(question[i:i + 3200])
        while not frames or frames[-1]["type"] != "audio_stop":
            message = await asyncio.wait_for(ws.recv(), timeout=300)
            if not isinstance(message, bytes):
                frames.append(json.loads(message))
    return frames


def test_speaking_over_the_reply_stops_its_playback(stack, http):
    token = login(http, "alice", "alice-demo-pass")["Authorization"].removeprefix("Bearer ")
    speech = load_synthesizer(TtsSettings()).synthesize("What is my balance?")
    frames = asyncio.run(talk_over_the_reply(stack.url, token,
                                             resample(speech.to_bytes(), speech.sample_rate, RATE)))
    # the first answer's audio is stopped on the page (the loop above waits for exactly that)
    assert frames[-1] == {"type": "audio_stop", "reply": 1}, frames
    assert [f["type"] for f in frames].count("heard") == 1  # said while reply 1 played


def test_a_logged_out_token_ends_the_voice_stream_before_the_turn(stack, http):
    """Like the typed chat socket: a token logged out while the microphone stream is open is
    refused at the next utterance (4401), and nothing of the customer's is said."""
    headers, token, conversation_id, question = alice_asks_her_balance(http)
    pcm = question + bytes(2 * RATE)

    async def logged_out_mid_stream() -> tuple[list[dict], int]:
        frames: list[dict] = []
        async with websockets.connect(ws_url(stack.url), max_size=2**23) as ws:
            await ws.send(json.dumps({"type": "start", "token": token, "conversation_id": conversation_id,
                                      "sample_rate": RATE}))
            assert json.loads(await ws.recv())["authenticated"]
            assert http.post("/api/auth/logout", headers=headers).status_code < 300
            for i in range(0, len(pcm), 3200):
                await ws.send(pcm[i:i + 3200])
            try:
                while True:
                    message = await asyncio.wait_for(ws.recv(), timeout=300)
                    if isinstance(message, str):
                        frames.append(json.loads(message))
            except websockets.ConnectionClosed as closed:
                return frames, closed.rcvd.code if closed.rcvd else 1006

    frames, code = asyncio.run(logged_out_mid_stream())
    assert code == 4401
    assert [f["type"] for f in frames if f["type"] not in ("heard", "audio_stop")] == ["error"]
    assert not any("Checking" in (f.get("text") or "") for f in frames)
