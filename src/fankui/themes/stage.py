"""The theme pipeline stage: ``text_norm`` + ``tokens`` → ``themes``, a score per theme, ``theme_sentiment``.

Works chunk by chunk with no state across chunks; the columns it adds are fixed when it is built (the
taxonomy or model is known then), so ``assigns`` can name one ``score_<theme>`` column per theme.
"""

from __future__ import annotations

import os

import pandas as pd

from ..errors import InputError
from .aspect import clause_sentiments, format_theme_sentiment

__all__ = ["ThemeStage", "theme_stage", "score_column"]


def score_column(theme: str) -> str:
    """``"物流配送"`` → ``"score_物流配送"``."""
    return f"score_{theme}"


class ThemeStage:
    """Pipeline stage around a :class:`ThemeTagger` or a fitted :class:`ThemeClassifier`.

    ``sentiment_model`` (a fitted SentimentClassifier, or None for no ``theme_sentiment``) scores each
    theme's clause.
    """

    name = "themes"
    requires = ("text_norm", "tokens")

    def __init__(self, tagger, sentiment_model=None):
        self.tagger = tagger
        self.sentiment_model = sentiment_model
        self.theme_names = [str(c) for c in tagger.classes_]
        cols = ["themes", *(score_column(t) for t in self.theme_names)]
        if sentiment_model is not None:
            cols.append("theme_sentiment")
        self.assigns = tuple(cols)

    def __call__(self, df: pd.DataFrame) -> pd.DataFrame:
        out = df.copy()
        norm = [t if isinstance(t, str) else "" for t in df["text_norm"].tolist()]
        tokens = [_as_tokens(t) for t in df["tokens"].tolist()]
        themes, scores, spans, clauses = self.tagger.tag_prepared(norm, tokens)
        out["themes"] = [";".join(t) for t in themes]
        for j, name in enumerate(self.theme_names):
            out[score_column(name)] = scores[:, j].round(3) if len(df) else []
        if self.sentiment_model is not None:
            per = clause_sentiments(self.sentiment_model, norm, tokens, spans, clauses)
            out["theme_sentiment"] = [format_theme_sentiment(d) for d in per]
        return out


def _as_tokens(value) -> list[str]:
    if isinstance(value, list):
        return value
    # Output of an earlier run read back from CSV: tokens joined by spaces (lossless split is not possible,
    # but matching only needs the words).
    return value.split(" ") if isinstance(value, str) and value else []


def theme_stage(taxonomy_path=None, model_path=None, sentiment_model=None, *, theme_sentiment: bool = True,
                builtin_model: bool = True):
    """The theme stage for :class:`fankui.pipeline.Pipeline`.

    ``taxonomy_path``: a taxonomy TOML replacing the built-in one (or a :class:`Taxonomy`);
    ``model_path``: a model from ``fankui train-themes`` (or a fitted ThemeClassifier) used instead of the
    taxonomy; ``sentiment_model``: a fitted SentimentClassifier for ``theme_sentiment`` (None: the built-in
    model). ``theme_sentiment=False`` leaves that column out. ``builtin_model`` (default on): with the built-in
    taxonomy only, blend its scores with the built-in theme model (:mod:`fankui.themes.hybrid`); ``False`` tags
    with the taxonomy alone (docs/themes.md compares the two).

    >>> stage = theme_stage()                                   # doctest: +SKIP
    >>> stage = theme_stage(taxonomy_path="my_themes.toml")     # doctest: +SKIP
    """
    if taxonomy_path is not None and model_path is not None:
        raise InputError("--themes (a taxonomy) and --themes-model (a trained model) cannot be used together.",
                         "Use --themes-model to tag with your trained themes, or --themes for a keyword taxonomy.")
    if model_path is not None:
        if isinstance(model_path, (str, os.PathLike)):
            from .persist import load_theme_model

            tagger = load_theme_model(model_path)
        elif hasattr(model_path, "tag_prepared"):
            tagger = model_path
        else:
            raise InputError(f"model_path must be a path or a fitted ThemeClassifier, not {type(model_path).__name__}.",
                             "Pass the path of a model written by `fankui train-themes`.")
        tagger._check_fitted()
    elif taxonomy_path is None:
        from .hybrid import default_tagger

        tagger = default_tagger(builtin_model)
    else:
        from .zeroshot import ThemeTagger

        tagger = ThemeTagger(taxonomy_path)  # a user's taxonomy is never blended: the model knows only ours
    if theme_sentiment and sentiment_model is None:
        from ..sentiment import load_default

        sentiment_model = load_default(estimator=False)  # scoring only: keeps scikit-learn off the analyze path
    elif sentiment_model is not None and not hasattr(sentiment_model, "proba_from_features"):
        raise InputError(f"sentiment_model must be a fitted SentimentClassifier, not {type(sentiment_model).__name__}.",
                         "Pass fankui.sentiment.load_default() or a model from fankui.sentiment.load_model().")
    return ThemeStage(tagger, sentiment_model if theme_sentiment else None)
