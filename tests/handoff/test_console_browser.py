"""The agent console in a real headless Chromium: log in, claim, chat both ways, hand back."""
from __future__ import annotations

import asyncio
import socket
import threading
import time
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from fastapi import FastAPI
from selenium.webdriver.common.by import By  # after chromium.py's importorskip
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from bot.bankcore.seed import seed_demo_bank
from bot.bankcore.sql_bankcore import SqlBankCore
from bot.db import make_engine, make_session_factory
from bot.settings import PROJECT_ROOT, Settings
from handoff.agent_api import router
from handoff.events import InProcessBus
from handoff.setup import build_desk
from handoff.triggers import HandoffDecision
from tests.browser.chromium import chromium, needs_chromium
from tests.handoff.fakes import FakeKnowledge, FakeTranscripts, RecordingHooks

pytestmark = needs_chromium


@pytest.fixture
def server(tmp_path: Path):
    import uvicorn

    settings = Settings(var_dir=tmp_path, data_dir=PROJECT_ROOT / "data", redis_url=None)
    engine = make_engine(f"sqlite:///{tmp_path / 'console.db'}")
    loop_ready = threading.Event()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.loop = asyncio.get_running_loop()
        loop_ready.set()
        yield

    app = FastAPI(lifespan=lifespan)
    app.include_router(router)
    app.state.handoff_desk = build_desk(settings, engine, hooks=RecordingHooks(), bus=InProcessBus())
    app.state.transcripts = FakeTranscripts()
    seed_demo_bank(make_session_factory(engine), PROJECT_ROOT / "data" / "bank" / "demo_bank.yml")
    app.state.bankcore = SqlBankCore(make_session_factory(engine))
    app.state.knowledge = FakeKnowledge({"my card was stolen in Rome": (
        "faq", "I've noted it. Freeze the card in the app straight away.", [])})
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    assert loop_ready.wait(20)
    while not srv.started:
        time.sleep(0.05)

    def call(coro):
        return asyncio.run_coroutine_threadsafe(coro, app.state.loop).result(10)

    yield app, f"http://127.0.0.1:{port}", call
    srv.should_exit = True
    thread.join(10)
    engine.dispose()


@pytest.fixture
def browser():
    with chromium() as driver:
        yield driver


def test_agent_console_claim_chat_and_hand_back(server, browser):
    app, base, call = server
    desk, hooks = app.state.handoff_desk, app.state.handoff_desk.hooks
    app.state.transcripts.by_conversation["c1"] = [
        {"sender": "user", "text": "my card was stolen in Rome", "intent": "lost_or_stolen_card",
         "frustration": 0.6},
        {"sender": "bot", "text": "I'll get a colleague for you.", "action": "action_request_human"},
    ]
    alice = app.state.bankcore.authenticate("alice", "alice-demo-pass")
    decision = HandoffDecision("risk", ("cards", "lang:en"), 30, "lost_or_stolen_card")
    call(desk.escalate("c1", decision, transcript=app.state.transcripts.turns("c1"),
                       customer="Jane Doe", customer_id=str(alice.id)))
    wait = WebDriverWait(browser, 15)
    browser.get(base + "/agent/console")
    browser.find_element(By.ID, "username").send_keys("agent")
    browser.find_element(By.ID, "password").send_keys("agent-demo-pass")
    browser.find_element(By.CSS_SELECTOR, "#login button").click()

    claim = wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, "#queue button")))
    assert "risk" in browser.find_element(By.ID, "queue").text
    claim.click()
    wait.until(ec.text_to_be_present_in_element((By.ID, "summary"), "Who: Jane Doe"))
    assert "my card was stolen in Rome" in browser.find_element(By.ID, "chat").text
    wait.until(ec.text_to_be_present_in_element((By.ID, "customer"), alice.full_name))
    assert "****" in browser.find_element(By.ID, "customer").text

    wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, "#suggestions button"))).click()
    assert browser.find_element(By.ID, "text").get_attribute("value").startswith("I've noted it.")
    browser.find_element(By.ID, "text").clear()

    card = next(c for c in app.state.bankcore.list_cards(alice.id) if c.status == "active")
    freeze = next(b for b in browser.find_elements(By.CSS_SELECTOR, "#cards button")
                  if b.text == "Freeze")
    freeze.click()
    wait.until(lambda _: next(c for c in app.state.bankcore.list_cards(alice.id)
                              if c.id == card.id).status == "frozen")

    browser.find_element(By.ID, "text").send_keys("Hello Jane, I've blocked the card.")
    browser.find_element(By.CSS_SELECTOR, "#send button").click()
    wait.until(lambda _: hooks.agent_messages)
    assert hooks.agent_messages == [("c1", "Alex (demo agent)", "Hello Jane, I've blocked the card.")]

    assert call(desk.customer_message("c1", "thank you so much"))
    wait.until(ec.text_to_be_present_in_element((By.ID, "chat"), "thank you so much"))

    assert "case_opened" in [o.text for o in Select(browser.find_element(By.ID, "disposition")).options]
    browser.find_element(By.ID, "handback").click()
    wait.until(lambda _: hooks.resumed)
    assert hooks.resumed == [("c1", {})]
    assert desk.queue.open_for("c1") is None
