"""Out-of-scope detection on CLINC150's val split (never trained on): recall of out-of-scope queries
at >= 95% acceptance of in-scope (banking, credit_cards) queries, and at the shipped settings.

In-scope queries count as correct when they are accepted (not turned into nlu_fallback): CLINC's
banking labels are not our intent names. CLINC intents that our bot handles itself (greeting, yes,
cancel, ...; nlu/convert_sources.py) are left out of both sides.
Usage: python bench/nlu_oos.py
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from bot.settings import PROJECT_ROOT, Settings
from nlu.convert_sources import CLINC_IN_SCOPE_DOMAINS, CLINC_IN_SCOPE_INTENTS
from nlu.labels import OUT_OF_SCOPE
from nlu.service import NluService
from nlu.text import clean_text
from nlu.training import train_nlu

CLINC = PROJECT_ROOT.parent / "shared" / "data" / "clinc150"
TARGET_IN_SCOPE = 0.95


def clinc_val(clinc_dir: Path) -> tuple[list[str], np.ndarray]:
    """Val texts and whether each is in scope; oos_val and non-banking domains are out of scope."""
    data = json.loads((clinc_dir / "clinc150_train_val.json").read_text())
    domain_of = {i: d for d, intents in json.loads((clinc_dir / "domains.json").read_text()).items()
                 for i in intents}
    texts, in_scope = [], []
    for text, intent in data["val"]:
        if intent in CLINC_IN_SCOPE_INTENTS:
            continue
        texts.append(text)
        in_scope.append(domain_of[intent] in CLINC_IN_SCOPE_DOMAINS)
    for text, _ in data["oos_val"]:
        texts.append(text)
        in_scope.append(False)
    return texts, np.array(in_scope)


def main() -> None:
    settings = Settings()
    train_nlu(settings)
    service = NluService.load(settings)
    texts, in_scope = clinc_val(CLINC)
    probs = service.probabilities([clean_text(t, settings.nlu_max_chars) for t in texts])
    oos = service.intents.index(OUT_OF_SCOPE)
    best_in_scope = np.delete(probs, oos, axis=1).max(axis=1)
    # the service's rule: fall back when out_of_scope wins or the top confidence is low
    shipped_reject = (probs.argmax(axis=1) == oos) | (probs.max(axis=1) < settings.nlu_fallback_threshold)
    print(f"CLINC150 val: {in_scope.sum()} in-scope, {(~in_scope).sum()} out-of-scope queries")
    print(f"shipped (threshold {settings.nlu_fallback_threshold}): in-scope accepted "
          f"{1 - shipped_reject[in_scope].mean():.4f}, out-of-scope recall "
          f"{shipped_reject[~in_scope].mean():.4f}")
    # reject when the best in-scope confidence is below t; largest t keeping >= 95% in-scope
    threshold = float(np.quantile(best_in_scope[in_scope], 1 - TARGET_IN_SCOPE))
    reject = best_in_scope < threshold
    print(f"at >= {TARGET_IN_SCOPE:.0%} in-scope accepted (best in-scope confidence >= "
          f"{threshold:.3f}): in-scope accepted {1 - reject[in_scope].mean():.4f}, "
          f"out-of-scope recall {reject[~in_scope].mean():.4f}")


if __name__ == "__main__":
    main()
