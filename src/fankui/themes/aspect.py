"""Sentiment per theme (aspect level): the clause that mentions a theme is scored with the sentiment model.

A ticket such as "物流很快但是质量太差" praises delivery and complains about quality; its overall sentiment says
neither. We split the segmented text into clauses at punctuation and at contrastive conjunctions (但是, 不过,
可是...), find the clause(s) that mention each theme, and score those with the same sentiment classifier the
pipeline uses — on tokens already computed, so nothing is segmented twice.

    >>> from fankui.themes import aspect_sentiment
    >>> aspect_sentiment(["物流很快但是质量太差"])          # doctest: +SKIP
    [{'物流配送': 'positive', '产品质量': 'negative'}]
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import NamedTuple

import numpy as np

__all__ = ["Clause", "split_clauses", "clause_sentiments", "format_theme_sentiment", "aspect_sentiment"]

# Contrast and concession words start a new clause: the sentiment usually turns there.
CONTRAST = frozenset({"但是", "但", "可是", "可", "不过", "然而", "却", "而是", "只是", "反而", "倒是"})


class Clause(NamedTuple):
    """Token range [tok_start, tok_end) and character range [start, end) of one clause in ``text_norm``.

    A named tuple, not a dataclass: tens of thousands are made per chunk on the analyze hot path.
    """

    tok_start: int
    tok_end: int
    start: int
    end: int


@lru_cache(maxsize=4096)
def _is_break(token: str) -> bool:
    return not token.isalnum() and all(unicodedata.category(ch)[0] in "PSZ" for ch in token)


def is_boundary(token: str) -> bool:
    """True for a token that separates clauses: punctuation/space, or a contrastive conjunction (但是)."""
    return token in CONTRAST or _is_break(token)


def split_clauses(tokens: list[str]) -> list[Clause]:
    """Clauses of a segmented text, split at punctuation and contrastive conjunctions (which are left out).

    >>> [c[:2] for c in split_clauses(["物流", "很快", "但是", "质量", "太差"])]
    [(0, 2), (3, 5)]
    """
    out: list[Clause] = []
    pos = 0
    t0 = c0 = None
    contrast = CONTRAST
    for i, tok in enumerate(tokens):
        # is_boundary, inlined: most tokens are words, which isalnum (in C) clears without a cached call.
        if tok in contrast or (not tok.isalnum() and _is_break(tok)):
            if t0 is not None:
                out.append(Clause(t0, i, c0, pos))
                t0 = None
        elif t0 is None:
            t0, c0 = i, pos
        pos += len(tok)
    if t0 is not None:
        out.append(Clause(t0, len(tokens), c0, pos))
    return out


def clause_sentiments(model, norm: list[str], tokens: list[list[str]], spans: list[list[tuple[str, list[int]]]],
                      clauses: list[list[Clause]]) -> list[dict[str, str]]:
    """Sentiment label per (row, theme) from the text of the theme's clauses, in one batch.

    ``spans[r]`` lists ``(theme, clause indices)`` for row ``r``; ``clauses[r]`` are that row's clauses.
    """
    texts: list[str] = []
    toks: list[list[str]] = []
    keys: list[tuple[int, str]] = []
    for r, row in enumerate(spans):
        for theme, idx in row:
            cl = sorted([clauses[r][i] for i in idx] or clauses[r], key=lambda c: c.start)
            if not cl:
                continue
            parts_text, parts_tok = [], []
            for c in cl:
                if parts_tok:
                    parts_text.append("，")
                    parts_tok.append("，")
                parts_text.append(norm[r][c.start:c.end])
                parts_tok.extend(tokens[r][c.tok_start:c.tok_end])
            texts.append("".join(parts_text))
            toks.append(parts_tok)
            keys.append((r, theme))
    out: list[dict[str, str]] = [{} for _ in spans]
    if not texts:
        return out
    model._check_fitted()
    proba = model.proba_from_features(model.featurizer_.transform(texts, toks))
    labels = np.asarray(model.classes_)[proba.argmax(axis=1)]
    for (r, theme), lab in zip(keys, labels):
        out[r][theme] = str(lab)
    return out


def format_theme_sentiment(d: dict[str, str]) -> str:
    """``{"物流配送": "positive"}`` → ``"物流配送:positive"`` (themes in the order given)."""
    return ";".join(f"{k}:{v}" for k, v in d.items())


def aspect_sentiment(texts, tagger=None, sentiment_model=None) -> list[dict[str, str]]:
    """Theme → sentiment for raw texts (convenience wrapper; the pipeline stage does the same on its columns).

    ``tagger``: a :class:`~fankui.themes.ThemeTagger` or a fitted :class:`~fankui.themes.ThemeClassifier`
    (default: what `fankui analyze` tags with, the built-in taxonomy blended with the built-in model);
    ``sentiment_model``: a fitted SentimentClassifier (default: built-in).
    """
    from ..segment import prepare_texts
    from .hybrid import default_tagger

    if tagger is None:
        tagger = default_tagger()
    if sentiment_model is None:
        from ..sentiment import load_default

        sentiment_model = load_default(estimator=False)  # scoring only
    norm, tokens = prepare_texts(texts)
    themes, _, spans, clauses = tagger.tag_prepared(norm, tokens)
    return clause_sentiments(sentiment_model, norm, tokens, spans, clauses)
