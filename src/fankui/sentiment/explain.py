"""Why a text got its sentiment: the few features that pushed the decision, as readable phrases.

Contribution of a feature = its value in the text × its weight towards the predicted class (for positive and
negative: the positive-vs-negative weight, so negative numbers push towards negative). Character n-grams that are
part of a stronger phrase already shown are folded into it, so ``太慢`` is not followed by ``慢`` and ``太``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .classifier import prepare_texts
from .features import readable
from .labels import NEGATIVE, NEUTRAL, POSITIVE


def reasons_from_features(model, X, proba: np.ndarray, top: int = 3, hits=None) -> list[list[tuple[str, float]]]:
    """For each row of feature matrix ``X``: up to ``top`` (phrase, contribution) pairs.

    With ``hits`` (lexicon hits per text, from ``Featurizer.transform(..., return_hits=True)``), a lexicon-count
    feature is shown as the lexicon words it counted.
    """
    from .features import LEXICON_FEATURES

    names = model.featurizer_.feature_names()
    n_lex = len(names) - len(LEXICON_FEATURES) if model.featurizer_.lexicon else -1
    pred = np.asarray(model.classes_)[proba.argmax(axis=1)]
    polar = model.polarity_weights(POSITIVE) if model.mode_ == "binary" else \
        model.polarity_weights(POSITIVE) - model.polarity_weights(NEGATIVE)
    if model.mode_ != "binary":
        polar = polar / 2.0
    neutral_w = model.polarity_weights(NEUTRAL)
    X = X.tocsr()
    out = []
    for i in range(X.shape[0]):
        lo, hi = X.indptr[i], X.indptr[i + 1]
        idx, val = X.indices[lo:hi], X.data[lo:hi]
        if pred[i] == NEUTRAL:
            contrib = val * neutral_w[idx]
            sign = 1.0
        else:
            contrib = val * polar[idx]
            sign = 1.0 if pred[i] == POSITIVE else -1.0
        order = np.argsort(-(contrib * sign))
        chosen: list[tuple[str, float]] = []
        for j in order:
            c = float(contrib[j])
            if c * sign <= 0.005 or len(chosen) >= top:
                break
            if idx[j] >= n_lex >= 0 and hits is not None:
                want = 1 if names[idx[j]] == "LEX_pos" else -1
                words = [readable("w:" + w) for w, pol in hits[i] if pol == want]
                phrase = "·".join(dict.fromkeys(words)) or readable(names[idx[j]])
            else:
                phrase = readable(names[idx[j]])
            if not phrase.strip() or any(phrase in p or p in phrase for p, _ in chosen):
                continue
            chosen.append((phrase, c))
        out.append(chosen)
    return out


def format_reasons(reasons: list[tuple[str, float]], neutral: bool = False) -> str:
    """``[("退款", -1.3), ("太慢", -0.9)]`` → ``"退款(-1.3) 太慢(-0.9)"``; neutral pushes are shown as ``~0.8``."""
    if neutral:
        return " ".join(f"{p}(~{abs(c):.1f})" for p, c in reasons)
    return " ".join(f"{p}({c:+.1f})" for p, c in reasons)


def explain(model, texts, top: int = 3) -> pd.DataFrame:
    """One row per text: ``sentiment``, the three probabilities and ``reasons`` (the phrases that decided it).

    >>> explain(load_default(), ["退款太慢了"])["reasons"].iloc[0]   # doctest: +SKIP
    '退款(-1.3) 太慢(-0.9)'
    """
    model._check_fitted()
    norm, tokens = prepare_texts(texts)
    X, hits = model.featurizer_.transform(norm, tokens, return_hits=True)
    proba = model.proba_from_features(X)
    classes = list(model.classes_)
    reasons = reasons_from_features(model, X, proba, top, hits)
    pred = np.asarray(model.classes_)[proba.argmax(axis=1)]
    return pd.DataFrame({
        "text": list(texts) if not isinstance(texts, pd.Series) else texts.tolist(),
        "sentiment": pred,
        "p_positive": proba[:, classes.index(POSITIVE)],
        "p_neutral": proba[:, classes.index(NEUTRAL)],
        "p_negative": proba[:, classes.index(NEGATIVE)],
        "reasons": [format_reasons(r, p == NEUTRAL) for r, p in zip(reasons, pred)],
    })
