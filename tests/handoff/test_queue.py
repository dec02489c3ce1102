"""The SQL queue: ordering, aging, skills routing, atomic claims, restart, grace re-queue."""
from __future__ import annotations

import threading
from collections import Counter

import pytest

from bot.db import make_engine, make_session_factory
from handoff.queue import HandoffQueue
from handoff.triggers import HandoffDecision

GENERAL = HandoffDecision("human_request", ("general", "lang:en"))
FRAUD = HandoffDecision("risk", ("fraud", "lang:en"), 40.0, "compromised_card")


def online(agents, name, skills=("general", "lang:en"), capacity=3, role="agent"):
    agents.create(name, "pw", skills=skills, capacity=capacity, role=role)
    return agents.login(name, "pw")[1]


def test_enqueue_is_idempotent_per_open_conversation(queue):
    first = queue.enqueue("c1", GENERAL)
    assert queue.enqueue("c1", FRAUD).id == first.id
    assert [e.conversation_id for e in queue.waiting()] == ["c1"]


def test_risk_frustration_and_tier_raise_priority(queue):
    queue.enqueue("plain", GENERAL)
    queue.enqueue("angry", GENERAL, sentiment_trend=[0.2, 0.9])
    queue.enqueue("premium", GENERAL, customer_tier="private")
    queue.enqueue("fraud", FRAUD)
    assert [e.conversation_id for e in queue.waiting()] == ["fraud", "angry", "premium", "plain"]


def test_aging_means_new_urgent_arrivals_cannot_starve_an_old_wait(queue, clock, policy):
    queue.enqueue("old", GENERAL)
    clock.advance(19 * 60)
    queue.enqueue("urgent_early", FRAUD)  # 40 points higher, the old one has aged 38
    clock.advance(2 * 60)
    queue.enqueue("urgent_late", FRAUD)  # the old one has now aged 42
    assert [e.conversation_id for e in queue.waiting()] == ["urgent_early", "old", "urgent_late"]
    old = queue.waiting()[1]
    assert old.effective_priority(clock(), policy) == pytest.approx(old.priority + 42)


def test_equal_priority_is_first_come_first_served(queue, clock):
    for cid in ("a", "b", "c"):
        queue.enqueue(cid, GENERAL)
    assert [e.conversation_id for e in queue.waiting()] == ["a", "b", "c"]


def test_skills_routing(queue, agents):
    queue.enqueue("fraud", FRAUD)
    queue.enqueue("general", GENERAL)
    queue.enqueue("german", HandoffDecision("human_request", ("general", "lang:de"), language="de"))
    generalist = online(agents, "gen")
    specialist = online(agents, "spec", skills=("general", "fraud", "lang:en", "lang:de"))
    assert queue.next_for(generalist).conversation_id == "general"
    assert queue.next_for(specialist).conversation_id == "fraud"
    assert queue.claim(queue.open_for("fraud").id, generalist) is None  # lacks the skill
    assert queue.claim_next(generalist).conversation_id == "general"
    assert queue.next_for(generalist) is None  # German needs lang:de
    assert queue.claim_next(specialist).conversation_id == "fraud"
    assert queue.claim_next(specialist).conversation_id == "german"


def test_capacity_is_respected(queue, agents):
    for i in range(3):
        queue.enqueue(f"c{i}", GENERAL)
    agent = online(agents, "solo", capacity=2)
    assert queue.claim_next(agent) and queue.claim_next(agent)
    assert queue.claim_next(agent) is None
    assert len(queue.waiting()) == 1


def test_twenty_agents_racing_for_five_conversations_each_claimed_once(queue, agents):
    ids = [queue.enqueue(f"c{i}", GENERAL).id for i in range(5)]
    racers = [online(agents, f"a{i}", capacity=5) for i in range(20)]
    wins: list[tuple[int, int]] = []
    lock = threading.Lock()
    start = threading.Barrier(len(racers))

    def race(agent):
        start.wait()
        for entry_id in ids:
            if queue.claim(entry_id, agent) is not None:
                with lock:
                    wins.append((entry_id, agent.id))

    threads = [threading.Thread(target=race, args=(a,)) for a in racers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(Counter(e for e, _ in wins).items()) == [(i, 1) for i in ids]
    for entry_id, agent_id in wins:
        assert queue.get(entry_id).agent_id == agent_id
    assert sum(agents.get(a.id).active_chats for a in racers) == 5


def test_queue_survives_a_restart(db_url, queue, agents, policy, clock):
    queue.enqueue("waiting", FRAUD, summary="card used abroad")
    queue.enqueue("held", GENERAL)
    agent = online(agents, "a")
    queue.claim(queue.open_for("held").id, agent)
    engine = make_engine(db_url)  # a new process would build exactly this
    reborn = HandoffQueue(make_session_factory(engine), policy, clock)
    assert [(e.conversation_id, e.summary) for e in reborn.waiting()] == [("waiting", "card used abroad")]
    assert reborn.open_for("held").agent_id == agent.id
    engine.dispose()


def test_disconnected_agent_loses_chats_to_the_front_after_grace(queue, agents, clock, policy):
    queue.enqueue("held", GENERAL)
    agent = online(agents, "a")
    queue.claim_next(agent)
    queue.enqueue("newer_urgent", FRAUD)
    clock.advance(policy.disconnect_grace_s - 1)
    assert queue.requeue_stale() == []  # still within the grace period
    clock.advance(2)
    moved = queue.requeue_stale()
    assert [e.conversation_id for e in moved] == ["held"]
    assert queue.waiting()[0].conversation_id == "held"  # front, ahead of higher priority
    assert agents.get(agent.id).active_chats == 0 and agents.get(agent.id).status == "away"


def test_agent_who_keeps_a_heartbeat_keeps_chats(queue, agents, clock, policy):
    queue.enqueue("held", GENERAL)
    agent = online(agents, "a")
    queue.claim_next(agent)
    for _ in range(3):
        clock.advance(policy.disconnect_grace_s / 2)
        agents.touch(agent.id)
        assert queue.requeue_stale() == []
    assert queue.open_for("held").status == "assigned"


def test_position_and_estimated_wait(queue, agents, clock):
    for cid in ("a", "b", "c"):
        queue.enqueue(cid, GENERAL)
    status = queue.status_for("c")
    assert (status.status, status.position, status.agents_online) == ("waiting", 3, 0)
    assert status.estimated_wait_s is None  # nobody online: the gateway offers a callback
    agent = online(agents, "a", capacity=1)
    assert queue.status_for("a").estimated_wait_s == 0
    assert queue.status_for("c").estimated_wait_s > queue.status_for("b").estimated_wait_s
    queue.claim_next(agent)
    assert queue.status_for("c").position == 2
    assert queue.status_for("a").status == "assigned"
    assert queue.waiting_statuses()["c"].position == 2


def test_resolve_needs_a_known_disposition_and_frees_the_seat(queue, agents):
    queue.enqueue("c", GENERAL)
    agent = online(agents, "a")
    entry = queue.claim_next(agent)
    with pytest.raises(ValueError):
        queue.resolve(entry.id, agent.id, "made_up")
    other = online(agents, "b")
    assert queue.resolve(entry.id, other.id, "resolved") is None  # not the holder
    done = queue.resolve(entry.id, agent.id, "case_opened", "case 42")
    assert (done.status, done.disposition, done.note) == ("resolved", "case_opened", "case 42")
    assert agents.get(agent.id).active_chats == 0
    assert queue.open_for("c") is None


def test_hand_back_keeps_slots_and_lets_the_conversation_escalate_again(queue, agents):
    queue.enqueue("c", GENERAL)
    agent = online(agents, "a")
    entry = queue.claim_next(agent)
    back = queue.hand_back(entry.id, agent.id, {"card_frozen": True}, "froze card")
    assert back.status == "returned" and back.handback_slots == {"card_frozen": True}
    assert queue.enqueue("c", FRAUD).id != entry.id


def test_customer_cancel_frees_the_agent(queue, agents):
    queue.enqueue("waiting", GENERAL)
    queue.enqueue("held", GENERAL)
    agent = online(agents, "a")
    queue.claim(queue.open_for("held").id, agent)
    assert queue.cancel("waiting").status == "cancelled"
    assert queue.cancel("held").status == "cancelled"
    assert agents.get(agent.id).active_chats == 0
    assert queue.cancel("nobody") is None


def test_callback_request_replaces_waiting(queue):
    queue.enqueue("c", GENERAL)
    cb = queue.request_callback("c", "+44 20 7946 0000", "after 5pm", "about my card")
    assert queue.open_for("c") is None
    assert queue.callbacks() == [{"id": cb, "conversation_id": "c", "phone": "+44 20 7946 0000",
                                  "preferred_time": "after 5pm", "note": "about my card",
                                  "created_at": queue.callbacks()[0]["created_at"]}]
    with pytest.raises(ValueError):
        queue.request_callback("c", "call me maybe")


def test_release_puts_a_chat_back_at_the_front(queue, agents):
    queue.enqueue("held", GENERAL)
    queue.enqueue("urgent", FRAUD)
    agent = online(agents, "a", skills=("general", "fraud", "lang:en"))
    entry = queue.claim(queue.open_for("held").id, agent)
    assert queue.release(entry.id, agent.id).status == "waiting"
    assert queue.waiting()[0].conversation_id == "held"


def test_a_specialist_finds_their_conversation_deep_in_the_queue(queue, agents):
    for i in range(120):
        queue.enqueue(f"general{i}", GENERAL)
    queue.enqueue("german", HandoffDecision("human_request", ("general", "lang:de"), language="de"))
    german_only = online(agents, "de", skills=("general", "lang:de"))
    assert queue.claim_next(german_only).conversation_id == "german"
