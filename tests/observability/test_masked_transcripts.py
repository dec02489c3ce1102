"""Staff read transcripts with personal data masked; the stored transcript stays intact."""
from __future__ import annotations

from pathlib import Path

from bot.conversations.store import ConversationStore, NewTurn
from bot.db import create_all, make_engine, make_session_factory
from bot.observability.masked_transcripts import MaskedTranscripts
from handoff.transcript import normalize_turn


def test_agents_see_masked_turns_customers_keep_theirs(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 't.db'}")
    create_all(engine)
    store = ConversationStore(make_session_factory(engine))
    conv = store.create("rest")
    said = "I lost card 4111 1111 1111 1111, call me on 07700 900123"
    store.append(conv.id, [
        NewTurn("customer", said, "rest", nlu={"intent": {"name": "report_lost_card", "confidence": 0.9},
                                               "entities": [{"entity": "card", "value": "4111 1111 1111 1111"}]}),
        NewTurn("bot", "Your code is 482913", "rest", meta={"custom": {"otp": "code 482913"}}),
    ])
    masked = MaskedTranscripts(store).turns(conv.id)
    assert masked[0].text == "I lost card [card ****1111], call me on [phone]"
    assert masked[0].nlu["entities"][0]["value"] == "[card ****1111]"
    assert masked[0].nlu["intent"]["name"] == "report_lost_card"
    assert masked[1].text == "Your code is [code]" and "482913" not in str(masked[1].meta)
    assert normalize_turn(masked[0])["text"].startswith("I lost card [card")  # what the agent API reads
    assert store.turns(conv.id)[0].text == said
    engine.dispose()
