"""Hand-off reads the gateway's real transcript store through the ``TranscriptReader`` seam."""
from __future__ import annotations

from bot.conversations.store import ConversationStore, NewTurn
from bot.db import create_all, make_engine, make_session_factory
from handoff.summary import summarize
from handoff.transcript import (
    TranscriptReader,
    normalize_turn,
    recent_window,
    turn_from_parse,
)
from handoff.triggers import FRUSTRATION, REPEATED_FALLBACK, decide


def parse(intent: str, confidence: float, frustration: float, entities=()) -> dict:
    return {"intent": {"name": intent, "confidence": confidence}, "entities": list(entities),
            "sentiment": {"label": "negative" if frustration > 0.5 else "neutral",
                          "frustration": frustration}}


def store_with(tmp_path, turns: list[NewTurn]) -> tuple[ConversationStore, str]:
    engine = make_engine(f"sqlite:///{tmp_path / 'conv.db'}")
    create_all(engine)
    store = ConversationStore(make_session_factory(engine))
    conversation = store.create("web")
    store.append(conversation.id, turns)
    return store, conversation.id


def test_the_gateway_store_is_a_transcript_reader_and_its_turns_normalise(tmp_path, policy):
    store, cid = store_with(tmp_path, [
        NewTurn("customer", "where is my new card", "web",
                nlu=parse("card_arrival", 0.91, 0.3, [{"entity": "card", "value": "debit"}])),
        NewTurn("bot", "It should arrive within 5 days.", "web", meta={"action": "action_answer_support"}),
        NewTurn("customer", "that's what you said last week!!", "web", nlu=parse("nlu_fallback", 0.2, 0.8)),
    ])
    assert isinstance(store, TranscriptReader)
    first, answer, angry = (normalize_turn(t) for t in store.turns(cid))
    assert (first["sender"], first["intent"], first["confidence"], first["frustration"]) == (
        "user", "card_arrival", 0.91, 0.3)
    assert first["entities"] == [{"entity": "card", "value": "debit"}]
    assert first["timestamp"] and answer["action"] == "action_answer_support"
    assert angry["sentiment"] == "negative"
    decision = decide(recent_window(store.turns(cid)), policy)
    assert decision.reason == FRUSTRATION and "cards" in decision.skills
    assert "Wanted: card arrival (card=debit)" in summarize(store.turns(cid))


def test_trigger_turn_from_a_flat_parse():
    turn = turn_from_parse({"intent": "nlu_fallback", "confidence": 0.1, "frustration": 0.2,
                            "text": "blah"})
    assert (turn.intent, turn.confidence, turn.frustration, turn.text) == ("nlu_fallback", 0.1, 0.2, "blah")


def test_recent_window_feeds_the_fallback_trigger(policy):
    transcript = [{"sender": "user", "intent": "nlu_fallback"}, {"sender": "bot", "text": "Sorry?"},
                  {"sender": "user", "intent": "nlu_fallback"}, {"sender": "bot", "text": "Still?"},
                  {"speaker": "customer", "nlu": parse("nlu_fallback", 0.1, 0.1)}]
    assert decide(recent_window(transcript), policy).reason == REPEATED_FALLBACK


def test_recent_window_reads_what_the_bot_did_with_each_turn(policy):
    """Low-confidence questions the knowledge layer answered are no misses; clarifying ones are."""
    def turn(kind: str) -> list[dict]:
        return [{"speaker": "customer", "nlu": parse("nlu_fallback", 0.1, 0.1)},
                {"speaker": "bot", "text": "...", "meta": {"custom": {"kind": kind}}}]
    answered = recent_window(turn("graph") + turn("faq") + turn("out_of_scope"))
    assert [t.outcome for t in answered.turns] == ["graph", "faq", "out_of_scope"]
    assert decide(answered, policy) is None
    assert decide(recent_window(turn("clarify") + turn("offer_person") + turn("clarify")), policy).reason \
        == REPEATED_FALLBACK

