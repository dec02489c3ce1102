"""A stack of its own, because these tests lock out the test machine's address and crash the app:
a source guessing across customer numbers is locked, the lock survives a restart, and an app
killed with SIGKILL takes its Rasa child with it so the restarted app answers again (issue 15,
items 1 and 3; both failed before the fix: no per-address count, and the orphaned Rasa kept the
port with a stale token while /readyz said ready)."""
from __future__ import annotations

import os
import signal
import stat
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.rasa.supervisor import stop_stale_child
from tests.browser.chromium import chromium, needs_chromium
from tests.security.conftest import identify, say, start, texts
from tests.stack.running import ROOT, Stack, run_stack

pytestmark = pytest.mark.stack


def _gone(pid: int, within_s: float) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        if Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z":
            return True
        time.sleep(0.2)
    return False


@pytest.fixture(scope="module")
def crashable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with run_stack(tmp_path_factory.mktemp("crashable")) as running:
        yield running


def crash_and_restart(stack: Stack) -> None:
    """SIGKILL the app alone (not its process group), check Rasa went with it, start again."""
    rasa = stack.rasa_pid()
    os.kill(stack.proc.pid, signal.SIGKILL)
    assert _gone(rasa, within_s=20), "Rasa outlived the app"
    stack.start()
    stack.wait_ready()


def test_guessing_from_one_address_locks_it_and_a_crash_resets_nothing(crashable):
    with crashable.client() as http:
        # ten wrong answers (three customers reach their own lock-out on their third)
        for number in ["10000002"] * 3 + ["10000003"] * 3 + ["10000004"] * 3 + ["10000005"]:
            identify(http, number, "0000")
        _, replies = identify(http, "10000001", "4821")  # alice's right PIN, from the locked address
        assert "verified" not in texts(replies) and "locked" in texts(replies).lower()

        crash_and_restart(crashable)
        sender = start(http)
        assert "% a year" in texts(say(http, sender, "what's the interest rate on savings?"))
        _, replies = identify(http, "10000001", "4821")
        assert "locked" in texts(replies).lower(), "a restart lifted the lock-out"


@needs_chromium
def test_the_chat_page_reconnects_to_its_conversation_after_a_restart(crashable):
    """Issue 15, item 10: after a restart the page stayed disconnected, and a reload started a new
    conversation while the old one waited in the queue."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    with chromium() as driver:
        wait = WebDriverWait(driver, 180)
        driver.get(crashable.url + "/")
        wait.until(ec.element_to_be_clickable((By.ID, "send-btn")))
        first = driver.find_element(By.TAG_NAME, "body").get_attribute("data-conversation")

        def answered(question: str) -> None:
            before = len(driver.find_elements(By.CSS_SELECTOR, "#log .msg.bot"))
            driver.find_element(By.ID, "text").send_keys(question + "\n")
            wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#log .msg.bot")) > before)

        answered("how do I check my balance?")
        crash_and_restart(crashable)
        wait.until(ec.element_to_be_clickable((By.ID, "send-btn")))
        assert driver.find_element(By.TAG_NAME, "body").get_attribute("data-conversation") == first
        answered("what are your opening hours?")

        driver.refresh()
        wait.until(ec.element_to_be_clickable((By.ID, "send-btn")))
        assert driver.find_element(By.TAG_NAME, "body").get_attribute("data-conversation") == first
    with crashable.client() as http:
        said = [t["text"] for t in http.get(f"/api/conversations/{first}/transcript").json()["turns"]
                if t["speaker"] == "customer"]
    assert said == ["how do I check my balance?", "what are your opening hours?"]


def test_what_the_app_writes_is_private_to_its_account(crashable):
    """Issue 15, item 11: the database and the file with the internal token were world-readable."""
    files = [Path(crashable.database_url.removeprefix("sqlite:///")),
             ROOT / "var" / "rasa" / f"endpoints-{crashable.env['BANKBOT_PORT']}.yml",
             ROOT / "var" / "rasa" / "tracker.db"]
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path


def test_a_stale_rasa_recorded_in_the_pidfile_is_stopped(tmp_path):
    """What a crashed app left on the port (where the parent-death signal did not reach it)."""
    port = "59123"
    stale = subprocess.Popen(["bash", "-c", f"exec -a /opt/venv/bin/rasa sleep {port}"],
                             start_new_session=True)
    pidfile = tmp_path / "rasa.pid"
    pidfile.write_text(f"{stale.pid}\n")
    time.sleep(0.2)
    assert stop_stale_child(pidfile, int(port))
    assert stale.wait(timeout=15) == -signal.SIGTERM
    assert not pidfile.exists()


def test_a_pidfile_naming_some_other_process_stops_nothing(tmp_path):
    other = subprocess.Popen(["sleep", "30"], start_new_session=True)
    pidfile = tmp_path / "rasa.pid"
    pidfile.write_text(f"{other.pid}\n")
    try:
        assert not stop_stale_child(pidfile, 5005)
        assert other.poll() is None
    finally:
        other.kill()


def test_the_token_reaches_rasa_intact_and_never_its_command_line(tmp_path):
    """A generated token starting with '-' made `rasa run` exit with a usage error (seen in CI);
    and a token on the command line is readable by every local user (/proc/<pid>/cmdline)."""
    import argparse
    import json
    import sys

    from bot.rasa.supervisor import TOKEN_VARIABLE, RasaSupervisor
    from bot.settings import Settings

    token = "-starts-like-an-option"
    command = RasaSupervisor(Settings(var_dir=tmp_path, internal_token=token)).command()
    assert not any(token in part for part in command)
    fake_rasa = tmp_path / "fake" / "rasa"  # a named fake of Rasa's entry point: prints its argv
    fake_rasa.mkdir(parents=True)
    (fake_rasa / "__init__.py").write_text("")
    (fake_rasa / "__main__.py").write_text("import json, sys\ndef main():\n    print(json.dumps(sys.argv))\n")
    launched = subprocess.run([sys.executable, *command[1:]], capture_output=True, text=True, check=True,
                              env={"PYTHONPATH": str(tmp_path / "fake"), TOKEN_VARIABLE: token})
    parser = argparse.ArgumentParser()
    parser.add_argument("--auth-token")
    parser.add_argument("--port")
    known, _ = parser.parse_known_args(json.loads(launched.stdout)[1:])
    assert known.auth_token == token and known.port == str(Settings().rasa_port)
