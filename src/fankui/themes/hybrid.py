"""The built-in hybrid, what `fankui analyze` tags with by default: the taxonomy's theme scores blended with
the probabilities of a supervised model trained on team-written tickets.

Why: keyword cues tuned on the tickets one has read stop improving on tickets written by someone else; a model
trained on thousands of varied labelled tickets learns how people write about a theme without naming it.
Chosen by leaving one training file out (docs/themes.md, "The built-in hybrid"; benchmarks.md,
``themes_hybrid_choice``) before the blind sets that measure it were scored.

Rule, per theme: ``score = WEIGHT × taxonomy score + (1 − WEIGHT) × model probability``, tagged when
``score ≥ THRESHOLD``. With 0.2 / 0.2 the model decides and a cue lowers its bar: no cue needs p ≥ 0.25, a
keyword (taxonomy score 0.8) p ≥ 0.05. An ``off_topic`` phrase still voids the whole ticket.

Used only with the built-in taxonomy (a user's taxonomy has other themes and cues the model never saw);
``--no-builtin-themes-model`` / ``theme_stage(builtin_model=False)`` tag with the taxonomy alone. Scoring needs
NumPy/SciPy only: the model is read by :func:`load_default_scorer` without scikit-learn.
"""

from __future__ import annotations

import threading
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..resources import data_path
from .scoring import model_clauses, theme_proba

__all__ = ["HybridTagger", "ThemeScorer", "load_default_scorer", "default_tagger", "DEFAULT_FILE", "WEIGHT",
           "THRESHOLD"]

DEFAULT_FILE = "themes/default.npz"
WEIGHT = 0.2      # share of the taxonomy score in the blend
THRESHOLD = 0.2   # blended score from which a theme is tagged

_lock = threading.Lock()
_cached = None


class ThemeScorer:
    """Scoring-only view of a saved theme model: per-theme probabilities from normalised, segmented texts."""

    def __init__(self, featurizer, coef, intercept, classes, multilabel: bool):
        self.featurizer_ = featurizer
        self.coef_ = coef
        self.intercept_ = intercept
        self.classes_ = np.array(classes, dtype=object)
        self.multilabel_ = bool(multilabel)

    @classmethod
    def load(cls, path) -> "ThemeScorer":
        from .persist import read_theme_arrays

        meta, feat, coef, intercept = read_theme_arrays(path)
        return cls(feat, coef, intercept, meta["classes"], meta["multilabel"])

    def proba_from_features(self, X) -> np.ndarray:
        return theme_proba(X, self.coef_, self.intercept_, self.multilabel_)

    def proba_prepared(self, norm: list[str], tokens: list[list[str]]) -> np.ndarray:
        if not norm:
            return np.zeros((0, len(self.classes_)))
        return self.proba_from_features(self.featurizer_.transform(norm, tokens))


def load_default_scorer() -> ThemeScorer | None:
    """The shipped built-in theme model (loaded once per process), or None when the file is absent."""
    global _cached
    if _cached is None:
        with _lock:
            if _cached is None:
                path = data_path(DEFAULT_FILE)
                _cached = ThemeScorer.load(path) if path.is_file() else False
    return _cached or None


def default_tagger(builtin_model: bool = True):
    """What `fankui analyze` tags with by default: the built-in taxonomy blended with the built-in model
    (``builtin_model=False``, or a broken install without the model file: the taxonomy alone)."""
    from .zeroshot import ThemeTagger

    tagger = ThemeTagger()
    scorer = load_default_scorer() if builtin_model else None
    return HybridTagger(tagger, scorer) if scorer is not None else tagger


class _Scored(NamedTuple):
    S: np.ndarray            # taxonomy scores
    spans: list              # the taxonomy's cue clauses per row
    clauses: list            # the taxonomy's clauses per row
    X: object                # the model's features (None for no rows)
    P: np.ndarray            # model probabilities, columns of the scorer's classes
    B: np.ndarray            # blended scores, off_topic rows zeroed


class HybridTagger:
    """A :class:`~fankui.themes.ThemeTagger` whose scores are averaged with a :class:`ThemeScorer`'s.

    Same ``tag_prepared`` contract as the tagger; ``score_<theme>`` columns hold the blended score
    ``weight × taxonomy score + (1 − weight) × model probability``, and a theme is tagged from ``threshold``.
    A theme the model does not know keeps the taxonomy score alone.
    """

    def __init__(self, tagger, scorer: ThemeScorer, weight: float = WEIGHT, threshold: float = THRESHOLD):
        self.tagger = tagger
        self.scorer = scorer
        self.weight = float(weight)
        self.threshold = float(threshold)
        self.classes_ = tagger.classes_
        model_col = {str(c): j for j, c in enumerate(scorer.classes_)}
        # The model's column for each of the tagger's themes (-1: a theme the model does not know).
        self._cols = np.array([model_col.get(str(t), -1) for t in self.classes_], dtype=int)

    @property
    def other(self) -> str:
        return self.tagger.other

    def blend(self, S: np.ndarray, P: np.ndarray) -> np.ndarray:
        """Scores from taxonomy scores ``S`` and model probabilities ``P`` (columns of ``scorer.classes_``)."""
        if not len(S):
            return S
        cols = self._cols
        Pm = np.where(cols >= 0, P[:, np.maximum(cols, 0)], S)
        return self.weight * S + (1.0 - self.weight) * Pm

    def _scored(self, norm: list[str], tokens: list[list[str]]) -> "_Scored":
        """Everything tagging and explaining need, each computed once."""
        off_topic: list[int] = []
        _, S, spans_t, clauses = self.tagger.tag_prepared(norm, tokens, off_topic=off_topic)
        # Every ticket is scored: the model may tag a theme the taxonomy has no cue for (what it learned from
        # the labelled tickets beyond the cue lists is most of its gain on tickets from new writers).
        X = self.scorer.featurizer_.transform(norm, tokens) if norm else None
        P = self.scorer.proba_from_features(X) if norm else np.zeros((0, len(self.scorer.classes_)))
        B = self.blend(S, P)
        # An off_topic phrase (a supplier, a job seeker) is an explicit "no theme" rule: the model does not overrule it.
        B[off_topic] = 0.0
        return _Scored(S, spans_t, clauses, X, P, B)

    def tag_prepared(self, norm: list[str], tokens: list[list[str]]):
        """``(themes, scores, spans, clauses)`` as :meth:`ThemeTagger.tag_prepared`, from the blended scores."""
        from .aspect import split_clauses

        _, spans_t, clauses, _, _, B = self._scored(norm, tokens)
        names = [str(c) for c in self.classes_]
        other = self.other
        themes, spans = [], []
        uncued: list[int] = []  # rows with a tagged theme that has no cue clause of the taxonomy's
        # Plain lists, not NumPy calls per row: this loop runs once per ticket on the analyze hot path.
        for r, row in enumerate((B >= self.threshold - 1e-9).tolist()):
            idx = [i for i, hit in enumerate(row) if hit]
            if not idx:
                themes.append([other])
                spans.append([])
                continue
            where = dict(spans_t[r])
            row_spans = [(names[i], where.get(names[i], [])) for i in idx]
            spans.append(row_spans)
            themes.append([names[i] for i in idx])
            if any(not c for _, c in row_spans):
                uncued.append(r)
            elif not clauses[r]:  # the tagger splits clauses only when a cue matched
                clauses[r] = split_clauses(tokens[r])
        if uncued:
            self._place_uncued(norm, tokens, uncued, spans, clauses)
        return themes, B, spans, clauses

    def explain(self, text: str, top: int = 3) -> pd.DataFrame:
        """Why each theme got its score for one text: one row per theme, strongest first.

        Columns: ``theme``, ``tagged``, ``score`` (the blend), ``taxonomy_score`` and ``model_probability`` (its
        two parts), ``cues`` (the taxonomy's cues found, ``(weak)`` / ``(denied)`` marked) and ``model_evidence``
        (the character n-grams that pushed the model's probability up most, overlapping ones shown once; only for
        themes the model has a say in: tagged, or probability ≥ 0.1).

        >>> default_tagger().explain("等了一个半小时饭都凉透了").head(2)     # doctest: +SKIP
        """
        from ..segment import prepare_texts
        from ..sentiment.features import readable

        norm, tokens = prepare_texts([text])
        S, _, _, X, P, B = self._scored(norm, tokens)
        X = X.tocsr()
        names = self.scorer.featurizer_.feature_names()
        cues = self.tagger.explain(text)
        rows = []
        for i, theme in enumerate(str(c) for c in self.classes_):
            found = cues[cues["theme"] == theme]
            marks = [c + ("(weak)" if k == "weak" else "") + ("(denied)" if d else "")
                     for c, k, d in zip(found["cue"], found["kind"], found["denied"])]
            j = int(self._cols[i]) if self._cols[i] >= 0 else None
            evidence: list[str] = []
            tagged = bool(B[0, i] >= self.threshold - 1e-9)
            # Evidence is shown only where the model has a say worth reading (tagged, or p >= 0.1).
            if j is not None and X.nnz and (tagged or P[0, j] >= 0.1):
                push = X.data * self.scorer.coef_[j, X.indices]
                for k in np.argsort(-push):
                    if push[k] <= 0 or len(evidence) >= top:
                        break
                    gram = readable(names[X.indices[k]])
                    if gram.strip() and not any(gram in e or e in gram for e in evidence):
                        evidence.append(gram)
            rows.append({"theme": theme, "tagged": tagged,
                         "score": round(float(B[0, i]), 3), "taxonomy_score": round(float(S[0, i]), 3),
                         "model_probability": round(float(P[0, j]), 3) if j is not None else float("nan"),
                         "cues": "、".join(dict.fromkeys(marks)), "model_evidence": "、".join(evidence)})
        out = pd.DataFrame(rows)
        return out.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)

    def _place_uncued(self, norm, tokens, rows, spans, clauses) -> None:
        """Give each theme without a cue clause the clauses the model scores highest for it (in place).

        So a theme the model added ("包装很用心，可惜杯子收到就碎成渣了": 产品质量, no cue) takes its sentiment
        from the clause that talks about it, not from the whole ticket. The taxonomy splits only the clauses
        around its cues; these rows get all their clauses, and the cue clauses' indices are mapped onto them.
        """
        wanted = [[t for t, idx in spans[r] if not idx] for r in rows]
        # The bar a theme with no cue must clear in the blend: (1 − WEIGHT) × p ≥ THRESHOLD.
        cut = self.threshold / max(1.0 - self.weight, 1e-9)
        placed, full = model_clauses(self.scorer, [norm[r] for r in rows], [tokens[r] for r in rows], wanted, cut)
        for k, r in enumerate(rows):
            at = {c.tok_start: n for n, c in enumerate(full[k])}
            by_model = dict(placed[k])
            spans[r] = [(t, [at[clauses[r][i].tok_start] for i in idx] if idx else by_model.get(t, []))
                        for t, idx in spans[r]]
            clauses[r] = full[k]
