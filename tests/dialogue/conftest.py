"""The real stack for dialogue tests, with its ledger URL known so tests can read the demo
bank's outbox (step-up codes) and check postings directly."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.bankcore.sql_bankcore import SqlBankCore
from bot.conversations.store import ConversationStore
from bot.db import make_engine, make_session_factory
from tests.stack.conftest import Stack, run_stack


@dataclass
class BankStack:
    stack: Stack
    bank: SqlBankCore
    conversations: ConversationStore


@pytest.fixture(scope="session")
def bank_stack(tmp_path_factory: pytest.TempPathFactory):
    with run_stack(tmp_path_factory.mktemp("dialogue-stack")) as running:
        engine = make_engine(running.database_url)
        sessions = make_session_factory(engine)
        yield BankStack(running, SqlBankCore(sessions), ConversationStore(sessions))
        engine.dispose()


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


