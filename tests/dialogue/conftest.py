"""The real stack for dialogue tests, with its ledger URL known so tests can read the demo
bank's outbox (step-up codes) and check postings directly."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass

import pytest

from bot.bankcore.sql_bankcore import SqlBankCore
from bot.conversations.store import ConversationStore
from bot.db import make_engine, make_session_factory
from tests.stack.conftest import ROOT, Stack, free_port


@dataclass
class BankStack:
    stack: Stack
    bank: SqlBankCore
    conversations: ConversationStore


@pytest.fixture(scope="session")
def bank_stack(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("dialogue-stack")
    database_url = f"sqlite:///{tmp / 'bank.db'}"
    port, rasa_port = free_port(), free_port()
    env = {**os.environ, "BANKBOT_PORT": str(port), "BANKBOT_RASA_PORT": str(rasa_port),
           "BANKBOT_DATABASE_URL": database_url}
    log = tmp / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve"], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    running = Stack(f"http://127.0.0.1:{port}", rasa_port, proc, log)
    try:
        running.wait_ready()
        engine = make_engine(database_url)
        sessions = make_session_factory(engine)
        yield BankStack(running, SqlBankCore(sessions), ConversationStore(sessions))
        engine.dispose()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture()
def http(bank_stack: BankStack):
    with bank_stack.stack.client() as client:
        yield client


@pytest.fixture()
def bank(bank_stack: BankStack) -> SqlBankCore:
    return bank_stack.bank


@pytest.fixture()
def conversations(bank_stack: BankStack) -> ConversationStore:
    return bank_stack.conversations


