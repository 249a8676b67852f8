"""Scoring with a fitted sentiment model, without scikit-learn.

Prediction is a sparse matrix product and a softmax; it needs NumPy and SciPy only. Keeping it apart from the
estimator (:mod:`fankui.sentiment.classifier`, which needs scikit-learn to *fit*) lets ``fankui analyze`` start
without importing scikit-learn (about half a second). :class:`SentimentModel` is what a saved model loads into
for scoring; :class:`~fankui.sentiment.SentimentClassifier` shares the same scoring code through
:class:`Predictor`.

    >>> from fankui.sentiment import load_model
    >>> model = load_model("my_model.npz", estimator=False)   # doctest: +SKIP
    >>> model.predict(["物流太慢了"]).tolist()                   # doctest: +SKIP
    ['negative']
"""

from __future__ import annotations

import math

import numpy as np

from .. import errors
from ..segment import as_list as _as_list
from ..segment import prepare_texts
from .labels import CLASSES, NEGATIVE, POSITIVE

# prepare_texts is re-exported for callers of its earlier home; it lives in fankui.segment.
__all__ = ["Predictor", "SentimentModel", "prepare_texts"]


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


class Predictor:
    """Scoring methods shared by the estimator and the light loaded model.

    Needs the fitted attributes ``featurizer_``, ``coef_``, ``intercept_``, ``calibration_``, ``mode_``,
    ``classes_``, ``model_classes_`` and the parameter ``neutral_band``.
    """

    def _check_fitted(self):
        if not hasattr(self, "coef_"):
            raise errors.NotFittedError("this sentiment model is not fitted yet.",
                                        "Call fit(texts, labels) first, or use fankui.sentiment.load_default().")

    def features(self, norm: list[str], tokens: list[list[str]]):
        """Feature matrix for already normalised and segmented texts (the pipeline's ``text_norm``/``tokens``)."""
        self._check_fitted()
        return self.featurizer_.transform(norm, tokens)

    def _scores(self, X) -> np.ndarray:
        return np.asarray(X @ self.coef_.T, dtype=np.float64) + self.intercept_

    def proba_from_features(self, X) -> np.ndarray:
        """Class probabilities (columns in ``classes_`` order) from a feature matrix."""
        scores = self._scores(X)
        n = scores.shape[0]
        if self.mode_ == "binary":
            a, b = self.calibration_
            logit = a * scores[:, 0] + b
            if self.neutral_band and self.neutral_band > 0:
                t = _logit(0.5 + min(float(self.neutral_band), 0.49)) / 2.0
                z = np.column_stack([-logit / 2.0, np.full(n, t), logit / 2.0])
            else:
                q = 1.0 / (1.0 + np.exp(-logit))
                return np.column_stack([1.0 - q, np.zeros(n), q])
        else:
            if scores.shape[1] == 1:  # two of the three classes, liblinear-style single column
                scores = np.column_stack([-scores[:, 0] / 2.0, scores[:, 0] / 2.0])
            z = np.full((n, 3), -np.inf)
            for j, cls in enumerate(self.model_classes_):
                z[:, CLASSES.index(cls)] = scores[:, j]
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def predict_proba(self, X) -> np.ndarray:
        """Probabilities of negative / neutral / positive (columns follow ``classes_``); rows sum to 1."""
        self._check_fitted()
        norm, tokens = prepare_texts(X)
        return self.proba_from_features(self.features(norm, tokens))

    def predict(self, X) -> np.ndarray:
        """``positive`` / ``neutral`` / ``negative`` for each text."""
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)]

    def polarity_weights(self, cls: str) -> np.ndarray:
        """Per-feature weight pushing towards ``cls`` (vs the other classes), used for explanations."""
        self._check_fitted()
        w = self.coef_.astype(np.float64)
        if self.mode_ == "binary":
            d = w[0] * self.calibration_[0]
            return {POSITIVE: d, NEGATIVE: -d}.get(cls, -np.abs(d))
        if w.shape[0] == 1:
            w = np.vstack([-w[0] / 2.0, w[0] / 2.0])
        rows = {c: w[j] for j, c in enumerate(self.model_classes_)}
        if cls not in rows:
            return np.zeros(w.shape[1])
        others = [rows[c] for c in rows if c != cls]
        return rows[cls] - np.mean(others, axis=0)


class SentimentModel(Predictor):
    """A fitted sentiment model for scoring only (what ``load_model(..., estimator=False)`` returns).

    Same scoring API as :class:`~fankui.sentiment.SentimentClassifier` (``predict``, ``predict_proba``,
    ``classes_``, ``featurizer_``, ``proba_from_features``) but no ``fit`` and no scikit-learn import.
    ``params`` are the estimator parameters it was trained with.
    """

    def __init__(self, params: dict | None = None):
        self.params = dict(params or {})
        self.neutral_band = self.params.get("neutral_band", 0.15)

    def get_params(self, deep: bool = True) -> dict:
        return dict(self.params)

    def __repr__(self) -> str:
        return f"SentimentModel(mode={getattr(self, 'mode_', '?')!r}, n_features={self.featurizer_.n_features})"

    def to_estimator(self):
        """The same fitted model as a :class:`~fankui.sentiment.SentimentClassifier` (imports scikit-learn)."""
        from .classifier import SentimentClassifier

        est = SentimentClassifier(**self.params)
        for key, value in self.__dict__.items():
            if key.endswith("_") and not key.startswith("_"):
                setattr(est, key, value)
        return est


