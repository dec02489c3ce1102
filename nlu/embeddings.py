"""Sentence embeddings with an on-disk cache keyed by encoder and text.

Embedding the training set is nearly all of the training time on CPU, and operators usually change a
few examples at a time, so retraining only embeds the sentences it has not seen before.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

BATCH_SIZE = 64


def text_key(encoder_name: str, text: str) -> str:
    return hashlib.sha1(f"{encoder_name}\0{text}".encode("utf-8")).hexdigest()


def encode(encoder, texts: list[str]) -> np.ndarray:
    """L2-normalised float32 embeddings, one row per text."""
    vectors = encoder.encode(
        texts, batch_size=BATCH_SIZE, normalize_embeddings=True, convert_to_numpy=True,
        show_progress_bar=False,
    )
    return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)


def encode_cached(embed: Callable[[list[str]], np.ndarray], encoder_name: str, texts: list[str],
                  cache_file: Path) -> np.ndarray:
    """``embed(texts)`` (one row per text), reusing and extending the cache at ``cache_file``."""
    cache: dict[str, np.ndarray] = {}
    if cache_file.exists():
        with np.load(cache_file) as stored:
            cache = dict(zip(stored["keys"].tolist(), stored["vectors"]))
    keys = [text_key(encoder_name, t) for t in texts]
    missing = sorted({k: t for k, t in zip(keys, texts) if k not in cache}.items())
    if missing:
        fresh = embed([t for _, t in missing])
        cache.update({k: v for (k, _), v in zip(missing, fresh)})
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache_file.with_suffix(".tmp.npz")
        np.savez(tmp, keys=np.array(list(cache)), vectors=np.stack(list(cache.values())))
        tmp.replace(cache_file)
    return np.stack([cache[k] for k in keys])
