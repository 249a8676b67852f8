"""Saving and loading sentiment models in a format that is safe to load: one ``.npz`` (NumPy arrays + JSON).

Nothing is unpickled: ``numpy.load(..., allow_pickle=False)`` reads plain arrays, and the vocabulary and
parameters travel as UTF-8 JSON. A model file from a stranger can therefore at worst be wrong, never run code.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from ..errors import InputError, ModelError
from ..io import atomic_output

FORMAT = "fankui-sentiment"
VERSION = 1
_ARRAYS = ("word_idf", "char_idf", "coef", "intercept", "calibration")


def save_model(model, path: str | os.PathLike) -> Path:
    """Write a fitted :class:`SentimentClassifier` to ``path`` (atomically). Returns the path.

    >>> save_model(clf, "my_model.npz")   # doctest: +SKIP
    """
    model._check_fitted()
    path = Path(path)
    feat = model.featurizer_
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "params": _jsonable(model.get_params()),
        "mode": model.mode_,
        "C": model.C_,
        "classes": [str(c) for c in model.classes_],
        "model_classes": [str(c) for c in model.model_classes_],
        "char_ngram_range": list(feat.char_ngram_range),
        "lexicon": feat.lexicon,
        "word_vocab": feat.word_vocab,
        "char_vocab": feat.char_vocab,
        "info": getattr(model, "info_", {}),
    }
    arrays = {
        "meta": np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8),
        "word_idf": feat.word_idf.astype(np.float32),
        "char_idf": feat.char_idf.astype(np.float32),
        "coef": model.coef_.astype(np.float32),
        "intercept": np.asarray(model.intercept_, dtype=np.float64),
        "calibration": np.asarray(model.calibration_, dtype=np.float64),
    }
    if not path.parent.exists():
        raise InputError(f"cannot write the model to {path}: folder {path.parent} does not exist.",
                         "Create the folder first or choose another path with -o.")
    with atomic_output(path) as tmp, open(tmp, "wb") as fh:
        np.savez_compressed(fh, **arrays)
    return path


def load_model(path: str | os.PathLike, *, estimator: bool = True):
    """Load a model written by :func:`save_model` (or ``fankui train``).

    ``estimator=False`` gives a scoring-only :class:`~fankui.sentiment.predictor.SentimentModel` (same
    ``predict``/``predict_proba``/``featurizer_``/``proba_from_features``) without importing scikit-learn.

    >>> clf = load_model("my_model.npz")   # doctest: +SKIP
    """
    from .features import Featurizer
    from .predictor import SentimentModel

    path = Path(path)
    if not path.is_file():
        raise InputError(f"model file not found: {path}",
                         "Give a model written by `fankui train ... -o MODEL`, or leave --model out for the built-in one.")
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(bytes(data["meta"]).decode("utf-8"))
            arrays = {k: np.array(data[k]) for k in _ARRAYS}
    except (zipfile.BadZipFile, ValueError, KeyError, OSError, UnicodeDecodeError, json.JSONDecodeError, EOFError) as exc:
        raise ModelError(f"{path} is not a fankui sentiment model ({type(exc).__name__}: {exc}).",
                         "Train one with `fankui train LABELLED -o MODEL.npz`.") from None
    if meta.get("format") != FORMAT:
        raise ModelError(f"{path} is not a fankui sentiment model (format {meta.get('format')!r}).",
                         "Train one with `fankui train LABELLED -o MODEL.npz`.")
    if meta.get("version", 0) > VERSION:
        raise ModelError(f"{path} was written by a newer fankui (model format {meta['version']}, this one reads {VERSION}).",
                         "Upgrade fankui, or retrain the model with this version.")
    params = meta["params"]
    for key in ("char_ngram_range",):
        if isinstance(params.get(key), list):
            params[key] = tuple(params[key])
    if estimator:
        from .classifier import SentimentClassifier

        model = SentimentClassifier(**params)
    else:
        model = SentimentModel(params)
    model.featurizer_ = Featurizer(meta["word_vocab"], arrays["word_idf"], meta["char_vocab"], arrays["char_idf"],
                                   tuple(meta["char_ngram_range"]), meta["lexicon"])
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
