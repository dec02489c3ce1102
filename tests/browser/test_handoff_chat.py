"""A customer and an agent in two real browser windows on the real stack.

The customer chat page (``/``) asks for a person; the agent console (``/agent/console``) claims
the conversation, both sides write and see each other's messages (once each) and typing, the
agent hands back, and the assistant answers the customer's next banking question.
"""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By  # after chromium.py's importorskip
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.chromium import chromium, needs_chromium
from tests.stack.conftest import run_stack

pytestmark = [pytest.mark.stack, needs_chromium]
ASK = "I want to talk to a real person"
FROM_AGENT = "Hello Alice, this is Alex. How can I help?"
FROM_CUSTOMER = "A card payment to a shop looks wrong"
QUESTION = "how do I activate my new card?"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory):
    with run_stack(tmp_path_factory.mktemp("handoff-chat")) as running:
        yield running


def texts(driver, selector: str) -> list[str]:
    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, selector)]


def said(driver, css: str, text: str) -> int:
    """How many messages matching ``css`` carry exactly ``text`` (bubbles may add a name line)."""
    return sum(1 for t in texts(driver, css) if text in t.splitlines())


def test_customer_and_agent_chat_in_two_windows_and_the_bot_takes_back_over(stack):
    with chromium() as driver:
        wait = WebDriverWait(driver, 120)
        customer = driver.current_window_handle
        driver.get(stack.url + "/")
        driver.find_element(By.ID, "username").send_keys("alice")
        driver.find_element(By.ID, "password").send_keys("alice-demo-pass")
        driver.find_element(By.ID, "login-btn").click()
        wait.until(ec.text_to_be_present_in_element((By.ID, "who"), "logged in as"))
        wait.until(ec.element_to_be_clickable((By.ID, "send-btn")))
        driver.find_element(By.ID, "text").send_keys(ASK + "\n")
        wait.until(ec.visibility_of_element_located((By.ID, "back-to-bot")))
        notice = texts(driver, "#log .msg.bot")[-1]
        assert "colleague" in notice, notice

        driver.switch_to.new_window("window")
        agent = driver.current_window_handle
        driver.get(stack.url + "/agent/console")
        driver.find_element(By.ID, "username").send_keys("agent")
        driver.find_element(By.ID, "password").send_keys("agent-demo-pass")
        driver.find_element(By.CSS_SELECTOR, "#login button").click()
        claim = wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, "#queue tr button")))
        [row] = texts(driver, "#queue tr")
        assert "human_request" in row
        claim.click()
        wait.until(ec.text_to_be_present_in_element((By.ID, "conv-title"), "human_request"))
        wait.until(ec.text_to_be_present_in_element((By.ID, "chat"), ASK))
        assert said(driver, "#chat .turn.user", ASK) == 1

        # the agent types: the customer sees the indicator, then the message, once
        driver.find_element(By.ID, "text").send_keys(FROM_AGENT)
        driver.switch_to.window(customer)
        wait.until(ec.text_to_be_present_in_element((By.ID, "typing"), "typing"))
        wait.until(ec.text_to_be_present_in_element((By.ID, "log"), "has joined the conversation"))
        driver.switch_to.window(agent)
        driver.find_element(By.CSS_SELECTOR, "#send button").click()
        driver.switch_to.window(customer)
        wait.until(lambda d: said(d, "#log .msg.agent", FROM_AGENT) == 1)
        assert driver.find_element(By.ID, "typing").text == ""

        # the customer types: the agent sees the indicator, then the message, once
        driver.find_element(By.ID, "text").send_keys(FROM_CUSTOMER)
        driver.switch_to.window(agent)
        wait.until(ec.text_to_be_present_in_element((By.ID, "typing-note"), "customer is typing"))
        driver.switch_to.window(customer)
        driver.find_element(By.ID, "send-btn").click()
        driver.switch_to.window(agent)
        wait.until(lambda d: said(d, "#chat .turn.user", FROM_CUSTOMER) == 1)
        assert said(driver, "#chat .turn.agent", FROM_AGENT) == 1

        driver.find_element(By.ID, "handback").click()
        wait.until(ec.invisibility_of_element_located((By.ID, "conv")))
        driver.switch_to.window(customer)
        wait.until(ec.text_to_be_present_in_element((By.ID, "log"), "back with the virtual assistant"))
        assert not driver.find_element(By.ID, "back-to-bot").is_displayed()
        assert said(driver, "#log .msg.me", FROM_CUSTOMER) == 1
        assert said(driver, "#log .msg.agent", FROM_AGENT) == 1

        # back with the bot: a banking question gets the assistant's answer, not silence
        before = len(texts(driver, "#log .msg.bot"))
        driver.find_element(By.ID, "text").send_keys(QUESTION + "\n")
        wait.until(lambda d: len(texts(d, "#log .msg.bot")) > before)
        answer = texts(driver, "#log .msg.bot")[-1]
        assert "activat" in answer.lower(), answer
        assert len(texts(driver, "#log .msg.agent")) == 1


def test_an_unclear_question_offers_its_topics_as_buttons_and_a_click_answers(stack):
    with chromium() as driver:
        wait = WebDriverWait(driver, 120)
        driver.get(stack.url + "/")
        wait.until(ec.element_to_be_clickable((By.ID, "send-btn")))
        driver.find_element(By.ID, "text").send_keys("fees?\n")
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#log .quick-reply"))
        buttons = driver.find_elements(By.CSS_SELECTOR, "#log .quick-reply")
        assert 2 <= len(buttons) <= 3
        chosen = buttons[0].text
        buttons[0].click()
        # the choice is sent as the customer's message, the buttons go, and an answer with its source arrives
        wait.until(lambda d: chosen in texts(d, "#log .msg.me"))
        wait.until(lambda d: len(texts(d, "#log .msg.bot")) >= 2)
        assert not driver.find_elements(By.CSS_SELECTOR, "#log .quick-reply")
        assert "Source:" in texts(driver, "#log .msg.bot")[-1]
