"""Saving and loading sentiment models in a format that is safe to load: one ``.npz`` (NumPy arrays + JSON).

Nothing is unpickled: ``numpy.load(..., allow_pickle=False)`` reads plain arrays, and the vocabulary and
parameters travel as UTF-8 JSON. A model file from a stranger can therefore at worst be wrong, never run code.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from ..errors import ModelError
from ..model_file import read_model_file, write_model_file

FORMAT = "fankui-sentiment"
VERSION = 1
_ARRAYS = ("word_idf", "char_idf", "coef", "intercept", "calibration")
_HINT = "Train one with `fankui train LABELLED -o MODEL.npz`."


def save_model(model, path: str | os.PathLike) -> Path:
    """Write a fitted :class:`SentimentClassifier` to ``path`` (atomically). Returns the path.

    >>> save_model(clf, "my_model.npz")   # doctest: +SKIP
    """
    model._check_fitted()
    feat_meta, feat_arrays = model.featurizer_.to_file_parts()
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "params": _jsonable(model.get_params()),
        "mode": model.mode_,
        "C": model.C_,
        "classes": [str(c) for c in model.classes_],
        "model_classes": [str(c) for c in model.model_classes_],
        **feat_meta,
        "info": getattr(model, "info_", {}),
    }
    arrays = {
        **feat_arrays,
        "coef": model.coef_.astype(np.float32),
        "intercept": np.asarray(model.intercept_, dtype=np.float64),
        "calibration": np.asarray(model.calibration_, dtype=np.float64),
    }
    return write_model_file(path, meta, arrays, what="model")


def load_model(path: str | os.PathLike, *, estimator: bool = True):
    """Load a model written by :func:`save_model` (or ``fankui train``).

    ``estimator=False`` gives a scoring-only :class:`~fankui.sentiment.predictor.SentimentModel` (same
    ``predict``/``predict_proba``/``featurizer_``/``proba_from_features``) without importing scikit-learn.

    >>> clf = load_model("my_model.npz")   # doctest: +SKIP
    """
    from .features import Featurizer
    from .predictor import SentimentModel

    meta, arrays = read_model_file(
        path, fmt=FORMAT, version=VERSION, arrays=_ARRAYS, what="sentiment model", hint=_HINT,
        missing_hint="Give a model written by `fankui train ... -o MODEL`, or leave --model out for the built-in one.",
        other_formats={"fankui-themes": "That is a theme model: pass it with --themes-model, not --model."})
    params = meta["params"]
    for key in ("char_ngram_range",):
        if isinstance(params.get(key), list):
            params[key] = tuple(params[key])
    if estimator:
        from .classifier import SentimentClassifier

        model = SentimentClassifier(**params)
    else:
        model = SentimentModel(params)
    model.featurizer_ = Featurizer.from_file_parts(meta, arrays)
    n = model.featurizer_.n_features
    if arrays["coef"].ndim != 2 or arrays["coef"].shape[1] != n:
        raise ModelError(f"{path} is damaged: {arrays['coef'].shape} weights for {n} features.",
                         "Retrain the model with `fankui train`.")
    model.mode_ = meta["mode"]
    model.C_ = meta["C"]
    model.classes_ = np.array(meta["classes"], dtype=object)
    model.model_classes_ = np.array(meta["model_classes"], dtype=object)
    model.coef_ = arrays["coef"].astype(np.float32)
    model.intercept_ = arrays["intercept"]
    model.calibration_ = arrays["calibration"]
    model.info_ = meta.get("info", {})
    return model


def _jsonable(params: dict) -> dict:
    out = {}
    for k, v in params.items():
        if isinstance(v, tuple):
            v = list(v)
        if isinstance(v, dict):
            v = {str(a): b for a, b in v.items()}
        out[k] = v
    return out


def model_bytes(model) -> bytes:
    """The saved form in memory (for tests and size checks)."""
    with tempfile.TemporaryDirectory() as d:
        p = save_model(model, Path(d) / "m.npz")
        return p.read_bytes()


__all__ = ["save_model", "load_model", "model_bytes", "FORMAT", "VERSION"]
