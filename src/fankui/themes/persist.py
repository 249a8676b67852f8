"""Saving and loading theme models safely: one ``.npz`` of plain arrays plus UTF-8 JSON, never pickle.

Same scheme as :mod:`fankui.sentiment.persist`: ``numpy.load(..., allow_pickle=False)``, so a model file from a
stranger can at worst be wrong, never run code.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import numpy as np

from ..errors import InputError, ModelError
from ..io import atomic_output

__all__ = ["save_theme_model", "load_theme_model", "read_theme_arrays", "FORMAT", "VERSION"]

FORMAT = "fankui-themes"
VERSION = 1
_ARRAYS = ("word_idf", "char_idf", "coef", "intercept")
_HINT = "Train one with `fankui train-themes LABELLED -o MODEL.npz --label-column 主题`."


def save_theme_model(model, path: str | os.PathLike) -> Path:
    """Write a fitted :class:`~fankui.themes.ThemeClassifier` to ``path`` atomically. Returns the path.

    >>> save_theme_model(clf, "themes.npz")   # doctest: +SKIP
    """
    model._check_fitted()
    path = Path(path)
    feat = model.featurizer_
    params = {k: (list(v) if isinstance(v, tuple) else v) for k, v in model.get_params().items()}
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "params": params,
        "classes": [str(c) for c in model.classes_],
        "multilabel": bool(model.multilabel_),
        "threshold": float(model.threshold_),
        "C": float(model.C_),
        "min_labels": int(model.min_labels_),
        "char_ngram_range": list(feat.char_ngram_range),
        "lexicon": bool(feat.lexicon),
        "word_vocab": list(feat.word_vocab),
        "char_vocab": list(feat.char_vocab),
    }
    arrays = {
        "meta": np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8),
        "word_idf": np.asarray(feat.word_idf, dtype=np.float32),
        "char_idf": np.asarray(feat.char_idf, dtype=np.float32),
        "coef": np.asarray(model.coef_, dtype=np.float32),
        "intercept": np.asarray(model.intercept_, dtype=np.float64),
    }
    if not path.parent.exists():
        raise InputError(f"cannot write the theme model to {path}: folder {path.parent} does not exist.",
                         "Create the folder first or choose another path with -o.")
    with atomic_output(path) as tmp, open(tmp, "wb") as fh:
        np.savez_compressed(fh, **arrays)
    return path


def read_theme_arrays(path: str | os.PathLike):
    """``(meta, featurizer, coef, intercept)`` of a saved theme model, checked, without scikit-learn.

    What both :func:`load_theme_model` and the scoring-only loader of the built-in hybrid
    (:mod:`fankui.themes.hybrid`) read; ``fankui analyze`` never imports scikit-learn (about a second).
    """
    from ..sentiment.features import Featurizer

    path = Path(path)
    if not path.is_file():
        raise InputError(f"theme model file not found: {path}", _HINT)
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(bytes(data["meta"]).decode("utf-8"))
            arrays = {k: np.array(data[k]) for k in _ARRAYS}
    except (zipfile.BadZipFile, ValueError, KeyError, OSError, UnicodeDecodeError, json.JSONDecodeError, EOFError) as exc:
        raise ModelError(f"{path} is not a fankui theme model ({type(exc).__name__}: {exc}).", _HINT) from None
    if meta.get("format") != FORMAT:
        hint = ("That is a sentiment model: pass it with --model, not --themes-model."
                if meta.get("format") == "fankui-sentiment" else _HINT)
        raise ModelError(f"{path} is not a fankui theme model (format {meta.get('format')!r}).", hint)
    if meta.get("version", 0) > VERSION:
        raise ModelError(f"{path} was written by a newer fankui (theme model format {meta['version']}, this one reads {VERSION}).",
                         "Upgrade fankui, or retrain the model with this version.")
    feat = Featurizer(meta["word_vocab"], arrays["word_idf"], meta["char_vocab"], arrays["char_idf"],
                      tuple(meta["char_ngram_range"]), meta["lexicon"])
    n, k = feat.n_features, len(meta["classes"])
    if arrays["coef"].shape != (k, n) or arrays["intercept"].shape != (k,):
        raise ModelError(f"{path} is damaged: {arrays['coef'].shape} weights for {k} themes × {n} features.",
                         "Retrain the model with `fankui train-themes`.")
    return meta, feat, arrays["coef"].astype(np.float32), arrays["intercept"]


def load_theme_model(path: str | os.PathLike):
    """Load a model written by :func:`save_theme_model` (or ``fankui train-themes``).

    >>> clf = load_theme_model("themes.npz")   # doctest: +SKIP
    """
    from .supervised import ThemeClassifier

    meta, feat, coef, intercept = read_theme_arrays(path)
    params = dict(meta["params"])
    if isinstance(params.get("char_ngram_range"), list):
        params["char_ngram_range"] = tuple(params["char_ngram_range"])
    model = ThemeClassifier(**params)
    model.featurizer_ = feat
    model.classes_ = np.array(meta["classes"], dtype=object)
    model.multilabel_ = bool(meta["multilabel"])
    model.threshold_ = float(meta["threshold"])
    model.C_ = float(meta.get("C", 0.0))
    model.min_labels_ = int(meta["min_labels"])
    model.coef_ = coef
    model.intercept_ = intercept
    return model
