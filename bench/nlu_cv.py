"""5-fold cross-validated intent accuracy of the NLU approaches on BANKING77's train split.

We do not have BANKING77's test split, so model choices are made on these figures.
"shipped" and the approaches named *-layers read every encoder layer's pooled output
(nlu.onnx_encoder.encode_layers) instead of the sentence embedding alone; kNN always uses the
sentence embedding. "lr+knn" is what shipped before the layer features and the MLP, and
"mlp+lr+knn-layers" what shipped before the TF-IDF head ("tfidf" alone) joined the ensemble.
Usage: python bench/nlu_cv.py [--approaches lr,knn,lr+knn] [--data banking77|all] [--folds 5]
       [--run-folds N]  (evaluate only the first N folds: the MLP approaches take minutes per fold)
Prints one line per approach: mean accuracy, macro-F1 and the per-fold spread.
"""
from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from bot.settings import Settings
from nlu.dataset import load_examples
from nlu.encoder import MAX_TORCH_THREADS, limit_torch_threads
from nlu.mlp_head import MlpConfig, fit_mlp, mlp_logits
from nlu.model import softmax
from nlu.tfidf_head import TfidfConfig, fit_tfidf_head
from nlu.training import (
    ClassifierConfig,
    embed_examples,
    fit_model,
    layer_features,
    nlu_data_dir,
)

# (X_tr, y_tr, X_te, texts_tr, texts_te) -> probabilities; most scorers read only the features.
Scorer = Callable[[np.ndarray, np.ndarray, np.ndarray, list[str], list[str]], np.ndarray]


def lr(c: float, class_weight: str | None) -> Scorer:
    def score(x_tr: np.ndarray, y_tr: np.ndarray, x_te: np.ndarray, *_texts) -> np.ndarray:
        clf = LogisticRegression(C=c, class_weight=class_weight, max_iter=300)
        return clf.fit(x_tr, y_tr).predict_proba(x_te)
    return score


def knn(k: int, temperature: float = 0.05) -> Scorer:
    """Softmax-weighted votes of the k most cosine-similar training examples."""
    def score(x_tr: np.ndarray, y_tr: np.ndarray, x_te: np.ndarray, *_texts) -> np.ndarray:
        n_classes = int(y_tr.max()) + 1
        sims = x_te @ x_tr.T
        top = np.argpartition(-sims, k, axis=1)[:, :k]
        weights = np.exp(np.take_along_axis(sims, top, axis=1) / temperature)
        probs = np.zeros((len(x_te), n_classes))
        for row in range(len(x_te)):
            np.add.at(probs[row], y_tr[top[row]], weights[row])
        return probs / probs.sum(axis=1, keepdims=True)
    return score


def mlp(config: MlpConfig = MlpConfig()) -> Scorer:
    def score(x_tr: np.ndarray, y_tr: np.ndarray, x_te: np.ndarray, *_texts) -> np.ndarray:
        weights = fit_mlp(x_tr, y_tr, int(y_tr.max()) + 1, config, seed=13)
        return softmax(mlp_logits(x_te, *weights))
    return score


def tfidf(config: TfidfConfig = TfidfConfig()) -> Scorer:
    """The TF-IDF head alone: it reads the texts, not the features."""
    def score(_x_tr, y_tr: np.ndarray, _x_te, t_tr: list[str], t_te: list[str]) -> np.ndarray:
        return softmax(fit_tfidf_head(t_tr, y_tr, int(y_tr.max()) + 1, config, "balanced", 13).logits(t_te))
    return score


def on_embedding(scorer: Scorer) -> Scorer:
    """``scorer`` given only the sentence embedding: the last columns of the layer features."""
    def score(x_tr: np.ndarray, y_tr: np.ndarray, x_te: np.ndarray, *texts) -> np.ndarray:
        return scorer(x_tr[:, -EMBEDDING_DIM:], y_tr, x_te[:, -EMBEDDING_DIM:], *texts)
    return score


def ensemble(*scorers: Scorer) -> Scorer:
    def score(*fold) -> np.ndarray:
        return sum(s(*fold) for s in scorers) / len(scorers)
    return score


def shipped(x_tr: np.ndarray, y_tr: np.ndarray, x_te: np.ndarray, t_tr: list[str],
            t_te: list[str]) -> np.ndarray:
    """Exactly what `bankbot train nlu` fits (nlu.training.fit_model with its default config)."""
    model = fit_model(x_tr, EMBEDDING_DIM, t_tr, [str(label) for label in y_tr], ClassifierConfig(), seed=13)
    order = np.argsort([int(i) for i in model.intents])
    return model.predict_proba(x_te, t_te)[:, order]


APPROACHES: dict[str, Scorer] = {
    "shipped": shipped,
    "lr": lr(30.0, "balanced"),
    "lr-c10": lr(10.0, None),
    "lr-c100": lr(100.0, "balanced"),
    "knn": knn(10),
    "knn-k5": knn(5),
    "knn-k40": knn(40),
    "lr+knn": ensemble(lr(30.0, "balanced"), knn(10)),
    "mlp": mlp(),
    "lr-layers": lr(30.0, "balanced"),
    "mlp-layers": mlp(),
    "mlp+knn-layers": ensemble(mlp(), on_embedding(knn(10))),
    "mlp+lr+knn-layers": ensemble(mlp(), lr(30.0, "balanced"), on_embedding(knn(10))),
    "tfidf": tfidf(),
}
EMBEDDING_DIM = 384  # all-MiniLM-L6-v2; checked against the features in main()


def uses_layers(approach: str) -> bool:
    return approach == "shipped" or approach.endswith("-layers")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--approaches", default=",".join(APPROACHES))
    parser.add_argument("--data", choices=["banking77", "all"], default="banking77")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--run-folds", type=int, default=None)
    args = parser.parse_args()
    settings = Settings()
    limit_torch_threads(MAX_TORCH_THREADS)
    path = nlu_data_dir(settings)
    examples = load_examples(path / "banking77.yml" if args.data == "banking77" else path)
    started = time.perf_counter()
    x = embed_examples(settings, examples)
    approaches = args.approaches.split(",")
    layers = None
    if any(uses_layers(name) for name in approaches):
        layers, dim = layer_features(settings, examples)
        assert dim == EMBEDDING_DIM and np.allclose(layers[:, -dim:], x, atol=1e-4)
    texts = np.array([e.text for e in examples], dtype=object)
    names = sorted({e.intent for e in examples})
    y = np.array([names.index(e.intent) for e in examples])
    print(f"{len(examples)} examples, {len(names)} intents, encoder {settings.encoder_model}, "
          f"embedded in {time.perf_counter() - started:.1f}s")
    folds = list(StratifiedKFold(args.folds, shuffle=True, random_state=settings.seed).split(x, y))
    folds = folds[: args.run_folds]
    for name in approaches:
        started = time.perf_counter()
        accs, f1s = [], []
        features = layers if uses_layers(name) else x
        for train, test in folds:
            pred = APPROACHES[name](features[train], y[train], features[test], list(texts[train]),
                                    list(texts[test])).argmax(axis=1)
            accs.append(float((pred == y[test]).mean()))
            f1s.append(float(f1_score(y[test], pred, average="macro")))
        print(f"{name:18s} accuracy {np.mean(accs):.4f} (folds {min(accs):.4f}-{max(accs):.4f}) "
              f"macro-F1 {np.mean(f1s):.4f}  {len(folds)} fold(s) [{time.perf_counter() - started:.0f}s]",
              flush=True)


if __name__ == "__main__":
    main()
