"""Six messages at once in one conversation (a customer double-sending during a hand-off) are all
kept, numbered one after another: before the fix three of six lost the race for the next turn
number and answered 500, their messages lost (issue 15, item 9)."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.conversations.store import ConversationStore, NewTurn
from bot.db import create_all, make_engine, make_session_factory
from tests.pg import throwaway_schema


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ConversationStore]:
    if request.param == "sqlite":
        url_context = None
        url = f"sqlite:///{tmp_path / 'race.db'}"
    else:
        url_context = throwaway_schema("race")
        url = url_context.__enter__()
    engine = make_engine(url)
    create_all(engine)
    try:
        yield ConversationStore(make_session_factory(engine))
    finally:
        engine.dispose()
        if url_context is not None:
            url_context.__exit__(None, None, None)


def test_parallel_appends_keep_every_turn_in_order(store: ConversationStore) -> None:
    conversation = store.create("rest")
    start = threading.Barrier(6)
    failures: list[BaseException] = []

    def send(n: int) -> None:
        start.wait()
        try:
            store.append(conversation.id, [NewTurn("customer", f"message {n}", "rest"),
                                           NewTurn("system", f"queued {n}", "rest")])
        except BaseException as exc:  # noqa: BLE001 - every failure is reported below
            failures.append(exc)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    turns = store.turns(conversation.id)
    assert [t.seq for t in turns] == list(range(1, 13))
    assert sorted(t.text for t in turns if t.speaker == "customer") == [f"message {n}" for n in range(6)]
    for customer, system in zip(turns[::2], turns[1::2], strict=True):  # each pair stays together
        assert system.text == customer.text.replace("message", "queued")
