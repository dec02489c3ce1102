"""The ONNX encoder the service runs must give the vectors the sentence-transformers encoder gives:
the embedding cache and every head were trained on those."""
from __future__ import annotations

import numpy as np

from bot.settings import Settings
from nlu.embeddings import encode
from nlu.encoder import load_encoder
from nlu.onnx_encoder import OnnxEncoder
from nlu.training import encoder_dir

TEXTS = [
    "I lost my card yesterday, please block it",
    "hi",
    "why was I charged twice at Tesco last week??",
    "héllo wörld 你好 🙂",
    "transfer " * 400,  # longer than the encoder's 256 tokens: truncated the same way
]


def test_onnx_vectors_match_sentence_transformers(nlu_settings: Settings) -> None:
    onnx = OnnxEncoder(encoder_dir(nlu_settings), threads=1)
    reference = encode(load_encoder(nlu_settings.encoder_model), TEXTS)
    batched = encode(onnx, TEXTS)
    one_by_one = np.vstack([encode(onnx, [text]) for text in TEXTS])
    assert batched.shape == reference.shape
    assert np.allclose(batched, reference, atol=1e-4)
    assert np.allclose(one_by_one, batched, atol=1e-5)
    assert np.allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-5)
