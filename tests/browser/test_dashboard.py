"""The supervisor dashboard in headless Chromium, after scripted conversations on the real stack.

The figures the page shows are checked against what the conversations did: the intents in their
own transcripts, and the feedback and complaints the customers gave. People reach the page by
logging in with a supervisor's hand-off account; the operator token is for scripts only.
"""
from __future__ import annotations

import json
import re
import shutil

import httpx
import pytest
import yaml
from selenium.webdriver.common.by import By  # after chromium.py's importorskip
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.browser.chromium import chromium, needs_chromium
from tests.stack.conftest import ROOT, run_stack, say, start

pytestmark = [pytest.mark.stack, needs_chromium]
TOKEN = "dashboard-test-operator"  # what a script (not a person) would send
SUPERVISOR = ("supervisor", "supervisor-demo-pass")
UNRECOGNISED = {"nlu_fallback", "out_of_scope"}
# (messages, csat, nps, complaint); no message is a complaint intent (data/analytics/complaints.yml),
# so the only cases are the ones filed here
SCRIPT = [
    (["hello", "what's my balance?"], 5, 10, None),
    (["zxqv plorth wibble snarf"], 2, 3, ("credit_card", "service")),
    (["what is the capital of france"], None, None, None),
    (["how do I activate my new card", "thanks, bye"], 4, 9, None),
]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory):
    """The whole product with an operator token, its own database, a copy of data/ (teaching
    writes data/nlu/learned.yml there, not into the checkout) and its own var/ seeded with the
    checkout's trained models (so it trains only if they are stale, and never races another run)."""
    tmp = tmp_path_factory.mktemp("dashboard")
    shutil.copytree(ROOT / "data", tmp / "data")
    for models in ("models", "rasa/models"):
        if (ROOT / "var" / models).is_dir():
            shutil.copytree(ROOT / "var" / models, tmp / "var" / models)
    env = {"BANKBOT_DATA_DIR": str(tmp / "data"), "BANKBOT_VAR_DIR": str(tmp / "var"),
           "BANKBOT_OPERATOR_TOKEN": TOKEN}
    # the first start after a data change trains NLU and Rasa
    with run_stack(tmp, env, ready_timeout_s=1500) as running:
        yield running, tmp / "data"


@pytest.fixture(scope="module")
def browser():
    with chromium() as driver:
        yield driver


def converse(http: httpx.Client, messages: list[str], csat, nps, complaint) -> str:
    sender = start(http)
    for message in messages:
        say(http, sender, message)
    if csat is not None:
        assert http.post(f"/api/conversations/{sender}/feedback", json={"csat": csat, "nps": nps}).status_code == 201
    if complaint:
        product, cause = complaint
        assert http.post(f"/api/conversations/{sender}/complaints",
                         json={"product": product, "cause": cause}).status_code == 201
    return sender


def expected_from(http: httpx.Client, senders: list[str]) -> tuple[dict[str, float], set[str]]:
    """The figures, worked out from the conversations' own transcripts and the feedback given."""
    intents, missed = [], set()
    for sender in senders:
        said = [t for t in http.get(f"/api/conversations/{sender}/transcript").json()["turns"]
                if t["speaker"] == "customer"]
        intents.append([t["nlu"]["intent"]["name"] for t in said])
        missed |= {t["text"].lower() for t in said if t["nlu"]["intent"]["name"] in UNRECOGNISED}
    contained = sum(1 for said in intents if said[-1] not in UNRECOGNISED)
    customer_turns = sum(len(said) for said in intents)
    fallback = sum(1 for said in intents for i in said if i in UNRECOGNISED)
    csats = [c for _, c, _, _ in SCRIPT if c is not None]
    npss = [n for _, _, n, _ in SCRIPT if n is not None]
    nps = 100 * (sum(n >= 9 for n in npss) - sum(n <= 6 for n in npss)) / len(npss)
    return {"conversations": len(senders), "containment_rate": 100 * contained / len(senders),
            "resolution_rate": 100 * contained / len(senders), "handoff_rate": 0.0,
            "fallback_rate": 100 * fallback / customer_turns, "csat_avg": sum(csats) / len(csats),
            "nps": nps, "complaints": sum(1 for *_, c in SCRIPT if c)}, missed


def shown(driver, name: str) -> float:
    text = driver.find_element(By.ID, f"fig-{name}").text
    match = re.search(r"-?\d+(?:\.\d+)?", text)
    assert match, f"{name} shows {text!r}"
    return float(match.group())


def loads(driver) -> int:
    return int(driver.find_element(By.TAG_NAME, "body").get_attribute("data-loaded") or 0)


def log_in(driver, username: str, password: str) -> None:
    driver.find_element(By.ID, "username").clear()
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "#login button[type=submit]").click()


def test_dashboard_figures_match_the_conversations(stack, browser) -> None:
    running, data_dir = stack
    with running.client() as http:
        senders = [converse(http, *step) for step in SCRIPT]
        expected, missed = expected_from(http, senders)

    browser.get(f"{running.url}/dashboard")
    log_in(browser, "agent", "agent-demo-pass")  # an agent is not a supervisor
    WebDriverWait(browser, 30).until(lambda d: d.find_element(By.ID, "status").text == "supervisors only")
    assert loads(browser) == 0 and not browser.find_element(By.ID, "filters").is_displayed()
    log_in(browser, *SUPERVISOR)
    WebDriverWait(browser, 30).until(lambda d: loads(d) >= 1)
    assert browser.find_element(By.ID, "status").text == "ok"
    for name, value in expected.items():
        assert shown(browser, name) == pytest.approx(value, abs=0.051), name
    assert shown(browser, "first_response_s") > 0 and shown(browser, "avg_response_s") > 0

    # the chart library is served by the app itself and draws the per-day series
    assert browser.execute_script("return typeof Chart") == "function"
    per_day = browser.execute_script(
        "const c = Chart.getChart('chart-daily'); return c.data.datasets[2].data.reduce((a, b) => a + b, 0)")
    assert per_day == expected["conversations"]
    channel_cells = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "#table-channels tbody td")]
    assert channel_cells[:2] == ["rest", str(expected["conversations"])]
    rows = browser.find_elements(By.CSS_SELECTOR, "#table-unrecognised tbody tr")
    assert {r.find_elements(By.TAG_NAME, "td")[0].text for r in rows} == missed

    # auto-refresh picks up a new conversation without a reload
    before = loads(browser)
    with running.client() as http:
        converse(http, ["hello"], None, None, None)
    WebDriverWait(browser, 40).until(lambda d: loads(d) > before and shown(d, "conversations") == expected["conversations"] + 1)


def test_a_missed_question_is_taught_in_one_click(stack, browser) -> None:
    running, data_dir = stack
    with running.client() as http:
        sender = start(http)
        say(http, sender, "what is the capital of france")
        intent = http.get(f"/api/conversations/{sender}/transcript").json()["turns"][0]["nlu"]["intent"]["name"]
    if intent not in UNRECOGNISED:
        pytest.skip(f"the model understood the question as {intent}")
    browser.get(f"{running.url}/dashboard")
    WebDriverWait(browser, 30).until(lambda d: loads(d) >= 1)  # the login is kept in sessionStorage
    browser.find_element(By.ID, "load-missed").click()
    row = WebDriverWait(browser, 120).until(lambda d: next(
        (r for r in d.find_elements(By.CSS_SELECTOR, "#missed-list .example")
         if "what is the capital of france" in r.text), None))
    Select(row.find_element(By.TAG_NAME, "select")).select_by_value("out_of_scope")
    button = row.find_element(By.TAG_NAME, "button")
    button.click()
    WebDriverWait(browser, 20).until(lambda d: button.text != "teach")
    assert button.text == "taught"
    learned = yaml.safe_load((data_dir / "nlu" / "learned.yml").read_text())
    blocks = {b["intent"]: b["examples"] for b in learned["nlu"]}
    assert "- what is the capital of france" in blocks["out_of_scope"]


def test_metrics_and_logs_of_the_same_stack(stack) -> None:
    """Operators' other two views: Prometheus figures per stage, and JSON logs without secrets."""
    running, _ = stack
    secret = "4000 0566 5566 5556"
    with running.client() as http:
        sender = start(http)
        say(http, sender, f"my card {secret} was declined, pin 9931")
        text = http.get("/metrics").text
    counts = {m.group(1): float(m.group(2)) for m in
              re.finditer(r'^bankbot_stage_seconds_count\{stage="(\w+)"\} (\S+)$', text, re.M)}
    assert counts["gateway_turn"] >= 1 and counts["rasa"] >= counts["gateway_turn"] and counts["nlu"] >= 1
    assert re.search(r'^bankbot_turns_total\{channel="rest"\} [1-9]', text, re.M)
    assert "bankbot_handoff_queue_length" in text
    lines = running.log.read_text(errors="replace").splitlines()
    assert secret not in "\n".join(lines) and "9931" not in "\n".join(lines)
    entries = [json.loads(line) for line in lines if line.startswith("{")]
    turn_lines = [e for e in entries if e["conversation_id"] == sender]
    assert any("/actions/webhook" in e["message"] for e in turn_lines)  # Rasa's calls carry the id too
    assert any(sender in e["message"] for e in turn_lines)  # ids are not mistaken for account numbers
    assert not re.search(r"token=(?!\[redacted\])", "\n".join(lines))


def test_agents_read_masked_transcripts_and_handoffs_reach_analytics(stack) -> None:
    """What staff see of a customer's card number, and the hand-off in the supervisor's figures."""
    running, _ = stack
    secret = "4000 0566 5566 5556"
    with running.client() as http:
        sender = start(http)
        replies = http.post("/webhooks/rest/webhook",
                            json={"sender": sender, "message": "I want to talk to a real person"}).json()
        entry_id = replies[-1]["custom"]["handoff"]["entry_id"]
        assert say(http, sender, f"card {secret} was charged twice") == []  # relayed to the agent
        login = http.post("/agent/login", json={"username": "agent", "password": "agent-demo-pass"})
        agent = {"Authorization": f"Bearer {login.json()['token']}"}
        claimed = http.post(f"/agent/conversations/{entry_id}/claim", headers=agent).json()
        seen_by_agent = [t["text"] for t in claimed["transcript"]]
        own = [t["text"] for t in http.get(f"/api/conversations/{sender}/transcript").json()["turns"]]
        handoffs = http.get("/api/analytics/handoffs", headers={"Authorization": f"Bearer {TOKEN}"}).json()
    assert "card [card ****5556] was charged twice" in seen_by_agent
    assert not any(secret in text for text in seen_by_agent)
    assert f"card {secret} was charged twice" in own  # the customer reads their own words
    assert any(r["reason"] == "human_request" for r in handoffs["reasons"])
    assert handoffs["queue"]["avg_wait_s"] is not None


def test_agents_first_response_and_handle_time_on_the_dashboard(stack, browser) -> None:
    """A person takes a chat, answers and resolves it: their row shows first response and handle time."""
    running, _ = stack
    with running.client() as http:
        sender = start(http)
        replies = http.post("/webhooks/rest/webhook",
                            json={"sender": sender, "message": "I want to talk to a real person"}).json()
        entry_id = replies[-1]["custom"]["handoff"]["entry_id"]
        login = http.post("/agent/login", json={"username": "fraud", "password": "fraud-demo-pass"})
        agent = {"Authorization": f"Bearer {login.json()['token']}"}
        assert http.post(f"/agent/conversations/{entry_id}/claim", headers=agent).status_code == 200
        assert http.post(f"/agent/conversations/{entry_id}/messages", headers=agent,
                         json={"text": "Hello, Sam here."}).status_code == 200
        assert http.post(f"/agent/conversations/{entry_id}/resolve", headers=agent,
                         json={"disposition": "resolved"}).status_code == 200
        figures = http.get("/api/analytics/handoffs", headers={"Authorization": f"Bearer {TOKEN}"}).json()
    [sam] = [a for a in figures["agents"] if a["agent"] == "fraud"]
    assert sam["conversations"] == 1 and 0 <= sam["avg_first_response_s"] <= sam["avg_handle_s"]

    browser.get(f"{running.url}/dashboard")
    browser.execute_script("sessionStorage.clear()")  # a fresh tab: log in again
    browser.get(f"{running.url}/dashboard")
    log_in(browser, *SUPERVISOR)
    WebDriverWait(browser, 30).until(lambda d: loads(d) >= 1)
    rows = {r.find_elements(By.TAG_NAME, "td")[0].text: [td.text for td in r.find_elements(By.TAG_NAME, "td")]
            for r in browser.find_elements(By.CSS_SELECTOR, "#table-agents tbody tr")}
    name, conversations, _wait, first_response, handle, _total = rows["Sam (fraud team)"]
    assert conversations == "1"
    assert float(first_response.split()[0]) == pytest.approx(sam["avg_first_response_s"], abs=0.01)
    assert float(handle.split()[0]) == pytest.approx(sam["avg_handle_s"], abs=0.01)
    drawn = browser.execute_script(
        "const c = Chart.getChart('chart-agents'); return [c.data.labels, c.data.datasets[0].data]")
    assert drawn[1][drawn[0].index("Sam (fraud team)")] == pytest.approx(sam["avg_first_response_s"], abs=0.01)
