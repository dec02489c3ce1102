"""Turn one user message into Rasa's parse result; loaded once per process, shared by threads."""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np

from nlu.config import NluSettings
from nlu.cues import LanguageCues
from nlu.embeddings import encode
from nlu.encoder import INFERENCE_TORCH_THREADS, limit_inference_threads
from nlu.entities import extract_entities
from nlu.labels import NLU_FALLBACK, OUT_OF_SCOPE
from nlu.model import IntentModel
from nlu.onnx_encoder import OnnxEncoder
from nlu.sentiment import SentimentModel, no_words_sentiment
from nlu.text import clean_text, has_words
from nlu.training import encoder_dir, model_dir
from nlu.withheld import WITHHELD, withheld_parse

RANKING_SIZE = 10
ASK_ABOUT_TASK = "ask_procedure"  # the knowledge intent a question about a task is answered under


class NluModelMissing(FileNotFoundError):
    """No trained model in var/models/nlu: run ``bankbot train nlu`` (``make run`` does it)."""


GENERIC_PREFIX = "ask_"  # the product-question intents (ask_fee, ask_documents, ...) name a kind, not a topic


def lookup_intent(parse: dict[str, Any]) -> str | None:
    """The intent the knowledge layer looks a message up under: for a question about a task, the
    task it is about; for a product question of a generic kind, the best-ranked specific intent
    ("if my card gets stolen, what documents do you need?" -> report_lost_card)."""
    if parse.get("asked_about"):
        return parse["asked_about"]
    name = (parse.get("intent") or {}).get("name")
    if name and name.startswith(GENERIC_PREFIX):
        specific = [r["name"] for r in parse.get("intent_ranking") or []
                    if not r["name"].startswith(GENERIC_PREFIX) and r["name"] not in (NLU_FALLBACK, OUT_OF_SCOPE)]
        return specific[0] if specific else name
    return name


def _ranked(intent: str, confidence: float) -> dict[str, Any]:
    return {"name": intent, "confidence": float(confidence)}


class NluService:
    """Intent classification with Rasa's FallbackClassifier behaviour built in."""

    def __init__(self, encoder: OnnxEncoder, model: IntentModel, sentiment: SentimentModel,
                 settings: NluSettings, cues: LanguageCues | None = None) -> None:
        self._encoder = encoder
        self._cues = cues or LanguageCues.load(settings.data_dir / "language" / "en.yml")
        self._model = model
        self._sentiment = sentiment
        self._threshold = settings.nlu_fallback_threshold
        self._max_chars = settings.nlu_max_chars
        # HF fast tokenizers raise "Already borrowed" under concurrent use, and two threads
        # encoding at once only oversubscribe the 2 cores: one encoder call at a time.
        self._lock = threading.Lock()
        intents = model.intents
        self._oos_index = intents.index(OUT_OF_SCOPE) if OUT_OF_SCOPE in intents else None

    @classmethod
    def load(cls, settings: NluSettings) -> "NluService":
        """Load the trained classifier and its ONNX encoder from ``settings.models_dir / 'nlu'``."""
        folder: Path = model_dir(settings)
        try:
            model, _meta = IntentModel.load(folder)
            sentiment = SentimentModel.load(folder)
            encoder = OnnxEncoder(encoder_dir(settings), threads=INFERENCE_TORCH_THREADS)
        except FileNotFoundError as exc:
            raise NluModelMissing(f"no NLU model in {folder}; run `bankbot train nlu`") from exc
        limit_inference_threads()
        service = cls(encoder, model, sentiment, settings)
        service.parse("hello")  # warm-up: first call pays for lazy initialisation
        return service

    @property
    def intents(self) -> tuple[str, ...]:
        return self._model.intents

    @property
    def sentiment(self) -> SentimentModel:
        return self._sentiment

    def embed(self, texts: list[str]) -> np.ndarray:
        """Normalised embeddings of already-cleaned texts, one encoder call at a time."""
        with self._lock:
            return encode(self._encoder, texts)

    def _features(self, texts: list[str]) -> np.ndarray:
        """The intent heads' input (every layer's pooling; the embedding is its last columns)."""
        with self._lock:
            return self._encoder.encode_layers(texts)

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """Intent probabilities for already-cleaned texts, shape (len(texts), n_intents)."""
        return self._model.predict_proba(self._features(texts), texts)

    def _last_clause_intent(self, cleaned: str, top: dict[str, Any]) -> dict[str, Any] | None:
        """The intent of a message's last clause, when the whole message is unclear (a greeting or
        an aside before the request) or when the last clause asks for a task the rest only leads up
        to ("there's a Tesco charge I don't recognise, I want to dispute it"); else None. A clause
        is never read as a greeting, goodbye or bare answer (``not_requests``)."""
        unclear = top["name"] != OUT_OF_SCOPE and top["confidence"] < self._threshold
        clause = self._cues.last_clause(cleaned)
        if clause is None or not (unclear or top["name"] not in self._cues.tasks_asked_about):
            return None
        probs = self._model.predict_proba(self._features([clause]), [clause])[0]
        best = int(np.argmax(probs))
        name, confidence = self._model.intents[best], float(probs[best])
        if name in self._cues.not_requests or confidence < self._threshold or \
                not (unclear or name in self._cues.tasks_asked_about):
            return None  # "..., first time going" is no goodbye; a clear non-banking message stays so
        return _ranked(name, confidence)

    def parse(self, text: str, message_id: str | None = None) -> dict[str, Any]:
        """Rasa's parse dict; below the threshold or out of scope the intent is ``nlu_fallback``.

        Extra keys: ``out_of_scope`` (probability), ``sentiment`` (label, confidence, scores,
        frustration in [0, 1]), ``answer`` ("yes"/"no"/None: the message read as the answer to a
        yes/no question) and ``cancel`` (it asks to stop what is under way); Rasa keeps them in
        ``tracker.latest_message``. A question about a task ("is the new card free if mine got
        stolen?") gets the knowledge intent ``ask_procedure`` with ``asked_about`` naming the task.
        When the request is in the last clause (``read_from``), its intent leads the ranking.

        ``message_id`` is Rasa's sender id; it is accepted for the contract and not used yet.
        """
        text = text if isinstance(text, str) else ""
        if WITHHELD.fullmatch(text):
            return withheld_parse(text)
        cleaned = clean_text(text, self._max_chars)
        result: dict[str, Any] = {"text": text[: self._max_chars]}
        result["entities"] = extract_entities(result["text"])
        if not has_words(cleaned):
            ranking = [_ranked(OUT_OF_SCOPE, 1.0)]
            out_of_scope = 1.0
            sentiment = no_words_sentiment(cleaned)
        else:
            features = self._features([cleaned])
            probs = self._model.predict_proba(features, [cleaned])[0]
            sentiment = self._sentiment.predict(self._model.embedding(features)[0], cleaned)
            order = np.argsort(-probs)[:RANKING_SIZE]
            ranking = [_ranked(self._model.intents[i], probs[i]) for i in order]
            out_of_scope = float(probs[self._oos_index]) if self._oos_index is not None else 0.0
        top = ranking[0]
        clause = self._last_clause_intent(cleaned, top)
        if clause is not None:  # the request is in the last clause; the whole message's ranking stays below
            top = clause
            ranking = [top, *(r for r in ranking if r["name"] != top["name"])]
            result["read_from"] = "last clause"
        if self._cues.asks_about(top["name"], cleaned) and ASK_ABOUT_TASK in self._model.intents:
            # a question about a task is answered, not carried out; the ranking keeps the task
            top = _ranked(ASK_ABOUT_TASK, top["confidence"])
            ranking = [top, *ranking]
            result["asked_about"] = ranking[1]["name"]
        if top["name"] == OUT_OF_SCOPE or top["confidence"] < self._threshold:
            # exactly what Rasa's FallbackClassifier does: the original ranking is kept below
            fallback = _ranked(NLU_FALLBACK, self._threshold)
            ranking = [fallback, *ranking]
            top = fallback
        result.update(intent=top, intent_ranking=ranking, out_of_scope=out_of_scope,
                      sentiment=sentiment, answer=self._cues.answer(cleaned),
                      cancel=self._cues.cancels(cleaned))
        return result
