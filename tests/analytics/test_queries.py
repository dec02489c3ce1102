"""Each analytic against conversations whose outcomes are known (see conftest), on both databases."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, update

from bot.analytics import queries
from bot.analytics.sql import Window
from handoff.models import QueueEntry

ALL = Window()


def figures(engine: Engine, window: Window = ALL, by=None) -> dict:
    with engine.connect() as conn:
        return queries.outcome_figures(conn, window, by)


def test_containment_handoff_and_resolution_rates(engine: Engine) -> None:
    o = figures(engine)["all"]
    # c6 never spoke; of the other 7: c3, c4, c8 handed off; c1, c5, c7 contained; + c3 resolved by ann
    assert (o["conversations"], o["handed_off"], o["contained"], o["resolved"]) == (7, 3, 3, 4)
    assert o["containment_rate"] == round(3 / 7, 4)
    assert o["handoff_rate"] == round(3 / 7, 4)
    assert o["resolution_rate"] == round(4 / 7, 4)


def test_fallback_rate_counts_customer_turns(engine: Engine) -> None:
    o = figures(engine)["all"]
    assert (o["customer_turns"], o["fallback_turns"]) == (9, 3)
    assert o["fallback_rate"] == round(3 / 9, 4)


def test_csat_and_nps(engine: Engine) -> None:
    o = figures(engine)["all"]
    assert o["csat_avg"] == round(11 / 3, 2) and o["csat_responses"] == 3
    assert o["csat_satisfied_rate"] == round(2 / 3, 4)
    assert o["nps_responses"] == 2 and o["nps"] == 0.0  # one promoter (10), one detractor (6)


def test_first_and_average_response_latency(engine: Engine) -> None:
    o = figures(engine)["all"]
    assert o["avg_response_s"] == pytest.approx(3.0 / 8, abs=1e-3)
    assert o["first_response_s"] == pytest.approx(1.7 / 6, abs=1e-3)


def test_per_day_and_per_channel(engine: Engine) -> None:
    days = figures(engine, by="day")
    assert {d: (v["conversations"], v["handed_off"], v["contained"], v["resolved"])
            for d, v in days.items()} == {"2026-03-02": (3, 1, 1, 2), "2026-03-03": (3, 2, 1, 1),
                                          "2026-04-01": (1, 0, 1, 1)}
    channels = figures(engine, by="channel")
    assert {c: (v["conversations"], v["handed_off"], v["resolved"]) for c, v in channels.items()} == {
        "rest": (4, 0, 3), "websocket": (2, 2, 1), "voice": (1, 1, 0)}
    assert channels["rest"]["fallback_turns"] == 2 and channels["websocket"]["csat_avg"] == 3.0


def test_date_range_and_channel_filters(engine: Engine) -> None:
    day2 = figures(engine, Window(date(2026, 3, 3), date(2026, 3, 3)))["all"]
    assert day2["conversations"] == 3 and day2["csat_avg"] == 2.0
    march = figures(engine, Window(date(2026, 3, 1), date(2026, 3, 31)))["all"]
    assert march["conversations"] == 6
    rest = figures(engine, Window(channel="rest"))["all"]
    assert rest["conversations"] == 4 and rest["containment_rate"] == 0.75
    with engine.connect() as conn:
        assert queries.complaint_figures(conn, Window(date(2026, 3, 3), date(2026, 3, 3)))["total"] == 2


def test_handoff_reasons(engine: Engine) -> None:
    with engine.connect() as conn:
        assert queries.handoff_reasons(conn, ALL) == [{"reason": "customer_request", "count": 2},
                                                      {"reason": "frustration", "count": 1}]


def test_handoff_outcomes_and_only_resolving_dispositions_resolve(engine: Engine) -> None:
    with engine.connect() as conn:
        assert queries.handoff_outcomes(conn, ALL) == [{"disposition": "resolved", "count": 1}]
    with engine.begin() as conn:
        conn.execute(update(QueueEntry).where(QueueEntry.conversation_id == "c3").values(disposition="transferred"))
    assert figures(engine)["all"]["resolved"] == 3  # c3 no longer counts as resolved by a person


def test_queue_wait_first_response_and_handle_time_per_agent(engine: Engine) -> None:
    with engine.connect() as conn:
        [ann] = queries.agent_figures(conn, ALL)
        assert queries.queue_wait(conn, ALL) == {"avg_wait_s": 90.0, "waiting": 1}
    # ann took c3 (claimed at 1060, first message at 1090, closed at 1360) and c4 (claimed at 2120,
    # first message at 2210, still open): 60 s first response, only c3's 300 s counts as handled
    assert {k: ann[k] for k in ("agent", "name", "conversations", "avg_wait_s")} == {
        "agent": "ann", "name": "Ann", "conversations": 2, "avg_wait_s": 90.0}
    assert ann["avg_first_response_s"] == pytest.approx(60.0, abs=0.01)
    assert (ann["avg_handle_s"], ann["total_handle_s"]) == (300.0, 300.0)


def test_first_response_ignores_messages_outside_the_agents_hold(engine: Engine) -> None:
    with engine.begin() as conn:  # c4 reopened later by ann: her earlier message is not a response
        conn.execute(update(QueueEntry).where(QueueEntry.conversation_id == "c4").values(assigned_at=2300.0))
    with engine.connect() as conn:
        [ann] = queries.agent_figures(conn, ALL)
    assert ann["avg_first_response_s"] == pytest.approx(30.0, abs=0.01)  # c3 only


def test_top_intents_and_unrecognised_messages(engine: Engine) -> None:
    with engine.connect() as conn:
        top = queries.top_intents(conn, ALL)
        missed = queries.unrecognised_messages(conn, ALL)
    assert top[0] == {"intent": "human_agent", "count": 3}
    assert {t["intent"] for t in top} == {"human_agent", "check_balance", "thanks", "greet"}
    assert {m["text"] for m in missed} == {"asdf qwer", "what's the weather",
                                          "my card number is 4111 1111 1111 1111 help"}


def test_sentiment_distribution(engine: Engine) -> None:
    with engine.connect() as conn:
        dist = queries.sentiment_distribution(conn, ALL)
    assert {d["sentiment"]: d["count"] for d in dist} == {"negative": 5, "neutral": 2, "positive": 1,
                                                          "unknown": 1}


def test_complaints_by_product_channel_cause(engine: Engine) -> None:
    with engine.connect() as conn:
        c = queries.complaint_figures(conn, ALL)
    assert c["total"] == 3
    assert c["by_product"] == [{"product": "credit_card", "count": 2}, {"product": "current_account", "count": 1}]
    assert c["by_channel"] == [{"channel": "rest", "count": 2}, {"channel": "websocket", "count": 1}]
    assert c["by_cause"] == [{"cause": "fees", "count": 2}, {"cause": "service", "count": 1}]


def test_empty_database_gives_zeroes_not_errors(empty_engine: Engine) -> None:
    with empty_engine.connect() as conn:
        s = queries.summary(conn, ALL)
    assert s["overview"] == {"conversations": 0}
    assert s["complaints"]["total"] == 0 and s["top_intents"] == []
