"""The sentiment pipeline stage: ``text_norm`` (+ ``tokens``) → sentiment, probabilities and reasons."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from ..errors import InputError
from .labels import NEGATIVE, NEUTRAL, POSITIVE

ASSIGNS = ("sentiment", "p_positive", "p_neutral", "p_negative", "sentiment_reasons")


class SentimentStage:
    """Pipeline stage. Reuses the ``tokens`` the segment stage computed, so no text is segmented twice."""

    name = "sentiment"
    requires = ("text_norm", "tokens")
    assigns = ASSIGNS

    def __init__(self, model, top_reasons: int = 3):
        self.model = model
        self.top_reasons = top_reasons

    def __call__(self, df: pd.DataFrame) -> pd.DataFrame:
        from .explain import format_reasons, reasons_from_features

        out = df.copy()
        norm = ["" if not isinstance(t, str) else t for t in df["text_norm"].tolist()]
        tokens = [t if isinstance(t, list) else [] for t in df["tokens"].tolist()]
        self.model._check_fitted()
        X, hits = self.model.featurizer_.transform(norm, tokens, return_hits=True)
        proba = self.model.proba_from_features(X)
        classes = list(self.model.classes_)
        pred = np.asarray(self.model.classes_)[proba.argmax(axis=1)]
        reasons = reasons_from_features(self.model, X, proba, self.top_reasons, hits, tokens) if self.top_reasons else [[]] * len(df)
        out["sentiment"] = pred.astype(str)
        out["p_positive"] = proba[:, classes.index(POSITIVE)].round(4)
        out["p_neutral"] = proba[:, classes.index(NEUTRAL)].round(4)
        out["p_negative"] = proba[:, classes.index(NEGATIVE)].round(4)
        out["sentiment_reasons"] = [format_reasons(r, p == NEUTRAL) for r, p in zip(reasons, pred)]
        return out


class SnowNLPStage:
    """``--engine snownlp``: SnowNLP's P(positive) with the neutral band; no reasons (SnowNLP gives none)."""

    name = "sentiment"
    requires = ("text_norm",)
    assigns = ASSIGNS

    def __init__(self, engine):
        self.engine = engine

    def __call__(self, df: pd.DataFrame) -> pd.DataFrame:
        out = df.copy()
        proba = self.engine.predict_proba(df["text_norm"].fillna("").tolist())
        classes = list(self.engine.classes_)
        out["sentiment"] = np.asarray(self.engine.classes_)[proba.argmax(axis=1)].astype(str)
        out["p_positive"] = proba[:, classes.index(POSITIVE)].round(4)
        out["p_neutral"] = proba[:, classes.index(NEUTRAL)].round(4)
        out["p_negative"] = proba[:, classes.index(NEGATIVE)].round(4)
        out["sentiment_reasons"] = ""
        return out


def sentiment_stage(model=None, engine: str = "fankui", top_reasons: int = 3):
    """The sentiment stage for :class:`fankui.pipeline.Pipeline`.

    ``model``: None (built-in model), a path to a model from ``fankui train``, or a fitted SentimentClassifier.
    ``engine``: ``"fankui"`` or ``"snownlp"`` (comparison only; ``model`` must then be None).

    >>> from fankui.pipeline import Pipeline, default_stages
    >>> stage = sentiment_stage()                       # doctest: +SKIP
    >>> stage = sentiment_stage(model="my_model.npz")   # doctest: +SKIP
    """
    if engine == "snownlp":
        if model is not None:
            raise InputError("--model cannot be combined with --engine snownlp (SnowNLP has its own fixed model).",
                             "Drop --model, or use --engine fankui.")
        from .snownlp_engine import SnowNLPEngine

        return SnowNLPStage(SnowNLPEngine())
    if engine != "fankui":
        raise InputError(f"unknown sentiment engine {engine!r}.", "Use --engine fankui (default) or --engine snownlp.")
    if model is None:
        from .default import load_default

        model = load_default(estimator=False)  # scoring only: no scikit-learn import on the analyze path
    elif isinstance(model, (str, os.PathLike)):
        from .persist import load_model

        model = load_model(model, estimator=False)
    elif not hasattr(model, "proba_from_features"):
        raise InputError(f"model must be a path or a fitted SentimentClassifier, not {type(model).__name__}.",
                         "Pass the path of a model written by `fankui train`.")
    model._check_fitted()
    return SentimentStage(model, top_reasons)
