"""Saving and loading theme models safely: one ``.npz`` of plain arrays plus UTF-8 JSON, never pickle.

The container is :mod:`fankui.model_file`, shared with sentiment models: read with
``numpy.load(..., allow_pickle=False)``, so a model file from a stranger can at worst be wrong, never run code.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..errors import ModelError
from ..model_file import read_model_file, write_model_file

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
    feat_meta, feat_arrays = model.featurizer_.to_file_parts()
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
        **feat_meta,
    }
    arrays = {
        **feat_arrays,
        "coef": np.asarray(model.coef_, dtype=np.float32),
        "intercept": np.asarray(model.intercept_, dtype=np.float64),
    }
    return write_model_file(path, meta, arrays, what="theme model")


def read_theme_arrays(path: str | os.PathLike):
    """``(meta, featurizer, coef, intercept)`` of a saved theme model, checked, without scikit-learn.

    What both :func:`load_theme_model` and the scoring-only loader of the built-in hybrid
    (:mod:`fankui.themes.hybrid`) read; ``fankui analyze`` never imports scikit-learn (about a second).
    """
    from ..sentiment.features import Featurizer

    meta, arrays = read_model_file(
        path, fmt=FORMAT, version=VERSION, arrays=_ARRAYS, what="theme model", hint=_HINT,
        other_formats={"fankui-sentiment": "That is a sentiment model: pass it with --model, not --themes-model."})
    feat = Featurizer.from_file_parts(meta, arrays)
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
