"""Train the NLU model from the Rasa YAML in ``data/nlu`` and write it to ``var/models/nlu``.

Training is skipped when a fingerprint of the training data, the model configuration and the
training code version matches the stored model, so a second ``make run`` starts at once.
"""
from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from nlu.config import NluSettings
from nlu.dataset import Example, load_examples, yaml_files
from nlu.embeddings import encode, encode_cached
from nlu.encoder import MAX_TORCH_THREADS, limit_torch_threads
from nlu.fingerprint import fingerprint as content_fingerprint
from nlu.mlp_head import MlpConfig, fit_mlp
from nlu.model import IntentModel
from nlu.onnx_encoder import OnnxEncoder, export_encoder, is_exported
from nlu.sentiment import SentimentRow, fit_sentiment, load_sentiment_rows
from nlu.tfidf_head import TfidfConfig, fit_tfidf_head

# Bump when a code change alters what training produces, so stored models are retrained.
TRAINING_CODE_VERSION = "7"
FINGERPRINT_FILE = "fingerprint.txt"
CACHE_FILE = "embedding_cache.npz"
LAYERS_CACHE_FILE = "layers_cache.npz"
ENCODER_DIR = "encoder"


@dataclass(frozen=True)
class ClassifierConfig:
    """Hyper-parameters of the classifier (chosen by 5-fold CV, see bench/nlu_cv.py)."""

    c: float = 30.0
    # "balanced" keeps the ~35-example hand-written intents from losing to BANKING77's ~130-example
    # intents and to the large out_of_scope class on typo-ridden input.
    class_weight: str | None = "balanced"
    max_iter: int = 300
    knn_k: int = 10
    knn_temperature: float = 0.05
    mlp: MlpConfig = MlpConfig()
    tfidf: TfidfConfig = TfidfConfig()
    sentiment_c: float = 1.0


def nlu_data_dir(settings: NluSettings) -> Path:
    return settings.data_dir / "nlu"


def model_dir(settings: NluSettings) -> Path:
    return settings.models_dir / "nlu"


def encoder_dir(settings: NluSettings) -> Path:
    """The ONNX export of ``settings.encoder_model`` that training embeds with and the service loads."""
    return model_dir(settings) / ENCODER_DIR


def sentiment_data_dir(settings: NluSettings) -> Path:
    return nlu_data_dir(settings) / "sentiment"


def training_files(settings: NluSettings) -> list[Path]:
    """Intent YAML and sentiment CSV files: what the fingerprint covers."""
    return yaml_files(nlu_data_dir(settings)) + sorted(sentiment_data_dir(settings).glob("*.csv"))


def fingerprint(settings: NluSettings, config: ClassifierConfig) -> str:
    """Hash of every training file (name and bytes), the encoder, classifier config and code version."""
    recipe = {"encoder": settings.encoder_model, "classifier": asdict(config), "seed": settings.seed,
              "code": TRAINING_CODE_VERSION}
    return content_fingerprint(training_files(settings), json.dumps(recipe, sort_keys=True))


def fit_model(features: np.ndarray, embedding_dim: int, texts: list[str], labels: list[str],
              config: ClassifierConfig, seed: int) -> IntentModel:
    """Multinomial logistic regression and an MLP over the layer features, the kNN store of
    sentence embeddings (the features' last ``embedding_dim`` columns) and the TF-IDF head over
    ``texts`` (the texts the features were computed from)."""
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(
        C=config.c, class_weight=config.class_weight, max_iter=config.max_iter, random_state=seed
    )
    clf.fit(features, labels)
    intents = tuple(str(c) for c in clf.classes_)
    label_index = np.array([intents.index(label) for label in labels], dtype=np.int64)
    return IntentModel(
        intents=intents,
        weights=clf.coef_.astype(np.float32),
        bias=clf.intercept_.astype(np.float32),
        mlp=fit_mlp(features, label_index, len(intents), config.mlp, seed),
        examples=np.ascontiguousarray(features[:, -embedding_dim:], dtype=np.float32),
        example_labels=label_index,
        lexical=fit_tfidf_head(texts, label_index, len(intents), config.tfidf, config.class_weight, seed),
        k=config.knn_k,
        temperature=config.knn_temperature,
    )


def ensure_encoder(settings: NluSettings) -> Path:
    """Export the configured encoder to ONNX unless the model folder already holds that export."""
    folder = encoder_dir(settings)
    if not is_exported(folder, settings.encoder_model):
        export_encoder(settings.encoder_model, folder)
    return folder


def embed_texts(settings: NluSettings, texts: list[str]) -> np.ndarray:
    """Embeddings through the on-disk cache (keyed by the encoder's name: the ONNX graph computes
    the PyTorch encoder's vectors)."""
    encoder = OnnxEncoder(ensure_encoder(settings), threads=MAX_TORCH_THREADS)
    cache = model_dir(settings) / "cache" / CACHE_FILE
    return encode_cached(lambda batch: encode(encoder, batch), settings.encoder_model, texts, cache)


def embed_examples(settings: NluSettings, examples: list[Example] | list[SentimentRow]) -> np.ndarray:
    return embed_texts(settings, [e.text for e in examples])


def layer_features(settings: NluSettings, examples: list[Example]) -> tuple[np.ndarray, int]:
    """The intent heads' input for ``examples`` (cached like the embeddings) and the width of the
    sentence embedding at its end."""
    encoder = OnnxEncoder(ensure_encoder(settings), threads=MAX_TORCH_THREADS)
    cache = model_dir(settings) / "cache" / LAYERS_CACHE_FILE
    features = encode_cached(encoder.encode_layers, f"{settings.encoder_model}+layers",
                             [e.text for e in examples], cache)
    return features, encoder.dimension


def is_current(settings: NluSettings, config: ClassifierConfig = ClassifierConfig()) -> bool:
    """True when the stored model was trained from exactly the current data and config."""
    stored = model_dir(settings) / FINGERPRINT_FILE
    return stored.exists() and stored.read_text().strip() == fingerprint(settings, config)


def train_nlu(settings: NluSettings, force: bool = False, config: ClassifierConfig = ClassifierConfig()) -> Path:
    """Train (unless up to date) and return the model folder."""
    out = model_dir(settings)
    if not force and is_current(settings, config):
        print(f"NLU model up to date in {out}")
        return out
    limit_torch_threads()
    started = time.perf_counter()
    examples = load_examples(nlu_data_dir(settings))
    if not examples:
        raise ValueError(f"no NLU training examples under {nlu_data_dir(settings)}")
    sentiment_rows = load_sentiment_rows(sentiment_data_dir(settings))
    features, embedding_dim = layer_features(settings, examples)
    sentiment_embeddings = embed_examples(settings, sentiment_rows)
    embedded = time.perf_counter()
    model = fit_model(features, embedding_dim, [e.text for e in examples], [e.intent for e in examples],
                      config, settings.seed)
    sentiment = fit_sentiment(sentiment_embeddings, sentiment_rows, config.sentiment_c, settings.seed)
    meta = {"encoder": settings.encoder_model, "classifier": asdict(config), "examples": len(examples),
            "sentiment_examples": len(sentiment_rows), "code": TRAINING_CODE_VERSION}
    model.save(out, meta)
    sentiment.save(out)
    (out / FINGERPRINT_FILE).write_text(fingerprint(settings, config) + "\n")
    done = time.perf_counter()
    print(f"NLU trained on {len(examples)} examples, {len(model.intents)} intents in "
          f"{done - started:.1f}s (embedding {embedded - started:.1f}s, classifier {done - embedded:.1f}s)"
          f" -> {out}")
    return out
