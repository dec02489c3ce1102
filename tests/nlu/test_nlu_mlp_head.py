"""The MLP intent head: `bankbot train nlu` must give the same model for the same seed, and the
numpy forward pass the service runs must agree with what was trained."""
from __future__ import annotations

import numpy as np

from nlu.mlp_head import MlpConfig, fit_mlp, mlp_logits

SMALL = MlpConfig(hidden=32, epochs=15)


def _blobs(noise_seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three well-separated clusters (fixed centres), fresh noise per ``noise_seed``."""
    centres = np.random.default_rng(0).normal(size=(3, 16)) * 3
    labels = np.repeat(np.arange(3), 40)
    noise = np.random.default_rng(noise_seed + 1).normal(size=(120, 16))
    return (centres[labels] + noise).astype(np.float32), labels


def test_same_seed_same_weights() -> None:
    features, labels = _blobs()
    first = fit_mlp(features, labels, 3, SMALL, seed=13)
    second = fit_mlp(features, labels, 3, SMALL, seed=13)
    assert all(np.array_equal(a, b) for a, b in zip(first, second))


def test_numpy_head_classifies_unseen_points() -> None:
    features, labels = _blobs()
    weights = fit_mlp(features, labels, 3, SMALL, seed=13)
    unseen, truth = _blobs(noise_seed=7)
    assert (mlp_logits(unseen, *weights).argmax(axis=1) == truth).mean() > 0.95
