"""The three-class sentiment estimator (scikit-learn contract, raw Chinese text in).

Two ways to get the neutral class, chosen by the labels given to ``fit``:

- **Three classes in the labels** (-1/0/1, 正面/中性/负面, ...): a multinomial logistic regression.
- **Only positive and negative** (0/1 review data): a binary logistic regression whose probability ``q`` of
  positive is calibrated (Platt scaling on out-of-fold scores of the training data), and a *neutral band*:
  the three scores are ``(-l/2, t, +l/2)`` with ``l = logit(q)`` and ``t = logit(0.5 + neutral_band) / 2``,
  turned into probabilities with a softmax. So a text is neutral exactly when ``|q - 0.5| < neutral_band``,
  and ``p_positive >= p_negative`` exactly when ``q >= 0.5`` (binary accuracy is unchanged by the band).

``C="auto"`` picks the regularisation by 3-fold cross-validation on the training data only.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import NotFittedError as _SkNotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from .. import errors
from .features import Featurizer, nb_ratio
from .labels import CLASSES, NEGATIVE, NEUTRAL, POSITIVE, to_canonical
from .predictor import Predictor, _as_list, prepare_texts

__all__ = ["SentimentClassifier", "NotFittedError", "prepare_texts"]

C_GRID = (0.25, 1.0, 4.0, 16.0)


class NotFittedError(errors.NotFittedError, _SkNotFittedError):
    """Raised when predicting with a model that has not been fitted (both fankui's and scikit-learn's kind)."""


class SentimentClassifier(ClassifierMixin, BaseEstimator, Predictor):
    """Three-class sentiment (negative / neutral / positive) for Chinese feedback, trained on your labels.

    >>> clf = SentimentClassifier().fit(["很好用", "太差了", "物流很快很满意", "质量差退货"], [1, 0, 1, 0])
    >>> clf.predict(["质量太差了"]).tolist()   # doctest: +SKIP
    ['negative']

    Parameters
    ----------
    C : float or "auto"
        Inverse regularisation strength; "auto" chooses it from ``C_GRID`` by 3-fold CV on the training data.
    neutral_band : float
        Binary-labelled data only: half-width of the band of calibrated P(positive) around 0.5 called neutral.
    class_weight : None, "balanced" or dict
        As in scikit-learn; keys may be any accepted label spelling.
    char_ngram_range, min_df, max_features, lexicon
        Feature settings (see :mod:`fankui.sentiment.features`).
    calibrate : bool
        Binary data: Platt-scale the scores on out-of-fold predictions (else trust the raw logistic output).
    nb_weight : bool
        Binary data: scale features by their naive-Bayes log-count ratio before the regression (NB-LR, Wang &
        Manning 2012). The ratio is folded into ``coef_`` afterwards, so prediction costs nothing extra.
    """

    def __init__(self, C="auto", neutral_band=0.15, class_weight=None, char_ngram_range=(1, 3), min_df=2,
                 max_features=400_000, lexicon=True, calibrate=True, nb_weight=True, random_state=0):
        self.C = C
        self.neutral_band = neutral_band
        self.class_weight = class_weight
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.lexicon = lexicon
        self.calibrate = calibrate
        self.nb_weight = nb_weight
        self.random_state = random_state

    # -- fitting -------------------------------------------------------------------------------------------
    def fit(self, X, y, sample_weight=None):
        """Learn from raw texts ``X`` and labels ``y`` in any accepted spelling. Returns ``self``."""
        texts = _as_list(X) if not isinstance(X, str) else X
        y = to_canonical(_as_list(y), where="the labels")
        if len(y) != len(texts):
            raise errors.LabelError(f"got {len(texts)} texts but {len(y)} labels.",
                                    "Pass one label per text.")
        norm, tokens = prepare_texts(texts)
        return self._fit_prepared(norm, tokens, y, sample_weight)

    def _fit_prepared(self, norm, tokens, y, sample_weight=None):
        y = np.asarray(y, dtype=object)
        feat, X = Featurizer.fit(norm, tokens, char_ngram_range=self.char_ngram_range, min_df=self.min_df,
                                 max_features=self.max_features, lexicon=self.lexicon)
        present = sorted(set(y.tolist()), key=CLASSES.index)
        binary = present == [NEGATIVE, POSITIVE]
        target = (y == POSITIVE).astype(int) if binary else np.array([CLASSES.index(v) for v in y])
        sw = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
        weights = self._class_weights(present)

        def make(c):
            cw = weights
            if isinstance(weights, dict):
                cw = {(1 if k == POSITIVE else 0) if binary else CLASSES.index(k): v for k, v in weights.items()}
            return LogisticRegression(C=c, class_weight=cw, max_iter=3000,
                                      solver="liblinear" if binary else "lbfgs")

        ratio = None
        if binary and self.nb_weight:
            ratio = nb_ratio(X, target)
            X = X @ sp.diags(ratio.astype(np.float32))
        grid = C_GRID if self.C == "auto" else (float(self.C),)
        need_oof = binary and self.calibrate
        best_c, oof = grid[0], None
        # With fewer than two examples of some class there is nothing to cross-validate on: keep C=1 (or the
        # given C) and leave the binary scores uncalibrated rather than dividing by an empty fold count.
        folds = self._folds(target) if len(grid) > 1 or need_oof else []
        if not folds:
            best_c = 1.0 if self.C == "auto" else grid[0]
        else:
            best_score = -np.inf
            for c in grid:
                scores = np.zeros(len(target)) if binary else None
                correct = 0.0
                for tr, va in folds:
                    m = make(c).fit(X[tr], target[tr], sample_weight=None if sw is None else sw[tr])
                    if binary:
                        scores[va] = m.decision_function(X[va])
                        correct += np.sum((scores[va] > 0) == target[va])
                    else:
                        correct += _macro_f1(target[va], m.predict(X[va]))
                score = correct / (len(target) if binary else len(folds))
                if score > best_score:
                    best_score, best_c, oof = score, c, scores
        model = make(best_c).fit(X, target, sample_weight=sw)

        self.featurizer_ = feat
        self.mode_ = "binary" if binary else "multiclass"
        self.C_ = best_c
        self.classes_ = np.array(CLASSES, dtype=object)
        coef = model.coef_ if ratio is None else model.coef_ * ratio
        self.coef_ = coef.astype(np.float32)
        self.intercept_ = model.intercept_.astype(np.float64)
        self.model_classes_ = np.array([CLASSES[i] for i in model.classes_] if not binary else [NEGATIVE, POSITIVE],
                                       dtype=object)
        self.calibration_ = np.array([1.0, 0.0])
        if need_oof and oof is not None:
            platt = LogisticRegression(C=1e6, max_iter=1000).fit(oof.reshape(-1, 1), target)
            self.calibration_ = np.array([platt.coef_[0, 0], platt.intercept_[0]])
        return self

    def _class_weights(self, present):
        """class_weight with canonical keys, or "balanced", or None."""
        if self.class_weight is None or isinstance(self.class_weight, str):
            return self.class_weight
        keys = list(self.class_weight)
        canon = to_canonical(keys, where="class_weight", require_two=False)
        return {c: float(self.class_weight[k]) for k, c in zip(keys, canon) if c in present}

    def _folds(self, target):
        n_splits = int(min(3, np.bincount(target).min())) if len(target) else 0
        if n_splits < 2:
            return []
        skf = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=self.random_state)
        return list(skf.split(np.zeros(len(target)), target))

    # -- prediction ----------------------------------------------------------------------------------------
    def _check_fitted(self):
        if not hasattr(self, "coef_"):
            raise NotFittedError("this SentimentClassifier is not fitted yet.",
                                 "Call fit(texts, labels) first, or use fankui.sentiment.load_default().")

    def __sklearn_is_fitted__(self):
        return hasattr(self, "coef_")

    def score(self, X, y, sample_weight=None) -> float:
        """Accuracy; with only positive/negative gold labels, positive means p_positive >= p_negative."""
        from .evaluate import evaluate

        return evaluate(self, X, y)["accuracy"]


def _macro_f1(y_true, y_pred) -> float:
    from sklearn.metrics import f1_score

    return f1_score(y_true, y_pred, average="macro")
