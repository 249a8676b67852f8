"""Scoring shared by the trainable :class:`~fankui.themes.ThemeClassifier` and the scoring-only
:class:`~fankui.themes.hybrid.ThemeScorer` (the built-in model): probabilities from features, and the clauses a
model scores highest for a theme. No scikit-learn here, so `fankui analyze` can score without importing it.

A *model* below is anything with ``featurizer_``, ``classes_`` and ``proba_from_features(X)``.
"""

from __future__ import annotations

import numpy as np

from .aspect import split_clauses

__all__ = ["sigmoid", "theme_proba", "model_clauses"]


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))


def theme_proba(X, coef: np.ndarray, intercept: np.ndarray, multilabel: bool) -> np.ndarray:
    """Per-theme probabilities from a feature matrix: one sigmoid per theme (multi-label), else a softmax."""
    scores = np.asarray(X @ coef.T, dtype=np.float64) + intercept
    if multilabel:
        return sigmoid(scores)
    scores -= scores.max(axis=1, keepdims=True)
    e = np.exp(scores)
    return e / e.sum(axis=1, keepdims=True)


def model_clauses(model, norm: list[str], tokens: list[list[str]], themes: list[list[str]], cut: float):
    """For each row and each of its ``themes``, the clauses ``model`` scores highest for that theme.

    Returns ``(spans, clauses)``: per row ``[(theme, clause indices)]`` and its clauses (:func:`split_clauses`).
    A clause is kept when the theme's probability on it reaches ``cut``, else the best one; a one-clause text
    uses its only clause. Themes the model does not know are left out of ``spans``.
    """
    clauses = [split_clauses(t) for t in tokens]
    cl_texts, cl_tokens, first = [], [], {}
    for r, cl in enumerate(clauses):
        if len(cl) > 1:
            first[r] = len(cl_texts)
            for c in cl:
                cl_texts.append(norm[r][c.start:c.end])
                cl_tokens.append(tokens[r][c.tok_start:c.tok_end])
    cp = model.proba_from_features(model.featurizer_.transform(cl_texts, cl_tokens)) if cl_texts else None
    col = {str(c): j for j, c in enumerate(model.classes_)}
    spans = []
    for r, row_themes in enumerate(themes):
        row = []
        for t in row_themes:
            if t not in col:
                continue
            if r in first:
                p = cp[first[r]:first[r] + len(clauses[r]), col[t]]
                keep = np.flatnonzero(p >= cut)
                idx = keep.tolist() if len(keep) else [int(p.argmax())]
            else:
                idx = [0] if clauses[r] else []
            row.append((t, idx))
        spans.append(row)
    return spans, clauses
