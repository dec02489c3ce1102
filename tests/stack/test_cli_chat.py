"""`bankbot chat`: a terminal conversation with the running stack."""
from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.stack


def test_terminal_chat_logs_in_and_talks(stack):
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat", "--url", stack.url, "--user", "alice",
         "--password", "alice-demo-pass"],
        input="hello\nwhat's my balance\n", capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "bot> Hello" in result.stdout
    assert "Here are your balances" in result.stdout and "Everyday Checking" in result.stdout


def test_terminal_chat_reports_a_wrong_password(stack):
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat", "--url", stack.url, "--user", "alice",
         "--password", "nope"], input="", capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 1
    assert "login failed" in result.stderr
