"""Missed questions are grouped by meaning with the product's real sentence encoder."""
from __future__ import annotations

import pytest

from bot.analytics.missed import cluster_messages
from bot.settings import Settings


@pytest.fixture(scope="module")
def embed():
    from nlu.encoder import load_encoder

    encoder = load_encoder(Settings().encoder_model)
    return lambda texts: encoder.encode(texts, normalize_embeddings=True)


def test_similar_questions_share_a_cluster_and_pii_is_masked(embed) -> None:
    messages = [
        {"text": "can i open a joint account with my wife", "count": 3},
        {"text": "how do i open a joint account", "count": 2},
        {"text": "joint account for me and my partner?", "count": 1},
        {"text": "what's the weather in paris tomorrow", "count": 2},
        {"text": "will it rain in paris tomorrow", "count": 1},
        {"text": "my card 4111 1111 1111 1111 got eaten by the atm", "count": 1},
    ]
    clusters = cluster_messages(messages, embed)
    groups = [{e["text"] for e in c["examples"]} for c in clusters]
    joint = next(g for g in groups if "how do i open a joint account" in g)
    assert joint == {"can i open a joint account with my wife", "how do i open a joint account",
                     "joint account for me and my partner?"}
    weather = next(g for g in groups if "will it rain in paris tomorrow" in g)
    assert weather == {"what's the weather in paris tomorrow", "will it rain in paris tomorrow"}
    assert clusters[0]["count"] == 6 and clusters[0]["label"] == "can i open a joint account with my wife"
    assert any("[card ****1111]" in t for g in groups for t in g)
    assert not any("4111 1111" in t for g in groups for t in g)


def test_no_messages_no_clusters(embed) -> None:
    assert cluster_messages([], embed) == []
    assert cluster_messages([{"text": "hmm", "count": 2}], embed) == [
        {"label": "hmm", "count": 2, "examples": [{"text": "hmm", "count": 2}]}]
