"""Why a text got its sentiment: the few features that pushed the decision, as readable phrases.

Contribution of a feature = its value in the text × its weight towards the predicted class (for positive and
negative: the positive-vs-negative weight, so negative numbers push towards negative). Character n-grams that are
part of a stronger phrase already shown are folded into it, so ``太慢`` is not followed by ``慢`` and ``太``.
"""

from __future__ import annotations

from bisect import bisect_right
from functools import lru_cache
from itertools import accumulate

import numpy as np
import pandas as pd

from ..segment import load_stopwords, prepare_texts
from .features import readable
from .labels import NEGATIVE, NEUTRAL, POSITIVE


def _reason_weights(model) -> tuple[np.ndarray, np.ndarray]:
    """(positive-vs-negative weight, neutral weight) per feature, computed once per fitted model."""
    cached = getattr(model, "_reason_cache", None)
    if cached is not None and cached[0] is model.coef_:
        return cached[1], cached[2]
    polar = model.polarity_weights(POSITIVE) if model.mode_ == "binary" else \
        (model.polarity_weights(POSITIVE) - model.polarity_weights(NEGATIVE)) / 2.0
    neutral_w = model.polarity_weights(NEUTRAL)
    model._reason_cache = (model.coef_, polar, neutral_w)
    return polar, neutral_w


@lru_cache(maxsize=65536)
def _readable_word(word: str) -> str:
    return readable("w:" + word)


def _phrase(model, index: int) -> str:
    """Readable phrase of feature ``index`` (cached on the featurizer: the same few thousand recur)."""
    feat = model.featurizer_
    cache = feat.__dict__.setdefault("_phrases", {})
    phrase = cache.get(index)
    if phrase is None:
        n_words = len(feat.word_vocab)
        if index < n_words:
            phrase = readable("w:" + feat.word_vocab[index])
        elif index < n_words + len(feat.char_vocab):
            phrase = readable("c:" + feat.char_vocab[index - n_words])
            if not phrase.isalnum():
                phrase = ""  # n-grams across punctuation or spaces ("错,就") explain nothing to a reader
        else:
            phrase = readable(feat.feature_names()[index])
        cache[index] = phrase
    return phrase


# Negation and degree characters are not stop words (the features need them: 不好 is not 好), but alone, as a
# reason, "不(-0.2)" or "很(+0.2)" tells a reader nothing; the phrases they belong to (不好, 很快) still show.
_FUNCTION_CHARS = frozenset("不没得地才很太最更挺一可这那")


def _function_features(model, features: np.ndarray) -> np.ndarray:
    """True where a feature reads as a lone function character or a number: never shown as a reason.

    Decided once per feature and model (an int8 array over the features: -1 unknown, 0 shown, 1 hidden), so the
    check costs an array lookup per candidate and the reasons loop never sees these features.
    """
    feat = model.featurizer_
    flags = feat.__dict__.get("_hidden")
    if flags is None:
        flags = feat.__dict__["_hidden"] = np.full(feat.n_features, -1, dtype=np.int8)
    unknown = np.unique(features[flags[features] < 0])
    if len(unknown):
        hidden = load_stopwords() | _FUNCTION_CHARS
        phrases = [_phrase(model, f) for f in unknown.tolist()]
        flags[unknown] = [(len(p) == 1 and p in hidden) or p.isdigit() for p in phrases]
    return flags[features] == 1


def _whole_word(fragment: str, text: str, tokens: list[str], ends: list[int]) -> str:
    """The jieba token that contains character n-gram ``fragment`` (its first occurrence), else ``fragment``.

    A character n-gram is often a piece of a word ("拖" of 拖拉机, "发" of 发票); a reader needs the word. An
    n-gram across two tokens ("很快" from 很|快) is already a phrase and stays as it is. ``text`` is the
    normalised text that ``tokens`` spell (segmentation is lossless); ``ends`` their end offsets.
    """
    start = text.find(fragment)
    if start < 0:
        return fragment
    k = bisect_right(ends, start)  # the token holding the fragment's first character
    if k < len(tokens) and start + len(fragment) <= ends[k] and len(tokens[k]) > len(fragment):
        return tokens[k]
    return fragment


def reasons_from_features(model, X, proba: np.ndarray, top: int = 3, hits=None,
                          tokens=None) -> list[list[tuple[str, float]]]:
    """For each row of feature matrix ``X``: up to ``top`` (phrase, contribution) pairs.

    With ``hits`` (lexicon hits per text, from ``Featurizer.transform(..., return_hits=True)``), a lexicon-count
    feature is shown as the lexicon words it counted. With ``tokens`` (the rows' jieba tokens), a character
    n-gram inside a word is shown as that word, and single-character function words (不, 了, 吗 ...) are left
    out: they move the score a little in almost every text and explain nothing on their own.

    All contributions are computed and ranked with array operations; the per-row Python work is only picking
    the first ``top`` distinct phrases among a row's few strongest features.
    """
    from .features import LEXICON_FEATURES

    feat = model.featurizer_
    n_lex = feat.n_features - len(LEXICON_FEATURES) if feat.lexicon else feat.n_features + 1
    classes = np.asarray(model.classes_)
    pred_idx = proba.argmax(axis=1)
    pred_neutral = classes[pred_idx] == NEUTRAL
    # sign of "pushes towards the prediction": + for positive and neutral, - for negative
    sign = np.where(classes[pred_idx] == NEGATIVE, -1.0, 1.0)
    polar, neutral_w = _reason_weights(model)
    X = X.tocsr()
    n = X.shape[0]
    rows = np.repeat(np.arange(n), np.diff(X.indptr))
    idx = X.indices
    weight = np.where(pred_neutral[rows], neutral_w[idx], polar[idx])
    contrib = X.data.astype(np.float64) * weight
    signed = contrib * sign[rows]
    keep = np.flatnonzero(signed > 0.005)
    if tokens is not None:
        keep = keep[~_function_features(model, idx[keep])]
    # Strongest first within each row: one argsort of row + 1/(1 + push), which increases along rows and
    # decreases with the push inside a row. Only a row's first few candidates are ever needed (folding a
    # phrase into a stronger one skips a few), so the rest are dropped before the Python loop.
    s_keep = signed[keep]
    keep = keep[np.argsort(rows[keep] + 1.0 / (1.0 + s_keep), kind="stable")]
    k_rows = rows[keep]
    bounds = np.searchsorted(k_rows, np.arange(n + 1))
    rank = np.arange(len(keep)) - bounds[k_rows]
    keep = keep[rank < 4 * top + 8]
    k_rows = rows[keep]
    bounds = np.searchsorted(k_rows, np.arange(n + 1)).tolist()
    k_feat = idx[keep]
    k_contrib = contrib[keep].tolist()  # plain lists: fast to index in the loop
    uniq, inverse = np.unique(k_feat, return_inverse=True)
    uniq_phrase = [_phrase(model, f) for f in uniq.tolist()]
    k_phrase = [uniq_phrase[j] for j in inverse.tolist()]
    n_words = len(feat.word_vocab)
    k_char = ((k_feat >= n_words) & (k_feat < n_words + len(feat.char_vocab))).tolist()
    lex_rows = k_feat >= n_lex
    k_lex = (np.where(k_feat == n_lex, 1, -1) * lex_rows).tolist()  # +1 LEX_pos, -1 LEX_neg, 0 other
    out: list[list[tuple[str, float]]] = []
    for i in range(n):
        chosen: list[tuple[str, float]] = []
        ends = None
        for j in range(bounds[i], bounds[i + 1]):
            phrase = k_phrase[j]
            want = k_lex[j]
            if want and hits is not None:
                words = [_readable_word(w) for w, pol in hits[i] if pol == want]
                phrase = "·".join(dict.fromkeys(words)) or phrase
            if not phrase or phrase.isspace():
                continue
            if tokens is not None:
                if k_char[j]:
                    if ends is None:
                        row_tokens = tokens[i]
                        ends = list(accumulate(map(len, row_tokens)))
                        row_text = "".join(row_tokens)
                    phrase = _whole_word(phrase, row_text, row_tokens, ends)
            for p, _ in chosen:  # a phrase inside a stronger one (or around it) adds nothing
                if phrase in p or p in phrase:
                    break
            else:
                chosen.append((phrase, k_contrib[j]))
            if len(chosen) >= top:
                break
        out.append(chosen)
    return out


def format_reasons(reasons: list[tuple[str, float]], neutral: bool = False) -> str:
    """``[("退款", -1.3), ("太慢", -0.9)]`` → ``"退款(-1.3) 太慢(-0.9)"``; neutral pushes are shown as ``~0.8``."""
    if neutral:
        return " ".join([f"{p}(~{abs(c):.1f})" for p, c in reasons])
    return " ".join([f"{p}({c:+.1f})" for p, c in reasons])


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
    reasons = reasons_from_features(model, X, proba, top, hits, tokens)
    pred = np.asarray(model.classes_)[proba.argmax(axis=1)]
    return pd.DataFrame({
        "text": list(texts) if not isinstance(texts, pd.Series) else texts.tolist(),
        "sentiment": pred,
        "p_positive": proba[:, classes.index(POSITIVE)],
        "p_neutral": proba[:, classes.index(NEUTRAL)],
        "p_negative": proba[:, classes.index(NEGATIVE)],
        "reasons": [format_reasons(r, p == NEUTRAL) for r, p in zip(reasons, pred)],
    })
