"""Churn risk: a purchase model (MBG/NBD) combined with recency/RFM and the feedback signals, calibrated on
an earlier time split of the same history.

Churn = no purchase in the next ``horizon_days``. How the probability is made, best first:

1. ``model``: a logistic regression on per-customer features — logit of the MBG/NBD probability of no purchase
   in the horizon, recency, frequency, money, recency against the customer's own rhythm, refunds, and (with
   tickets) recent negative tickets, unresolved complaint themes, satisfaction and its trend. Its weights are
   learned on an **earlier cut-off** (``as_of`` − training horizon), where the outcome is already known: the
   features as of the cut-off, the target "no purchase between the cut-off and ``as_of``". So it is fitted
   and calibrated on the past, never on the period it predicts.
2. ``purchase_model``: when the time split is too short or too small to learn from, the MBG/NBD probability
   of no purchase in the horizon itself.
3. ``rfm_rules``: when no purchase model can be fitted (a single customer, everyone bought once): a rule on
   recency against rhythm plus the feedback signals, flagged in ``churn_method`` — not a calibrated probability.

BG/NBD's "probability alive" is not used for ranking: it gives every one-time buyer P(alive)=1 and ranks CDNOW
churners worse than chance (ROC AUC 0.32).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import InputError, ModelError, NotFittedError
from .purchase_models import GammaGammaModel, ModifiedBetaGeoModel

__all__ = ["PURCHASE_FEATURES", "FEEDBACK_FEATURES", "ChurnModel", "PurchaseScores", "purchase_scores",
           "churn_features", "churn_labels", "rule_probability", "risk_level", "churn_reasons"]

PURCHASE_FEATURES = ["model_p0_logit", "log_recency", "log_frequency", "log_monetary", "log_rhythm", "log_refunds"]
FEEDBACK_FEATURES = ["has_tickets", "log_negative_recent", "n_unresolved", "satisfaction_score", "satisfaction_trend"]
RISK_LEVELS = ("low", "medium", "high")


def _logit(p) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


@dataclass
class PurchaseScores:
    """What the purchase models say per customer (index: customer_id)."""

    table: pd.DataFrame  # expected_purchases, p_no_purchase, p_alive, expected_value
    model: ModifiedBetaGeoModel
    spend: GammaGammaModel | None = None
    notes: list[str] = field(default_factory=list)


def purchase_scores(rfm: pd.DataFrame, horizon_days: float) -> PurchaseScores:
    """Fit MBG/NBD (+ Gamma-Gamma for spend) on the RFM summary (days) and score the next ``horizon_days``.

    Raises :class:`ModelError` when the model cannot be fitted (no repeat buyer, a single customer).
    """
    buyers = rfm[rfm["frequency"] > 0]
    if len(buyers) < 2:
        raise ModelError("a purchase model needs at least 2 customers with purchases.")
    x, tx, T = buyers["x"].to_numpy(float), buyers["tx_days"].to_numpy(float), buyers["T_days"].to_numpy(float)
    T = np.maximum(T, tx)  # a purchase on the day before as_of: T = t_x, never below
    model = ModifiedBetaGeoModel().fit(x, tx, T)
    exp = model.expected_purchases(horizon_days, x, tx, T)
    p0 = model.probability_no_purchase(horizon_days, x, tx, T)
    alive = model.probability_alive(x, tx, T)
    notes = []
    spend = None
    try:
        spend = GammaGammaModel().fit(x, buyers["repeat_value"].to_numpy(float))
        if spend.params_["q"] <= 1:
            notes.append("spend model has no finite mean (q <= 1): expected_value uses each customer's own average")
        aov = spend.expected_average_value(x, buyers["repeat_value"].to_numpy(float))
        aov = np.where(x > 0, aov, aov if spend.params_["q"] > 1 else buyers["monetary_avg"].to_numpy(float))
    except ModelError as exc:
        notes.append(f"spend model not fitted ({exc.message}); expected_value uses each customer's own average")
        aov = buyers["monetary_avg"].to_numpy(float)
    table = pd.DataFrame({
        "expected_purchases": exp, "p_no_purchase": p0, "p_alive": alive,
        "expected_value": np.maximum(exp * np.nan_to_num(aov), 0.0),
    }, index=buyers.index)
    return PurchaseScores(table, model, spend, notes)


def churn_features(rfm: pd.DataFrame, p_no_purchase: pd.Series | None, gap: pd.Series,
                   sat: pd.DataFrame | None = None) -> pd.DataFrame:
    """Numeric features per buyer (rows with ``frequency > 0``); feedback columns only when ``sat`` is given."""
    b = rfm[rfm["frequency"] > 0]
    f = pd.DataFrame(index=b.index)
    p0 = p_no_purchase.reindex(b.index) if p_no_purchase is not None else pd.Series(0.5, index=b.index)
    f["model_p0_logit"] = _logit(p0.to_numpy(float))
    f["log_recency"] = np.log1p(b["recency_days"].to_numpy(float))
    f["log_frequency"] = np.log(b["frequency"].to_numpy(float))
    f["log_monetary"] = np.log1p(np.maximum(b["monetary"].to_numpy(float), 0.0))
    f["log_rhythm"] = np.log1p(b["recency_days"].to_numpy(float) / gap.reindex(b.index).to_numpy(float))
    f["log_refunds"] = np.log1p(b["n_refunds"].to_numpy(float))
    if sat is not None:
        s = sat.reindex(b.index)
        f["has_tickets"] = s["n_tickets"].notna().astype(float).to_numpy()
        f["log_negative_recent"] = np.log1p(s["n_negative_recent"].fillna(0).to_numpy(float))
        f["n_unresolved"] = s["n_unresolved"].fillna(0).to_numpy(float)
        f["satisfaction_score"] = s["satisfaction_score"].fillna(0).to_numpy(float)
        f["satisfaction_trend"] = s["satisfaction_trend"].fillna(0).to_numpy(float)
    return f


def churn_labels(orders: pd.DataFrame, customers: pd.Index, start, days: int) -> pd.Series:
    """1 = no purchase (amount >= 0) in ``[start, start + days)``, for each of ``customers``."""
    start = pd.Timestamp(start)
    end = start + pd.Timedelta(days=int(days))
    when = orders["ordered_at"]
    bought = orders.loc[(when >= start) & (when < end) & (orders["amount"] >= 0), "customer_id"].unique()
    return pd.Series((~customers.isin(bought)).astype(int), index=customers)


class ChurnModel:
    """Logistic regression on standardised churn features; probabilities of churn (class 1).

    Follows the estimator contract: ``__init__`` stores arguments, ``fit`` returns self, learned attributes
    end in ``_``, ``predict_proba`` columns follow ``classes_`` ([0, 1]).

    >>> m = ChurnModel().fit(X_train, y_train)   # doctest: +SKIP
    >>> m.predict_proba(X_now)[:, 1]             # doctest: +SKIP
    """

    def __init__(self, C: float = 1.0, max_iter: int = 2000):
        self.C = C
        self.max_iter = max_iter

    def get_params(self, deep: bool = True) -> dict:
        return {"C": self.C, "max_iter": self.max_iter}

    def set_params(self, **params) -> "ChurnModel":
        for k, v in params.items():
            setattr(self, k, v)
        return self

    def fit(self, X: pd.DataFrame, y) -> "ChurnModel":
        from sklearn.linear_model import LogisticRegression

        y = np.asarray(y, dtype=int)
        if len(np.unique(y)) < 2:
            raise ModelError("the churn training split has a single outcome (everyone churned or nobody did).")
        Z = X.to_numpy(float)
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.mean_ = Z.mean(axis=0)
        sd = Z.std(axis=0)
        self.scale_ = np.where(sd > 1e-12, sd, 1.0)
        lr = LogisticRegression(C=self.C, max_iter=self.max_iter)
        lr.fit((Z - self.mean_) / self.scale_, y)
        self.coef_ = lr.coef_.ravel()
        self.intercept_ = float(lr.intercept_[0])
        self.classes_ = np.array([0, 1])
        self.n_train_ = len(y)
        return self

    def _z(self, X: pd.DataFrame) -> np.ndarray:
        if not hasattr(self, "coef_"):
            raise NotFittedError("ChurnModel is not fitted yet; call fit() first.")
        missing = [c for c in self.feature_names_in_ if c not in X]
        if missing:
            raise InputError(f"churn features missing: {', '.join(missing)}.", "Compute them with churn_features().")
        return (X[list(self.feature_names_in_)].to_numpy(float) - self.mean_) / self.scale_

    def decision_function(self, X: pd.DataFrame) -> np.ndarray:
        return self._z(X) @ self.coef_ + self.intercept_

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        p = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.column_stack([1 - p, p])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)

    def contributions(self, X: pd.DataFrame) -> pd.DataFrame:
        """Each feature's push on the log-odds of churn (weight × standardised value)."""
        return pd.DataFrame(self._z(X) * self.coef_, columns=self.feature_names_in_, index=X.index)


def rule_probability(rfm: pd.DataFrame, gap: pd.Series, sat: pd.DataFrame | None = None) -> pd.Series:
    """Fallback score when no purchase model fits: recency against rhythm, raised by negative feedback.

    ``1 − exp(−recency / (2 × rhythm))`` (a customer twice their usual interval overdue scores ~0.63), plus
    0.1 per recent negative ticket (at most 0.3) and 0.1 with unresolved complaints. A rule, not calibrated.
    """
    b = rfm[rfm["frequency"] > 0]
    p = 1 - np.exp(-b["recency_days"] / (2 * gap.reindex(b.index)))
    if sat is not None and len(sat):
        s = sat.reindex(b.index)
        p = p + 0.1 * s["n_negative_recent"].fillna(0).clip(upper=3) + 0.1 * (s["n_unresolved"].fillna(0) > 0)
    return p.clip(0.01, 0.99)


def risk_level(p: pd.Series, thresholds: tuple[float, float] = (0.4, 0.7)) -> pd.Series:
    """``high`` from ``thresholds[1]``, ``medium`` from ``thresholds[0]``, else ``low``; empty when unknown."""
    lo, hi = thresholds
    if not 0 <= lo <= hi <= 1:
        raise InputError(f"risk thresholds must satisfy 0 <= medium <= high <= 1, got {thresholds}.", "Use e.g. --risk-thresholds 0.4,0.7.")
    low, medium, high = RISK_LEVELS
    out = np.select([p >= hi, p >= lo, p.notna()], [high, medium, low], default="")
    return pd.Series(out, index=p.index)


def churn_reasons(rfm: pd.DataFrame, gap: pd.Series, sat: pd.DataFrame | None, scores: pd.DataFrame | None,
                  contributions: pd.DataFrame | None, *, horizon_days: int, recent_days: int = 90,
                  top: int = 3) -> pd.Series:
    """Plain-words reasons per buyer, e.g. "上次下单 94 天前，通常每 20 天下单一次；最近 90 天 3 条负面工单".

    With a fitted :class:`ChurnModel` the reasons are the features pushing the risk up most (log-odds > 0.2),
    kept only when the value itself is the worrying kind (a learned weight can have an odd sign on a small
    base; the words must stay true). Otherwise (rules) they are the signals that crossed their rule.
    Selection is vectorised; only the chosen sentences are formatted (1M customers in seconds).
    """
    b = rfm[rfm["frequency"] > 0]
    n = len(b)
    rec = b["recency_days"].to_numpy(float)
    freq = b["frequency"].to_numpy(int)
    mon = b["monetary"].to_numpy(float)
    nref = b["n_refunds"].to_numpy(int)
    g = gap.reindex(b.index).to_numpy(float)
    p0 = scores["p_no_purchase"].reindex(b.index).to_numpy(float) if scores is not None else np.full(n, np.nan)
    if sat is not None:
        s = sat.reindex(b.index)
        has_t = s["n_tickets"].notna().to_numpy()
        neg = s["n_negative_recent"].fillna(0).to_numpy(float)
        unres = s["n_unresolved"].fillna(0).to_numpy(float)
        themes = s["unresolved_themes"].fillna("").to_numpy(object)
        score = s["satisfaction_score"].fillna(0).to_numpy(float)
        trend = s["satisfaction_trend"].fillna(0).to_numpy(float)
    else:
        has_t = np.zeros(n, bool)
        neg = unres = score = trend = np.zeros(n)
        themes = np.full(n, "", dtype=object)
    overdue = rec > g
    bad = {
        "model_p0_logit": p0 > 0.5, "log_rhythm": overdue, "log_recency": overdue,
        "log_frequency": freq <= 2, "log_monetary": mon < (np.median(mon) if n else 0.0), "log_refunds": nref > 0,
        "log_negative_recent": has_t & (neg > 0), "n_unresolved": has_t & (unres > 0),
        "satisfaction_score": has_t & (score < 0), "satisfaction_trend": has_t & (trend < 0),
    }
    if contributions is not None:
        names = [c for c in contributions.columns if c in bad]
        strength = contributions.reindex(b.index)[names].to_numpy(float)
        ok = np.column_stack([bad[c] for c in names]) & (strength > 0.2)
    else:
        names = ["log_rhythm", "log_frequency", "log_negative_recent", "n_unresolved"]
        rules = [rec > 1.5 * g, freq == 1, bad["log_negative_recent"], bad["n_unresolved"]]
        ok = np.column_stack(rules)
        strength = np.tile(-np.arange(len(names), dtype=float), (n, 1))  # rule order = priority
    strength = np.where(ok, strength, -np.inf)
    order = np.argsort(-strength, axis=1, kind="stable")[:, :top + 1]

    def text(name: str, i: int) -> str:
        if name == "log_rhythm":
            return (f"上次下单 {rec[i]:.0f} 天前，通常每 {g[i]:.0f} 天下单一次" if freq[i] > 1
                    else f"上次下单 {rec[i]:.0f} 天前")
        if name == "log_recency":
            return f"上次下单 {rec[i]:.0f} 天前"
        if name == "log_frequency":
            return "只下过一次单" if freq[i] == 1 else f"只在 {freq[i]} 天下过单"
        if name == "log_monetary":
            return f"累计消费 {mon[i]:.0f} 元，偏低"
        if name == "log_refunds":
            return f"{nref[i]} 次退款"
        if name == "model_p0_logit":
            pct = ">99%" if p0[i] > 0.995 else f"{p0[i]:.0%}"  # never print a certainty the model does not claim
            return f"购买模型估计未来 {horizon_days} 天不下单的概率 {pct}"
        if name == "log_negative_recent":
            return f"最近 {recent_days} 天 {int(neg[i])} 条负面工单"
        if name == "n_unresolved":
            return f"未解决的投诉：{themes[i]}" if themes[i] else "最后一条工单是投诉，尚未解决"
        if name == "satisfaction_score":
            return f"满意度低（{score[i]:+.2f}）"
        return "满意度在下降"

    out = np.empty(n, dtype=object)
    finite = np.isfinite(np.take_along_axis(strength, order, axis=1))
    for i in range(n):
        picked = [names[j] for j, f in zip(order[i], finite[i]) if f]
        if "log_rhythm" in picked and "log_recency" in picked:  # the rhythm sentence already says the recency
            picked.remove("log_recency")
        out[i] = "；".join(text(k, i) for k in picked[:top]) or "无明显流失迹象"
    return pd.Series(out, index=b.index, dtype=object)
