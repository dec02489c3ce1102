"""Complaints are recognised from intent + sentiment during a turn and recorded once as cases."""
from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
from sqlalchemy import select

from bot.analytics.complaints import ComplaintRecogniser, ComplaintRules
from bot.analytics.feedback import ComplaintStore
from bot.analytics.tables import ComplaintRow, ResponseTimeRow
from bot.analytics.timings import ResponseTimes
from bot.conversations.store import ConversationStore
from bot.db import create_all, make_engine, make_session_factory
from bot.gateway.turns import TurnService
from bot.observability.instrument import ObservedRasaClient, TurnMetrics
from bot.observability.metrics import Metrics
from bot.settings import PROJECT_ROOT

RULES = ComplaintRules.load(PROJECT_ROOT / "data" / "analytics" / "complaints.yml")


def parse(intent: str, label: str = "negative", frustration: float = 0.2) -> dict:
    return {"intent": {"name": intent, "confidence": 0.9}, "entities": [],
            "sentiment": {"label": label, "confidence": 0.8, "scores": {}, "frustration": frustration}}


def test_rules_need_a_listed_intent_said_unhappily() -> None:
    assert RULES.match(parse("declined_card_payment")) == ("card", "declined")
    assert RULES.match(parse("transfer_fee_charged", "neutral", 0.7)) == ("transfers", "fees")
    assert RULES.match(parse("declined_card_payment", "neutral", 0.1)) is None
    assert RULES.match(parse("check_balance")) is None
    assert RULES.match({"intent": {"name": "card_swallowed"}, "sentiment": "negative"}) == ("atm", "card_retained")


def fake_rasa(intent_by_text: dict[str, dict]) -> httpx.MockTransport:
    """Stands in for the Rasa server's REST channel and tracker API (the stack tests use the real one)."""
    said: dict[str, str] = {}

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/webhooks/rest/webhook":
            body = json.loads(request.content)
            said[body["sender"]] = body["message"]
            return httpx.Response(200, json=[{"recipient_id": body["sender"], "text": "I'm sorry to hear that."}])
        sender = request.url.path.split("/")[2]
        return httpx.Response(200, json={"latest_message": intent_by_text[said[sender]]})
    return httpx.MockTransport(handle)


def test_a_complaining_turn_opens_one_case(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'c.db'}")
    create_all(engine)
    sessions = make_session_factory(engine)
    store = ConversationStore(sessions)
    conversation = store.create("rest")
    texts = {"my card was declined AGAIN, card 4111 1111 1111 1111": parse("declined_card_payment"),
             "declined again!!": parse("declined_card_payment"),
             "what's my balance": parse("check_balance")}
    metrics = Metrics()
    rasa = ObservedRasaClient("http://rasa.test", 5, "internal-token", metrics)
    rasa._http = httpx.AsyncClient(base_url="http://rasa.test", transport=fake_rasa(texts))
    turns = TurnService(store, rasa, observers=[TurnMetrics(metrics), ResponseTimes(sessions),
                                                ComplaintRecogniser(RULES, ComplaintStore(sessions), sessions)])

    async def run() -> None:
        for text in texts:
            await turns.handle(conversation, text, "rest")
        await rasa.close()
    asyncio.run(run())

    with sessions() as s:
        cases = s.scalars(select(ComplaintRow)).all()
        timings = s.scalars(select(ResponseTimeRow)).all()
    assert [(c.product, c.cause, c.channel) for c in cases] == [("card", "declined", "rest")]
    assert "4111 1111 1111 1111" not in cases[0].description and "[card ****1111]" in cases[0].description
    assert len(timings) == 3
    assert metrics.turns.labels("rest")._value.get() == 3
    engine.dispose()
