"""The TF-IDF intent head: what the service loads from disk must score exactly like what was
trained, and character n-grams must still place a misspelt request."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from nlu.tfidf_head import TfidfConfig, TfidfHead, fit_tfidf_head

TEXTS = [
    "what is my balance", "how much money do I have", "show my account balance", "balance please",
    "freeze my card", "block my debit card", "lock my card now", "please freeze the card",
    "send money to jane", "transfer 50 to my savings", "pay my landlord 300", "make a transfer",
]
LABELS = np.repeat(np.arange(3), 4)
CONFIG = TfidfConfig(char_min_df=1)


def test_saved_head_scores_like_the_trained_one(tmp_path: Path) -> None:
    head = fit_tfidf_head(TEXTS, LABELS, 3, CONFIG, "balanced", seed=13)
    head.save(tmp_path)
    loaded = TfidfHead.load(tmp_path, CONFIG)
    probes = ["freez my crad", "balnce", "transfer money", "", "ÄÖ ☃ 转账"]
    # weights are stored as float16, so agreement is to float16 precision
    assert np.allclose(loaded.logits(probes), head.logits(probes), atol=1e-2)
    assert (loaded.logits(probes[:3]).argmax(axis=1) == [1, 0, 2]).all()


def test_text_with_no_known_terms_gives_no_confident_intent() -> None:
    head = fit_tfidf_head(TEXTS, LABELS, 3, CONFIG, "balanced", seed=13)
    logits = head.logits(["zzzz qqqq"])[0]
    probs = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
    assert probs.max() < 0.6


def test_per_text_logits_equal_scikit_learns_transform() -> None:
    """The service's fast path must compute exactly what the head was fitted on."""
    head = fit_tfidf_head(TEXTS, LABELS, 3, CONFIG, "balanced", seed=13)
    probes = ["Freeze my card, my card!", "send send money", "balance", "", "🙂 ÄÖ 转账"]
    reference = np.asarray(head.features(probes) @ head.weights.T) + head.bias
    assert np.allclose(head.logits(probes), reference, atol=1e-5)
