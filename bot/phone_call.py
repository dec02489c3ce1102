"""``bankbot call file.wav``: play a recorded caller through the telephony path of a running stack.

The recording goes over the Twilio Media Streams protocol exactly as a phone call would (8 kHz
mu-law, 20 ms frames, real-time pacing optional), with pauses in the recording separating the
caller's turns; afterwards the dialogue is printed from the conversation's transcript.
"""
from __future__ import annotations

import asyncio
import base64
import json
import secrets
from pathlib import Path

import httpx
import websockets

from speech.audio import mulaw_encode, read_wav, resample

FRAME_BYTES = 160  # 20 ms of 8 kHz mu-law
TRAILING_SILENCE_S = 3.0


def caller_frames(wav: Path) -> list[bytes]:
    """The recording as 20 ms mu-law frames at 8 kHz, followed by silence to end the last turn."""
    pcm = read_wav(wav.read_bytes())
    audio = mulaw_encode(resample(pcm.to_bytes(), pcm.sample_rate, 8000))
    audio += mulaw_encode(b"\x00\x00" * int(8000 * TRAILING_SILENCE_S))
    return [audio[i:i + FRAME_BYTES] for i in range(0, len(audio), FRAME_BYTES)]


async def play_call(url: str, wav: Path, realtime: bool) -> str:
    """Stream the call and return the conversation id it was recorded under."""
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        start = await http.post("/api/conversations", json={"channel": "voice"})
        start.raise_for_status()
        conversation_id = start.json()["conversation_id"]
    ws_url = url.replace("http", "ws", 1) + "/voice/twilio/stream"
    stream_sid = "MZ" + secrets.token_hex(16)
    async with websockets.connect(ws_url, max_size=2**22) as ws:
        await ws.send(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
        await ws.send(json.dumps({"event": "start", "sequenceNumber": "1", "streamSid": stream_sid,
                                  "start": {"streamSid": stream_sid, "callSid": "CA" + secrets.token_hex(16),
                                            "accountSid": "AC-local", "tracks": ["inbound"],
                                            "customParameters": {"conversation_id": conversation_id},
                                            "mediaFormat": {"encoding": "audio/x-mulaw",
                                                            "sampleRate": 8000, "channels": 1}}}))
        for seq, frame in enumerate(caller_frames(wav), start=2):
            await ws.send(json.dumps({"event": "media", "sequenceNumber": str(seq), "streamSid": stream_sid,
                                      "media": {"track": "inbound", "chunk": str(seq),
                                                "timestamp": str(seq * 20),
                                                "payload": base64.b64encode(frame).decode()}}))
            await asyncio.sleep(0.02 if realtime else 0)
        await asyncio.sleep(2)  # let the last reply be produced
        await ws.send(json.dumps({"event": "stop", "streamSid": stream_sid,
                                  "stop": {"callSid": "", "accountSid": ""}}))
    return conversation_id


def run_call(url: str, wav: Path, realtime: bool) -> int:
    """Play the call, then print who said what; returns a process exit code."""
    conversation_id = asyncio.run(play_call(url, wav, realtime))
    turns = httpx.get(f"{url}/api/conversations/{conversation_id}/transcript", timeout=30).json()["turns"]
    for turn in turns:
        print(f"{turn['speaker']:>8}> {turn['text']}")
    return 0 if turns else 1
