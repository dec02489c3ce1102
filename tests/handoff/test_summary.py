"""The template summary an agent reads first."""
from __future__ import annotations

from handoff.summary import summarize


def test_summary_says_who_what_did_and_failed():
    transcript = [
        {"sender": "user", "text": "hi", "intent": "greet", "frustration": 0.0},
        {"sender": "bot", "text": "Hello!", "action": "utter_greet"},
        {"sender": "user", "text": "send 50 to mum", "intent": "transfer_money", "frustration": 0.2,
         "entities": [{"entity": "amount", "value": 50}, {"entity": "payee", "value": "Mum"}]},
        {"sender": "bot", "text": "Which account?", "action": "action_transfer_money"},
        {"sender": "user", "text": "asdf", "intent": "nlu_fallback", "frustration": 0.6},
        {"sender": "bot", "text": "Sorry?", "action": "utter_please_rephrase"},
    ]
    text = summarize(transcript, customer="Jane Doe", channel="web", reason="repeated_fallback")
    lines = text.splitlines()
    assert lines[0] == "Who: Jane Doe via web, 3 messages"
    assert lines[1] == "Wanted: transfer money (amount=50, payee=Mum)"
    assert lines[2] == "Bot did: 3 replies; ran action_transfer_money"
    assert lines[3] == "Failed: 1 not understood; peak frustration 0.60; handed off: repeated_fallback"


def test_summary_of_an_empty_transcript_is_still_readable():
    assert summarize([]).splitlines()[1] == "Wanted: not stated"
