"""Conversations, transcripts and session tokens on a real SQLite file."""
from __future__ import annotations

import time

import pytest

from bot.conversations.store import ConversationStore, NewTurn, UnknownConversation
from bot.conversations.tokens import TokenStore
from bot.db import create_all, make_engine, make_session_factory


@pytest.fixture()
def sessions(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'gateway.db'}")
    create_all(engine)
    yield make_session_factory(engine)
    engine.dispose()


def test_transcript_keeps_turns_in_order_across_appends(sessions):
    store = ConversationStore(sessions)
    conversation = store.create("rest")
    store.append(conversation.id, [NewTurn("customer", "hi", "rest", nlu={"intent": {"name": "greet"}}),
                                   NewTurn("bot", "Hello!", "rest")])
    store.append(conversation.id, [NewTurn("customer", "bye", "rest")])
    turns = store.turns(conversation.id)
    assert [(t.seq, t.speaker, t.text) for t in turns] == [
        (1, "customer", "hi"), (2, "bot", "Hello!"), (3, "customer", "bye")]
    assert turns[0].nlu == {"intent": {"name": "greet"}}


def test_unknown_conversation_is_an_error(sessions):
    with pytest.raises(UnknownConversation):
        ConversationStore(sessions).get("nope")


def test_binding_a_customer_persists(sessions):
    store = ConversationStore(sessions)
    conversation = store.create("web")
    assert conversation.customer_id is None
    store.bind_customer(conversation.id, 7)
    assert store.get(conversation.id).customer_id == 7


def test_tokens_resolve_until_revoked_or_expired(sessions):
    tokens = TokenStore(sessions, ttl_s=3600)
    token, _ = tokens.issue(42)
    assert tokens.resolve(token) == 42
    assert tokens.resolve(token + "x") is None
    tokens.revoke(token)
    assert tokens.resolve(token) is None
    short = TokenStore(sessions, ttl_s=0)
    expired, _ = short.issue(42)
    time.sleep(0.01)
    assert short.resolve(expired) is None
