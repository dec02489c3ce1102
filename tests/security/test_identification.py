"""Identification by customer number and PIN or date of birth: lock-outs that a new conversation
does not reset, and a conversation that needs the credential it was given once the customer is
known. Each test failed on the code before its fix (issue 15, items 1 and 2)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy.orm import sessionmaker

from bot.db import create_all, make_engine, make_session_factory
from bot.security.attempts import AttemptGuard, LockRule
from tests.security.conftest import identify, say, session_token, texts

pytestmark = pytest.mark.stack


def test_wrong_pins_in_many_conversations_lock_the_customer_number(http):
    """Five conversations with two wrong PINs each used to leave the sixth free to guess on."""
    for _ in range(3):
        sender, replies = identify(http, "10000003", "1111")
        assert "verified" not in texts(replies)
    sender, replies = identify(http, "10000003", "2468")  # the right PIN, after the lock-out
    assert "verified" not in texts(replies) and "locked" in texts(replies).lower()
    assert session_token(replies) is None


def test_identified_conversation_needs_the_token_it_was_given(http):
    sender, replies = identify(http, "10000001", "4821")
    assert "verified" in texts(replies)
    token = session_token(replies)
    assert token, replies
    # without the credential: nothing of the customer's, not even the transcript
    assert http.get(f"/api/conversations/{sender}/transcript").status_code == 401
    assert http.post("/webhooks/rest/webhook", json={"sender": sender, "message": "show my transactions"}
                     ).status_code == 401
    with_token = {"Authorization": f"Bearer {token}"}
    assert http.get(f"/api/conversations/{sender}/transcript", headers=with_token).status_code == 200
    assert "Everyday Checking" in texts(say(http, sender, "what's my balance", with_token))


def test_another_customers_token_is_refused_on_an_identified_conversation(http):
    sender, replies = identify(http, "10000005", "3141")
    assert session_token(replies)
    bob = http.post("/api/auth/login", json={"username": "bob", "password": "bob-demo-pass"}).json()["token"]
    assert http.get(f"/api/conversations/{sender}/transcript",
                    headers={"Authorization": f"Bearer {bob}"}).status_code == 403


def test_a_lock_out_outlives_the_process(tmp_path):
    """Counts live in the database: a new guard (a restarted app, another instance) sees them."""
    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    create_all(engine)
    sessions: sessionmaker = make_session_factory(engine)
    rules = {"per_customer": LockRule(failures=3, window_s=300, lock_s=60, max_lock_s=600)}
    now = datetime(2026, 12, 7, tzinfo=timezone.utc)
    first = AttemptGuard(sessions, rules, "identification", clock=lambda: now)
    for _ in range(3):
        first.failed({"per_customer": "10000002"})
    again = AttemptGuard(sessions, rules, "identification", clock=lambda: now + timedelta(seconds=30))
    assert 29 <= again.locked_for({"per_customer": "10000002"}) <= 31
    later = AttemptGuard(sessions, rules, "identification", clock=lambda: now + timedelta(seconds=61))
    assert later.locked_for({"per_customer": "10000002"}) == 0
    for _ in range(3):  # the second lock-out lasts twice as long
        later.failed({"per_customer": "10000002"})
    assert 119 <= later.locked_for({"per_customer": "10000002"}) <= 120


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_parallel_guesses_are_all_counted(tmp_path, database):
    """Guesses sent at once from many conversations must not overwrite each other's count (a lost
    update would give an attacker free guesses) nor fail on the new key's row."""
    import contextlib
    import threading

    from tests.pg import throwaway_schema

    with contextlib.ExitStack() as stack:
        url = (f"sqlite:///{tmp_path / 'race.db'}" if database == "sqlite"
               else stack.enter_context(throwaway_schema("attempts")))
        engine = make_engine(url)
        stack.callback(engine.dispose)
        create_all(engine)
        guard = AttemptGuard(make_session_factory(engine),
                             {"per_customer": LockRule(failures=6, window_s=300, lock_s=60, max_lock_s=600)},
                             "identification")
        start, errors = threading.Barrier(6), []

        def guess() -> None:
            start.wait()
            try:
                guard.failed({"per_customer": "10000004"})
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=guess) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert guard.locked_for({"per_customer": "10000004"}) > 0  # six failures: locked


def test_wrong_passwords_from_an_address_are_not_its_wrong_pins(tmp_path):
    """Both guards count per source address in one table; a shared key let a few wrong passwords
    lock an address out of identification (and the other way round)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'scopes.db'}")
    create_all(engine)
    sessions = make_session_factory(engine)
    rule = {"per_source": LockRule(failures=2, window_s=300, lock_s=60, max_lock_s=600)}
    login, identification = AttemptGuard(sessions, rule, "login"), AttemptGuard(sessions, rule, "identification")
    for _ in range(2):
        login.failed({"per_source": "203.0.113.9"})
    assert login.locked_for({"per_source": "203.0.113.9"}) > 0
    assert identification.locked_for({"per_source": "203.0.113.9"}) == 0
