"""Supervised themes: learn your own themes from labelled tickets (single- or multi-label).

Features are the sentiment model's Chinese-aware ones without the lexicon block (jieba words and bigrams plus
character 1–3-grams, TF-IDF), so a theme model and the sentiment model read text the same way.

- **Single-label** data (one theme per row): a multinomial logistic regression; the best theme wins.
- **Multi-label** data (``物流配送;包装``): one logistic regression per theme. A theme is predicted when its
  probability reaches ``threshold``; ``threshold="auto"`` picks it by 3-fold cross-validation on the training
  data only (best micro-F1 of out-of-fold probabilities). ``min_labels=1`` (the default when every training
  row has a theme) adds the most likely theme to a row that would otherwise get none.

    >>> clf = ThemeClassifier().fit(texts, ["物流配送", "产品质量;包装", ...])   # doctest: +SKIP
    >>> clf.predict(["快递三天还没到"])                                          # doctest: +SKIP
    array(['物流配送'], dtype=object)
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

from .. import errors
from ..segment import as_list as _as_list
from ..segment import prepare_texts
from ..sentiment.classifier import NotFittedError
from ..sentiment.features import nb_ratio
from .metrics import split_labels
from .scoring import model_clauses, sigmoid, theme_proba

__all__ = ["ThemeClassifier", "THRESHOLD_GRID", "C_GRID"]

THRESHOLD_GRID = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)
C_GRID = (1.0, 2.0, 4.0, 8.0, 16.0)
_SINGLE_LABEL_C = 4.0


class ThemeClassifier(ClassifierMixin, BaseEstimator):
    """Theme classifier trained on your labels; ``predict`` gives ``;``-joined themes per text.

    Parameters
    ----------
    C : float or "auto"
        Inverse regularisation strength of the logistic regressions ("auto": chosen from ``C_GRID`` by 3-fold
        CV on the training data for multi-label data; 4 for single-label data).
    threshold : float or "auto"
        Multi-label only: probability from which a theme is predicted ("auto": chosen by 3-fold CV on the
        training data).
    min_labels : int or "auto"
        Multi-label only: at least this many themes per text (0 or 1); "auto" is 1 when every training row has
        a theme.
    char_ngram_range, min_df, max_features
        Feature settings (see :mod:`fankui.sentiment.features`).
    class_weight : None or "balanced"
        As in scikit-learn.
    nb_weight : bool
        Multi-label only: NB-LR feature weighting per theme (+1 point micro-F1 on the car-review benchmark).
    words : bool
        Also jieba words and bigrams (default); ``False`` keeps character n-grams only, which is cheaper to
        score (no per-token pass).
    """

    def __init__(self, C="auto", threshold="auto", min_labels="auto", char_ngram_range=(1, 3), min_df=2,
                 max_features=300_000, class_weight=None, nb_weight=True, random_state=0, words=True):
        self.C = C
        self.threshold = threshold
        self.min_labels = min_labels
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.class_weight = class_weight
        self.nb_weight = nb_weight
        self.random_state = random_state
        self.words = words

    # -- fitting -------------------------------------------------------------------------------------------
    def fit(self, X, y):
        """Learn from raw texts and labels (``"物流配送;包装"`` strings or lists of themes). Returns ``self``."""
        texts = _as_list(X) if not isinstance(X, str) else X
        labels = [split_labels(v) for v in _as_list(y)]
        if len(labels) != len(texts):
            raise errors.LabelError(f"got {len(texts)} texts but {len(labels)} label entries.", "Pass one entry per text.")
        norm, tokens = prepare_texts(texts)
        return self._fit_prepared(norm, tokens, labels)

    def _fit_prepared(self, norm, tokens, labels):
        from ..sentiment.features import Featurizer

        empty = [i for i, lab in enumerate(labels) if not lab]
        classes = sorted({t for lab in labels for t in lab})
        if len(classes) < 2:
            raise errors.LabelError(f"the labels name {len(classes)} theme(s) ({', '.join(classes) or 'none'}); "
                                    "a theme model needs at least two.",
                                    "Check --label-column and that themes are separated by ';'.")
        multi = any(len(lab) > 1 for lab in labels)
        if empty and not multi:
            raise errors.LabelError(f"{len(empty)} row(s) have no theme (first: row {empty[0] + 1}).",
                                    "Give every row a theme (e.g. 其他), or drop the rows.")
        Y = np.zeros((len(labels), len(classes)), dtype=np.int8)
        col = {c: j for j, c in enumerate(classes)}
        for i, lab in enumerate(labels):
            for t in lab:
                Y[i, col[t]] = 1
        feat, X = Featurizer.fit(norm, tokens, char_ngram_range=tuple(self.char_ngram_range), min_df=self.min_df,
                                 max_features=self.max_features, lexicon=False, words=self.words)
        self.featurizer_ = feat
        self.classes_ = np.array(classes, dtype=object)
        self.multilabel_ = multi
        if not multi:
            target = Y.argmax(axis=1)
            self.C_ = _SINGLE_LABEL_C if self.C == "auto" else float(self.C)
            m = LogisticRegression(C=self.C_, max_iter=3000, class_weight=self.class_weight).fit(X, target)
            coef, intercept = m.coef_, m.intercept_
            if coef.shape[0] == 1:  # two classes: scikit-learn keeps one row; make it symmetric
                coef = np.vstack([-coef[0] / 2, coef[0] / 2])
                intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
            self.coef_, self.intercept_ = coef.astype(np.float32), intercept.astype(np.float64)
            self.threshold_, self.min_labels_ = 0.0, 1
            return self
        self.min_labels_ = (0 if empty else 1) if self.min_labels == "auto" else int(self.min_labels)
        cs = C_GRID if self.C == "auto" else (float(self.C),)
        ts = THRESHOLD_GRID if self.threshold == "auto" else (float(self.threshold),)
        self.C_, self.threshold_ = self._cv_select(X, Y, cs, ts)
        self.coef_, self.intercept_ = self._fit_ovr(X, Y, self.C_)
        return self

    def _fit_ovr(self, X, Y, C: float):
        coef = np.zeros((Y.shape[1], X.shape[1]), dtype=np.float32)
        intercept = np.zeros(Y.shape[1])
        for j in range(Y.shape[1]):
            y = Y[:, j]
            if y.min() == y.max():  # a theme on every row (or none): a constant
                intercept[j] = 20.0 if y[0] else -20.0
                continue
            if self.nb_weight:
                # NB-LR (Wang & Manning 2012): scale features by their naive-Bayes log-count ratio for this
                # theme; the ratio is folded into coef_ afterwards, so prediction costs nothing extra.
                ratio = nb_ratio(X, y)
                m = _binary_lr(C, self.class_weight, self.random_state).fit(X @ sp.diags(ratio.astype(np.float32)), y)
                coef[j], intercept[j] = m.coef_[0] * ratio, m.intercept_[0]
            else:
                m = _binary_lr(C, self.class_weight, self.random_state).fit(X, y)
                coef[j], intercept[j] = m.coef_[0], m.intercept_[0]
        return coef, intercept

    def _cv_select(self, X, Y, cs, ts) -> tuple[float, float]:
        """(C, threshold) with the best micro-F1 of 3-fold out-of-fold probabilities on the training data."""
        from .metrics import multilabel_f1

        if len(cs) == 1 and len(ts) == 1:
            return cs[0], ts[0]
        if X.shape[0] < 9:  # too few rows to cross-validate
            return (4.0 if len(cs) > 1 else cs[0]), (0.5 if len(ts) > 1 else ts[0])
        folds = list(KFold(3, shuffle=True, random_state=self.random_state).split(np.zeros(X.shape[0])))
        gold = [[str(i) for i in np.flatnonzero(r)] for r in Y]
        best, choice = -1.0, (cs[0], ts[0])
        for c in cs:
            oof = np.zeros(Y.shape)
            for tr, va in folds:
                coef, intercept = self._fit_ovr(X[tr], Y[tr], c)
                oof[va] = sigmoid(np.asarray(X[va] @ coef.T) + intercept)
            for t in ts:
                pred = [[str(i) for i in np.flatnonzero(r)] for r in self._decide(oof, t, self.min_labels_)]
                f1 = multilabel_f1(gold, pred)["micro_f1"]
                if f1 > best + 1e-12:  # ties keep the smaller C / threshold
                    best, choice = f1, (c, t)
        return choice

    # -- prediction ----------------------------------------------------------------------------------------
    def _check_fitted(self):
        if not hasattr(self, "coef_"):
            raise NotFittedError("this ThemeClassifier is not fitted yet.",
                                 "Call fit(texts, themes) first, or load a model with fankui.themes.load_theme_model().")

    def __sklearn_is_fitted__(self):
        return hasattr(self, "coef_")

    def proba_from_features(self, X) -> np.ndarray:
        return theme_proba(X, self.coef_, self.intercept_, self.multilabel_)

    def predict_proba(self, X) -> np.ndarray:
        """Per-theme probabilities, columns following ``classes_`` (multi-label rows need not sum to 1)."""
        self._check_fitted()
        norm, tokens = prepare_texts(X)
        return self.proba_from_features(self.featurizer_.transform(norm, tokens))

    @staticmethod
    def _decide(P: np.ndarray, threshold: float, min_labels: int) -> np.ndarray:
        pred = P >= threshold
        if min_labels:
            none = ~pred.any(axis=1)
            pred[np.flatnonzero(none), P[none].argmax(axis=1)] = True
        return pred

    def labels_from_proba(self, P: np.ndarray) -> list[list[str]]:
        """Theme lists from a probability matrix (threshold and ``min_labels`` applied)."""
        if not self.multilabel_:
            return [[str(self.classes_[j])] for j in P.argmax(axis=1)]
        pred = self._decide(P, self.threshold_, self.min_labels_)
        return [[str(c) for c in self.classes_[np.flatnonzero(r)]] for r in pred]

    def predict(self, X) -> np.ndarray:
        """``;``-joined themes per text (``""`` when a multi-label model with ``min_labels=0`` finds none)."""
        return np.array([";".join(t) for t in self.labels_from_proba(self.predict_proba(X))], dtype=object)

    # -- pipeline hook (same shape as ThemeTagger.tag_prepared) --------------------------------------------
    @property
    def other(self) -> str:
        from .taxonomy import OTHER

        return OTHER

    def tag_prepared(self, norm: list[str], tokens: list[list[str]]):
        """``(themes, scores, spans, clauses)`` for normalised, segmented texts (see ThemeTagger.tag_prepared).

        A theme's clauses are those the model itself scores highest for that theme, so its sentiment comes
        from the part of the ticket that talks about it.
        """
        self._check_fitted()
        P = self.proba_from_features(self.featurizer_.transform(norm, tokens))
        themes = [lab or [self.other] for lab in self.labels_from_proba(P)]
        spans, clauses = self.theme_clauses(norm, tokens, themes)
        return themes, P, spans, clauses

    def theme_clauses(self, norm: list[str], tokens: list[list[str]], themes: list[list[str]]):
        """For each row and each of its ``themes``, the clauses the model scores highest for that theme.

        Returns ``(spans, clauses)`` as :meth:`tag_prepared` does; a one-clause text uses its only clause.
        """
        return model_clauses(self, norm, tokens, themes, max(self.threshold_ if self.multilabel_ else 0.5, 1e-9))


def _binary_lr(C, class_weight, random_state=0) -> LogisticRegression:
    # The dual problem: with far more n-gram features than tickets, liblinear solves it ~10x faster than the
    # primal, to the same optimum. liblinear shuffles the data; a fixed seed makes a refit byte-identical (the
    # built-in theme model must rebuild exactly, see fankui.themes.default).
    return LogisticRegression(C=float(C), solver="liblinear", dual=True, max_iter=1000, class_weight=class_weight,
                              random_state=random_state)
