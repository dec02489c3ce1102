"""A phone caller asks for a person; an agent in a real headless Chromium console sees the call
badged as voice with what the caller said, claims it, types a reply, and the caller hears it
(no Twilio credentials: the call stays on the line)."""
from __future__ import annotations

import asyncio
import json
import threading

import pytest
import websockets
from selenium.webdriver.common.by import By  # after chromium.py's importorskip
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from speech.config import AsrSettings, TtsSettings
from speech.models import load_engine
from speech.tts import load_synthesizer
from tests.browser.chromium import chromium, needs_chromium
from tests.stack.conftest import run_stack
from tests.stack.test_phone_call import SID, transcribe
from tests.stack.test_phone_handoff import LiveCaller, spoken

pytestmark = [pytest.mark.stack, needs_chromium]
FROM_AGENT = "Hello, this is the card team. How can I help?"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory):
    with run_stack(tmp_path_factory.mktemp("phone-console")) as running:
        yield running


@pytest.fixture
def loop():
    """The phone line runs on its own event loop while selenium drives the console."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield lambda coro: asyncio.run_coroutine_threadsafe(coro, loop).result(300)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


async def dial(url: str) -> LiveCaller:
    ws = await websockets.connect(url.replace("http", "ws", 1) + "/voice/twilio/stream", max_size=2**23)
    caller = LiveCaller(ws)
    caller.tasks = [asyncio.create_task(caller.listen())]
    await ws.send(json.dumps({"event": "start", "streamSid": SID, "start": {
        "streamSid": SID, "callSid": "CAconsole", "accountSid": "ACtest", "tracks": ["inbound"],
        "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1}}}))
    await caller.reply()  # greeting
    caller.tasks.append(asyncio.create_task(caller.keep_line_open()))
    return caller


async def hang_up(caller: LiveCaller) -> None:
    for task in caller.tasks:
        task.cancel()
    await caller.ws.send(json.dumps({"event": "stop", "streamSid": SID, "stop": {}}))
    await caller.ws.close()


def test_agent_console_takes_a_phone_call_and_the_caller_hears_the_agent(stack, loop):
    tts, asr = load_synthesizer(TtsSettings()), load_engine(AsrSettings(language="en"))
    caller = loop(dial(stack.url))
    loop(caller.say(spoken(tts, "I want to talk to a real person.")))
    assert "stay on the line" in transcribe(asr, loop(caller.reply())).lower()

    with chromium() as driver:
        wait = WebDriverWait(driver, 120)
        driver.get(stack.url + "/agent/console")
        driver.find_element(By.ID, "username").send_keys("agent")
        driver.find_element(By.ID, "password").send_keys("agent-demo-pass")
        driver.find_element(By.CSS_SELECTOR, "#login button").click()
        claim = wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, "#queue tr button")))
        row = driver.find_element(By.CSS_SELECTOR, "#queue tr").text
        assert "voice" in row and "human_request" in row, row
        claim.click()
        wait.until(ec.text_to_be_present_in_element((By.ID, "conv-title"), "voice"))
        wait.until(ec.text_to_be_present_in_element((By.ID, "chat"), "person"))
        assert "joined" in transcribe(asr, loop(caller.reply())).lower()

        driver.find_element(By.ID, "text").send_keys(FROM_AGENT)
        driver.find_element(By.CSS_SELECTOR, "#send button").click()
        heard = transcribe(asr, loop(caller.reply())).lower()
        assert "card team" in heard, heard
    loop(hang_up(caller))
