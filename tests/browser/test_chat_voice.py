"""The chat page's microphone in a real headless Chromium on the real stack.

Chromium's fake capture device plays a WAV file (piper saying the question) as the microphone;
the page streams it to /ws/voice, shows what was heard and the bot's answer, and plays the reply.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from selenium.webdriver.common.by import By  # after chromium.py's importorskip
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from speech.audio import Pcm, pcm16_to_array, write_wav
from speech.config import TtsSettings
from speech.tts import load_synthesizer
from tests.browser.chromium import chromium, needs_chromium
from tests.stack.conftest import run_stack

pytestmark = [pytest.mark.stack, needs_chromium]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory):
    with run_stack(tmp_path_factory.mktemp("chat-voice")) as running:
        yield running


@pytest.fixture(scope="module")
def question_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Half a second of silence, the question, then four seconds of silence (played once)."""
    speech = load_synthesizer(TtsSettings()).synthesize("What is my balance?")
    silence = lambda s: bytes(2 * int(speech.sample_rate * s))  # noqa: E731
    pcm = silence(0.5) + speech.to_bytes() + silence(4.0)
    path = tmp_path_factory.mktemp("mic") / "question.wav"
    path.write_bytes(write_wav(Pcm(pcm16_to_array(pcm), speech.sample_rate)))
    return path


def test_customer_asks_by_voice_and_sees_and_hears_the_answer(stack, question_wav):
    flags = ("--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
             f"--use-file-for-fake-audio-capture={question_wav}%noloop",
             "--autoplay-policy=no-user-gesture-required")
    with chromium(*flags) as driver:
        wait = WebDriverWait(driver, 180)
        driver.get(stack.url + "/")
        driver.find_element(By.ID, "username").send_keys("alice")
        driver.find_element(By.ID, "password").send_keys("alice-demo-pass")
        driver.find_element(By.ID, "login-btn").click()
        wait.until(ec.text_to_be_present_in_element((By.ID, "who"), "logged in as"))
        wait.until(ec.element_to_be_clickable((By.ID, "send-btn")))
        conversation = driver.find_element(By.TAG_NAME, "body").get_attribute("data-conversation")

        driver.find_element(By.ID, "mic-btn").click()
        wait.until(lambda d: any("Everyday Checking" in m.text
                                 for m in d.find_elements(By.CSS_SELECTOR, "#log .msg.bot")))
        heard = [m.text.lower() for m in driver.find_elements(By.CSS_SELECTOR, "#log .msg.me")]
        assert any("balance" in h for h in heard), heard
        # the reply audio reached the page and played to its end
        wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-reply-audio") == "played")
        assert driver.find_element(By.TAG_NAME, "body").get_attribute("data-conversation") == conversation

    with stack.client() as http:
        turns = http.get(f"/api/conversations/{conversation}/transcript",
                         headers=_alice(http)).json()["turns"]
    assert any(t["channel"] == "voice" and "balance" in t["text"].lower()
               for t in turns if t["speaker"] == "customer")


def _alice(http) -> dict[str, str]:
    token = http.post("/api/auth/login", json={"username": "alice", "password": "alice-demo-pass"})
    return {"Authorization": f"Bearer {token.json()['token']}"}
