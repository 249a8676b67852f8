"""Lifecycle stage per customer: 潜在客户, 新客户, 活跃客户, 沉睡客户, 流失客户.

Thresholds follow each customer's own rhythm: someone who buys every 90 days is not dormant after 60 days,
someone who buys weekly is. The rhythm is the customer's average interval between purchase days; customers
with a single purchase day get the base's median rhythm (of repeat buyers). Fixed thresholds can override.

    >>> rules = LifecycleRules(active_factor=1.5, churn_factor=3.0)
    >>> lifecycle_stage(rfm, as_of="2026-11-01", rules=rules)   # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputError

__all__ = ["STAGES", "LifecycleRules", "typical_gap", "lifecycle_stage"]

STAGES = ("潜在客户", "新客户", "活跃客户", "沉睡客户", "流失客户")


@dataclass
class LifecycleRules:
    """When a customer is new, active, dormant or churned (days since the last purchase day).

    active while ``recency <= max(active_min_days, active_factor × rhythm)``; dormant up to
    ``max(churned_min_days, churn_factor × rhythm)``; churned beyond. ``new_days``: first purchase at most
    this long ago (and still active) = 新客户. ``dormant_days`` / ``churned_days`` fix the limits for
    everybody (no adaptation). ``default_gap_days``: rhythm for one-time buyers (default: the median rhythm
    of the repeat buyers, or 90 days when there are none).
    """

    new_days: int = 30
    active_factor: float = 1.5
    churn_factor: float = 3.0
    active_min_days: float = 30
    churned_min_days: float = 90
    dormant_days: float | None = None
    churned_days: float | None = None
    default_gap_days: float | None = None

    def check(self) -> None:
        if self.active_factor <= 0 or self.churn_factor < self.active_factor:
            raise InputError("lifecycle factors must satisfy 0 < active_factor <= churn_factor.",
                             f"Got active_factor={self.active_factor}, churn_factor={self.churn_factor}.")
        if self.dormant_days is not None and self.churned_days is not None and self.churned_days < self.dormant_days:
            raise InputError("churned_days must not be smaller than dormant_days.",
                             f"Got dormant_days={self.dormant_days}, churned_days={self.churned_days}.")


def typical_gap(rfm: pd.DataFrame, default: float | None = None) -> tuple[pd.Series, float]:
    """``(gap per customer, base gap)``: own average interval (t_x / repeat days), else the base gap."""
    x = rfm["x"].astype(float)
    own = (rfm["tx_days"] / x.where(x > 0)).clip(lower=1.0)
    if default is None:
        default = float(own.median()) if own.notna().any() else 90.0
    return own.fillna(default), float(default)


def lifecycle_stage(rfm: pd.DataFrame, *, as_of, rules: LifecycleRules | None = None,
                    prospects: pd.Index | None = None) -> pd.DataFrame:
    """``lifecycle`` and ``typical_gap_days`` for every customer of ``rfm`` (+ ``prospects`` without orders).

    >>> t = pd.DataFrame({"recency_days": [60.0, 60.0], "frequency": [5, 9], "x": [4, 8], "tx_days": [360.0, 56.0],
    ...                   "first_order": pd.to_datetime(["2025-09-01", "2026-07-01"])}, index=["every90", "weekly"])
    >>> lifecycle_stage(t, as_of="2026-11-01")["lifecycle"].tolist()
    ['活跃客户', '沉睡客户']
    """
    rules = rules or LifecycleRules()
    rules.check()
    gap, _ = typical_gap(rfm, rules.default_gap_days)
    active = np.maximum(rules.active_min_days, rules.active_factor * gap)
    churned = np.maximum(rules.churned_min_days, rules.churn_factor * gap)
    if rules.dormant_days is not None:
        active = pd.Series(float(rules.dormant_days), index=rfm.index)
    if rules.churned_days is not None:
        churned = pd.Series(float(rules.churned_days), index=rfm.index)
    churned = np.maximum(churned, active)
    rec = rfm["recency_days"]
    age = (pd.Timestamp(as_of) - pd.to_datetime(rfm["first_order"])).dt.days
    stage = np.select(
        [rfm["frequency"] <= 0, rec <= active, rec <= churned],
        [STAGES[0], np.where(age <= rules.new_days, STAGES[1], STAGES[2]), STAGES[3]],
        default=STAGES[4],
    )
    out = pd.DataFrame({"lifecycle": stage, "typical_gap_days": gap.round(1).where(rfm["frequency"] > 0)}, index=rfm.index)
    if prospects is not None and len(prospects):
        extra = pd.DataFrame({"lifecycle": STAGES[0], "typical_gap_days": np.nan}, index=prospects.difference(out.index))
        out = pd.concat([out, extra])
    return out
