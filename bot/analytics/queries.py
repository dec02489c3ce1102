"""Service-quality figures, each one SQL aggregate over transcripts, hand-offs and feedback.

Definitions (per conversation in which the customer said something):
- handed off: it has at least one hand-off queue entry;
- contained: not handed off, and the bot understood the customer's last message (its intent is
  neither ``nlu_fallback`` nor ``out_of_scope``, and Rasa was up); answers to the feedback survey
  are not messages to understand and are left out;
- resolved: contained, or an agent closed its hand-off with a resolving disposition
  (``RESOLVED_DISPOSITIONS``; not e.g. ``customer_left``, ``transferred`` or ``callback_scheduled``).
Rates divide by the conversations in the window; the fallback rate divides by the customer turns
the NLU parsed (messages relayed to an agent, or sent while Rasa was down, have no parse).
"""
from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import Connection, and_, case, desc, exists, func, literal, or_, select

from bot.analytics.sql import (
    UNRECOGNISED,
    Window,
    epoch_seconds,
    intent_name,
    is_survey_answer,
    sentiment_label,
    utc_day,
)
from bot.analytics.tables import ComplaintRow, FeedbackRow, ResponseTimeRow
from bot.conversations.tables import ConversationRow, TurnRow
from handoff.models import Agent, QueueEntry

GroupBy = Literal["day", "channel"] | None
RESOLVED_DISPOSITIONS = ("resolved", "resolved_follow_up", "no_action_needed")
_ALL = "all"


def _outcomes(window: Window):
    """One row per conversation: channel, day and 0/1 flags for handed off, contained, resolved."""
    handed = exists().where(QueueEntry.conversation_id == ConversationRow.id)
    human_resolved = exists().where(and_(QueueEntry.conversation_id == ConversationRow.id,
                                         QueueEntry.status == "resolved",
                                         QueueEntry.disposition.in_(RESOLVED_DISPOSITIONS)))
    last_intent = (select(intent_name()).where(and_(TurnRow.conversation_id == ConversationRow.id,
                                                    TurnRow.speaker == "customer", ~is_survey_answer()))
                   .order_by(TurnRow.seq.desc()).limit(1).correlate(ConversationRow).scalar_subquery())
    bot_resolved = and_(~handed, last_intent.is_not(None), last_intent.not_in(UNRECOGNISED))
    return select(
        ConversationRow.id, ConversationRow.channel,
        utc_day(ConversationRow.created_at).label("day"),
        case((handed, 1), else_=0).label("handed_off"),
        case((bot_resolved, 1), else_=0).label("contained"),
        case((or_(human_resolved, bot_resolved), 1), else_=0).label("resolved"),
    ).where(*window.conditions()).subquery("outcomes")


def _key(columns: Any, by: GroupBy):
    return columns[by] if by else literal(_ALL)


def _rate(part: float | None, whole: float | None) -> float | None:
    return round(part / whole, 4) if whole else None


def _merge(rows: dict[str, dict[str, Any]], key: str, values: dict[str, Any]) -> None:
    rows.setdefault(key, {}).update(values)


def outcome_figures(conn: Connection, window: Window, by: GroupBy = None) -> dict[str, dict[str, Any]]:
    """Conversation counts and containment / hand-off / resolution / fallback rates, CSAT, NPS and
    response latency, overall or keyed by day or channel."""
    rows: dict[str, dict[str, Any]] = {}
    o = _outcomes(window)
    key = _key(o.c, by).label("k")
    for r in conn.execute(select(key, func.count(), func.sum(o.c.handed_off), func.sum(o.c.contained),
                                 func.sum(o.c.resolved)).group_by(key)):
        n = r[1]
        _merge(rows, r.k, {"conversations": n, "handed_off": int(r[2] or 0), "contained": int(r[3] or 0),
                           "resolved": int(r[4] or 0), "handoff_rate": _rate(r[2], n),
                           "containment_rate": _rate(r[3], n), "resolution_rate": _rate(r[4], n)})

    turns = (select(o.c.day, o.c.channel, intent_name().label("intent"))
             .join(TurnRow, TurnRow.conversation_id == o.c.id)
             .where(TurnRow.speaker == "customer", intent_name().is_not(None)).subquery())
    key = _key(turns.c, by).label("k")
    fallback = func.sum(case((turns.c.intent.in_(UNRECOGNISED), 1), else_=0))
    for r in conn.execute(select(key, func.count(), fallback).group_by(key)):
        _merge(rows, r.k, {"customer_turns": r[1], "fallback_turns": int(r[2] or 0),
                           "fallback_rate": _rate(r[2], r[1])})

    fb = (select(o.c.day, o.c.channel, FeedbackRow.csat, FeedbackRow.nps)
          .join(FeedbackRow, FeedbackRow.conversation_id == o.c.id).subquery())
    key = _key(fb.c, by).label("k")
    promoters = func.sum(case((fb.c.nps >= 9, 1), else_=0))
    detractors = func.sum(case((fb.c.nps <= 6, 1), else_=0))
    satisfied = func.sum(case((fb.c.csat >= 4, 1), else_=0))
    for r in conn.execute(select(key, func.avg(fb.c.csat), func.count(fb.c.csat), satisfied,
                                 func.count(fb.c.nps), promoters, detractors).group_by(key)):
        _merge(rows, r.k, {
            "csat_avg": round(float(r[1]), 2) if r[1] is not None else None, "csat_responses": r[2],
            "csat_satisfied_rate": _rate(r[3], r[2]), "nps_responses": r[4],
            "nps": round(100 * ((r[5] or 0) - (r[6] or 0)) / r[4], 1) if r[4] else None})

    first_id = (select(func.min(ResponseTimeRow.id)).group_by(ResponseTimeRow.conversation_id)
                .scalar_subquery())
    rt = (select(o.c.day, o.c.channel, ResponseTimeRow.seconds,
                 case((ResponseTimeRow.id.in_(first_id), ResponseTimeRow.seconds)).label("first"))
          .join(ResponseTimeRow, ResponseTimeRow.conversation_id == o.c.id).subquery())
    key = _key(rt.c, by).label("k")
    for r in conn.execute(select(key, func.avg(rt.c.seconds), func.avg(rt.c.first)).group_by(key)):
        _merge(rows, r.k, {"avg_response_s": _round(r[1]), "first_response_s": _round(r[2])})
    return rows


def _round(value: float | None) -> float | None:
    return round(float(value), 3) if value is not None else None


def handoff_reasons(conn: Connection, window: Window) -> list[dict[str, Any]]:
    """Hand-offs by trigger reason, most frequent first."""
    q = (select(QueueEntry.reason, func.count().label("n"))
         .where(QueueEntry.conversation_id.in_(window.conversation_ids()))
         .group_by(QueueEntry.reason).order_by(desc("n"), QueueEntry.reason))
    return [{"reason": r.reason, "count": r.n} for r in conn.execute(q)]


def handoff_outcomes(conn: Connection, window: Window) -> list[dict[str, Any]]:
    """Closed hand-offs by the disposition the agent chose (``handed_back``: returned to the bot)."""
    q = (select(QueueEntry.disposition, func.count().label("n"))
         .where(QueueEntry.conversation_id.in_(window.conversation_ids()), QueueEntry.disposition.is_not(None))
         .group_by(QueueEntry.disposition).order_by(desc("n"), QueueEntry.disposition))
    return [{"disposition": r.disposition, "count": r.n} for r in conn.execute(q)]


def _first_agent_reply():
    """UNIX time of the agent's first message in a hand-off they hold (NULL before they write)."""
    said_at = epoch_seconds(TurnRow.created_at)
    return (select(func.min(said_at))
            .where(TurnRow.conversation_id == QueueEntry.conversation_id, TurnRow.speaker == "agent",
                   said_at >= QueueEntry.assigned_at,
                   or_(QueueEntry.closed_at.is_(None), said_at <= QueueEntry.closed_at))
            .correlate(QueueEntry).scalar_subquery())


def agent_figures(conn: Connection, window: Window) -> list[dict[str, Any]]:
    """Per agent: conversations taken, average queue wait before they took them, average first
    response (claim to their first message; hand-offs they never wrote in are left out), average
    and total handle time (claim to close, closed hand-offs only)."""
    entries = (select(QueueEntry.agent_id,
                      (QueueEntry.assigned_at - QueueEntry.enqueued_at).label("wait"),
                      (_first_agent_reply() - QueueEntry.assigned_at).label("first_response"),
                      case((QueueEntry.closed_at.is_not(None),
                            QueueEntry.closed_at - QueueEntry.assigned_at)).label("handle"))
               .where(QueueEntry.conversation_id.in_(window.conversation_ids()),
                      QueueEntry.assigned_at.is_not(None)).subquery())
    q = (select(Agent.username, Agent.display_name, func.count().label("n"), func.avg(entries.c.wait),
                func.avg(entries.c.first_response), func.avg(entries.c.handle), func.sum(entries.c.handle))
         .join(entries, Agent.id == entries.c.agent_id)
         .group_by(Agent.username, Agent.display_name).order_by(Agent.username))
    return [{"agent": r.username, "name": r.display_name, "conversations": r.n,
             "avg_wait_s": _round(r[3]), "avg_first_response_s": _round(r[4]), "avg_handle_s": _round(r[5]),
             "total_handle_s": _round(r[6])} for r in conn.execute(q)]


def queue_wait(conn: Connection, window: Window) -> dict[str, Any]:
    """Average wait of every answered hand-off, and how many of the window's hand-offs still wait."""
    ids = window.conversation_ids()
    answered = conn.execute(select(func.avg(QueueEntry.assigned_at - QueueEntry.enqueued_at))
                            .where(QueueEntry.conversation_id.in_(ids), QueueEntry.assigned_at.is_not(None))).scalar()
    waiting = conn.scalar(select(func.count()).where(QueueEntry.conversation_id.in_(ids),
                                                     QueueEntry.status == "waiting"))
    return {"avg_wait_s": _round(answered), "waiting": waiting or 0}


def _customer_turns(window: Window):
    return (TurnRow.speaker == "customer") & TurnRow.conversation_id.in_(window.conversation_ids())


def top_intents(conn: Connection, window: Window, limit: int = 10) -> list[dict[str, Any]]:
    """Most frequent understood intents of customer messages."""
    intent = intent_name().label("intent")
    q = (select(intent, func.count().label("n")).where(_customer_turns(window), intent_name().is_not(None),
                                                       intent_name().not_in(UNRECOGNISED))
         .group_by(intent).order_by(desc("n"), intent).limit(limit))
    return [{"intent": r.intent, "count": r.n} for r in conn.execute(q)]


def unrecognised_messages(conn: Connection, window: Window, limit: int | None = 10) -> list[dict[str, Any]]:
    """Customer messages the bot did not understand, grouped by lower-cased text, most frequent first
    (raw text: callers mask it before showing it to staff). Messages without a letter (a PIN or
    code typed out of turn, a bare amount) are no question to answer or teach, and may be secret."""
    text = func.lower(TurnRow.text).label("text")
    q = (select(text, func.count().label("n"), func.max(TurnRow.created_at).label("last"))
         .where(_customer_turns(window), intent_name().in_(UNRECOGNISED))
         .group_by(text).order_by(desc("n"), text))
    if limit:
        q = q.limit(limit * 4)
    rows = [{"text": r.text, "count": r.n} for r in conn.execute(q) if any(c.isalpha() for c in r.text)]
    return rows[:limit] if limit else rows


def sentiment_distribution(conn: Connection, window: Window) -> list[dict[str, Any]]:
    """Customer messages per sentiment label ('unknown' where the NLU gave none)."""
    label = sentiment_label().label("label")
    q = (select(label, func.count().label("n")).where(_customer_turns(window), intent_name().is_not(None))
         .group_by(label).order_by(desc("n"), label))
    return [{"sentiment": r.label, "count": r.n} for r in conn.execute(q)]


def complaint_figures(conn: Connection, window: Window) -> dict[str, list[dict[str, Any]]]:
    """Complaint cases counted by product, by channel and by cause."""
    ids = window.conversation_ids()
    out: dict[str, list[dict[str, Any]]] = {}
    for name, column in (("product", ComplaintRow.product), ("channel", ComplaintRow.channel),
                         ("cause", ComplaintRow.cause)):
        q = (select(column.label("v"), func.count().label("n")).where(ComplaintRow.conversation_id.in_(ids))
             .group_by(column).order_by(desc("n"), column))
        out[f"by_{name}"] = [{name: r.v, "count": r.n} for r in conn.execute(q)]
    out["total"] = sum(r["count"] for r in out["by_product"])
    return out


def summary(conn: Connection, window: Window) -> dict[str, Any]:
    """Every figure the dashboard shows, in one read."""
    return {
        "overview": outcome_figures(conn, window).get(_ALL, {"conversations": 0}),
        "by_day": outcome_figures(conn, window, "day"),
        "by_channel": outcome_figures(conn, window, "channel"),
        "handoff_reasons": handoff_reasons(conn, window),
        "handoff_outcomes": handoff_outcomes(conn, window),
        "agents": agent_figures(conn, window),
        "queue": queue_wait(conn, window),
        "top_intents": top_intents(conn, window),
        "unrecognised": unrecognised_messages(conn, window),
        "sentiment": sentiment_distribution(conn, window),
        "complaints": complaint_figures(conn, window),
    }
