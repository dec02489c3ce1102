"""The satisfaction survey on the real stack (Rasa included): a chat that ends is asked, the score
reaches the supervisor's figures; an agent-resolved chat is asked too; a caller rates by keypad
before the bot hangs up; a customer who ignores the survey gets their new request answered."""
from __future__ import annotations

import asyncio
import json

import httpx
import pytest
import websockets
from websockets.sync.client import connect

from bot.analytics.feedback import nps_sampled
from bot.settings import Settings
from speech.audio import resample
from speech.config import TtsSettings
from speech.tts import load_synthesizer
from tests.stack.conftest import start
from tests.stack.test_phone_call import SID, Caller

pytestmark = pytest.mark.stack
CSAT_ASKED = "from 1 (very unhappy) to 5 (very happy)"


def chat(http: httpx.Client, sender: str, text: str) -> list[dict]:
    response = http.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})
    assert response.status_code == 200, response.text
    return response.json()


def finish_survey(send, first_reply: dict) -> dict:
    """Answer whatever follows the score (comment: no; NPS on the sample: 9) up to the thanks."""
    reply = first_reply
    while not reply["custom"].get("end_of_conversation"):
        step = reply["custom"]["survey"]["step"]
        reply = send("no thanks" if step == "comment" else "9")[-1]
    return reply


def csat_responses(http: httpx.Client) -> tuple[int, float | None]:
    """The supervisor's view: how many scores the analytics count, and their average."""
    token = http.post("/api/analytics/login",
                      json={"username": "supervisor", "password": "supervisor-demo-pass"}).json()["token"]
    overview = http.get("/api/analytics/summary", headers={"Authorization": f"Bearer {token}"}).json()["overview"]
    return overview.get("csat_responses", 0), overview.get("csat_avg")


def test_a_chat_that_ends_is_asked_and_the_score_reaches_the_figures(http):
    before, _ = csat_responses(http)
    sender = start(http)
    chat(http, sender, "hello")
    assert "anything else" in chat(http, sender, "thanks")[-1]["text"].lower()
    goodbye, question = chat(http, sender, "no")
    assert goodbye["text"].startswith("Goodbye") and CSAT_ASKED in question["text"]

    scored = chat(http, sender, "four")
    assert scored[-1]["custom"]["survey"]["step"] == "comment"
    thanks = finish_survey(lambda text: chat(http, sender, text), scored[-1])
    assert thanks["text"].startswith("Thank you for your feedback")

    assert chat(http, sender, "5")[-1].get("custom", {}).get("survey") is None  # not a second answer
    after, average = csat_responses(http)
    assert after == before + 1 and average is not None
    assert http.get(f"/api/conversations/{sender}/feedback/prompt").json()["csat_question"] is None


def test_a_customer_who_ignores_the_survey_gets_an_answer(http):
    sender = start(http)
    *_, question = chat(http, sender, "goodbye")
    assert CSAT_ASKED in question["text"]
    replies = chat(http, sender, "I want to talk to a real person")
    assert "colleague" in replies[0]["text"].lower() and replies[-1]["custom"]["handoff"]
    assert http.get(f"/api/conversations/{sender}/feedback/prompt").json()["csat_question"] is not None


def receive_until(ws, wanted) -> dict:
    for _ in range(30):
        frame = json.loads(ws.recv(timeout=60))
        if wanted(frame):
            return frame
    raise AssertionError("the frame never came")


def test_an_agent_resolved_chat_is_asked_in_the_chat(stack, http):
    with connect(stack.url.replace("http://", "ws://") + "/ws/chat") as ws:
        ws.send(json.dumps({"type": "start"}))
        conversation_id = receive_until(ws, lambda f: f["type"] == "session")["conversation_id"]
        ws.send(json.dumps({"type": "message", "text": "I want to talk to a real person"}))
        entry_id = receive_until(ws, lambda f: (f.get("custom") or {}).get("handoff"))["custom"]["handoff"]["entry_id"]

        agent = login_agent(http)
        assert http.post(f"/agent/conversations/{entry_id}/claim", headers=agent).status_code == 200
        http.post(f"/agent/conversations/{entry_id}/messages", headers=agent, json={"text": "All sorted."})
        resolved = http.post(f"/agent/conversations/{entry_id}/resolve", headers=agent,
                             json={"disposition": "resolved"})
        assert resolved.status_code == 200, resolved.text

        question = receive_until(ws, lambda f: f["type"] == "bot")
        assert CSAT_ASKED in question["text"]
        ws.send(json.dumps({"type": "message", "text": "5 stars"}))
        scored = receive_until(ws, lambda f: f["type"] == "bot")

        def send(text: str) -> list[dict]:
            ws.send(json.dumps({"type": "message", "text": text}))
            return [receive_until(ws, lambda f: f["type"] == "bot")]
        finish_survey(send, scored)
    prompt = http.get(f"/api/conversations/{conversation_id}/feedback/prompt").json()
    assert prompt["csat_question"] is None


def login_agent(http: httpx.Client) -> dict[str, str]:
    response = http.post("/agent/login", json={"username": "agent", "password": "agent-demo-pass"})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def call_rating_by_keypad(url: str, conversation_id: str, goodbye_8k: bytes, nps_asked: bool) -> bool:
    """Say goodbye, press 4 for the score (and 9# for the sampled NPS); True once the bot hung up."""
    async with websockets.connect(url.replace("http", "ws", 1) + "/voice/twilio/stream", max_size=2**23) as ws:
        caller = Caller(ws)
        listener = asyncio.create_task(caller.listen())
        await ws.send(json.dumps({"event": "start", "streamSid": SID, "start": {
            "streamSid": SID, "callSid": "CAsurvey", "accountSid": "ACtest", "tracks": ["inbound"],
            "customParameters": {"conversation_id": conversation_id},
            "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1}}}))
        await caller.reply()                      # greeting
        await caller.say(goodbye_8k)
        await caller.reply()                      # goodbye and the 1-5 question
        await caller.key("4")                     # one key, no '#'
        await caller.reply()                      # thanks (and hang up), or the sampled NPS question
        if nps_asked:
            await caller.key("9#")
            await caller.reply()                  # thanks
        await asyncio.wait_for(listener, timeout=120)  # the bot closes the call after its last words
        return True


def test_a_caller_rates_by_keypad_before_the_bot_hangs_up(stack, http):
    pcm = load_synthesizer(TtsSettings()).synthesize("Goodbye.")
    goodbye_8k = resample(pcm.to_bytes(), pcm.sample_rate, 8000)
    conversation_id = http.post("/api/conversations", json={"channel": "voice"}).json()["conversation_id"]
    nps_asked = nps_sampled(conversation_id, Settings().nps_sample_rate)  # the stack's own setting

    assert asyncio.run(call_rating_by_keypad(stack.url, conversation_id, goodbye_8k, nps_asked))

    turns = http.get(f"/api/conversations/{conversation_id}/transcript").json()["turns"]
    said = {(t["meta"] or {}).get("survey"): t["text"] for t in turns if t["speaker"] == "customer"}
    assert said["csat"] == "4", turns
    assert turns[-1]["text"].startswith("Thank you for your feedback")
    assert http.get(f"/api/conversations/{conversation_id}/feedback/prompt").json() == {
        "csat_question": None, "nps_question": None}
