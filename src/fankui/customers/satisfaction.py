"""Satisfaction segments (高度满意 / 中度满意 / 不满意) from each customer's ticket history.

Input: analysed tickets (``fankui analyze`` output or :func:`fankui.analyze`): ``customer_id``,
``created_at``, and ``sentiment`` and/or ``p_positive``/``p_negative``; optional ``rating`` (1-5),
``themes`` (``;``-separated) and ``theme_sentiment`` (``物流配送:negative;包装:positive``).

Score per customer in [-1, 1]: the recency-weighted mean ticket polarity (half-life ``half_life_days``), where a
ticket's polarity is p_positive − p_negative (or +1/0/−1 from the label), averaged with (rating − 3) / 2 when
the ticket has a rating; minus ``unresolved_penalty`` per unresolved complaint theme (at most 3). A theme is
unresolved when the customer's last ticket about it is negative.

    >>> sat = satisfaction_table(tickets, as_of="2026-11-01")     # doctest: +SKIP
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from ..errors import SchemaError
from ..io import cell_strings
from ..tickets import parse_datetimes

__all__ = ["SATISFACTION", "satisfaction_table", "split_themes"]

SATISFACTION = ("高度满意", "中度满意", "不满意")
NO_FEEDBACK = "无反馈"
_OTHER = {"其他", "other", ""}
_LABELS = {"positive": 1.0, "正面": 1.0, "neutral": 0.0, "中性": 0.0, "negative": -1.0, "负面": -1.0}


def split_themes(value) -> list[str]:
    """``"物流配送;包装"`` or a list → ``["物流配送", "包装"]`` (``其他`` and blanks dropped)."""
    if isinstance(value, (list, tuple, np.ndarray)):
        items = [str(v) for v in value]
    elif value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    else:
        items = str(value).replace("|", ";").replace("；", ";").split(";")
    return [t.strip() for t in items if t.strip() not in _OTHER]


def _theme_polarity(value) -> dict[str, str]:
    out = {}
    for part in str(value or "").replace("；", ";").split(";"):
        if ":" in part:
            k, v = part.rsplit(":", 1)
            out[k.strip()] = v.strip()
    return out


def _polarity(t: pd.DataFrame) -> np.ndarray:
    if "p_positive" in t and "p_negative" in t:
        pos = pd.to_numeric(t["p_positive"], errors="coerce")
        neg = pd.to_numeric(t["p_negative"], errors="coerce")
        pol = (pos - neg).to_numpy(dtype=float)
    else:
        pol = np.full(len(t), np.nan)
    if "sentiment" in t:
        lab = t["sentiment"].astype(str).str.strip().str.lower().map(_LABELS).to_numpy(dtype=float)
        pol = np.where(np.isnan(pol), lab, pol)
    if "rating" in t:
        r = pd.to_numeric(t["rating"], errors="coerce").to_numpy(dtype=float)
        rp = np.clip((r - 3.0) / 2.0, -1, 1)
        pol = np.where(np.isnan(rp), pol, np.where(np.isnan(pol), rp, (pol + rp) / 2))
    return pol


def _is_negative(t: pd.DataFrame, pol: np.ndarray) -> np.ndarray:
    if "sentiment" in t:
        lab = t["sentiment"].astype(str).str.strip().str.lower()
        known = lab.isin(list(_LABELS))
        return np.where(known, lab.isin(["negative", "负面"]), pol < -0.33)
    return pol < -0.33


def satisfaction_table(
    tickets: pd.DataFrame,
    *,
    as_of,
    half_life_days: float = 90.0,
    recent_days: int = 90,
    unresolved_penalty: float = 0.15,
    high: float = 0.3,
    low: float = -0.2,
) -> pd.DataFrame:
    """One row per customer with tickets: counts, themes, ``satisfaction_score``, ``satisfaction`` and trend.

    Only tickets created before ``as_of`` are used (a June report re-run in August sees June's tickets);
    tickets without a date count with full weight but never as "recent". Columns: ``n_tickets``,
    ``n_negative``, ``n_negative_recent`` (last ``recent_days``), ``last_ticket``, ``rating_mean``,
    ``top_themes``, ``unresolved_themes``, ``n_unresolved``, ``satisfaction_score``, ``satisfaction_trend``
    (recent score minus the score before; 0 when one side is empty), ``satisfaction``.
    """
    if "customer_id" not in tickets:
        raise SchemaError("the tickets have no customer_id column.", "Give analysed tickets (fankui analyze output) with a customer column.")
    if not ({"sentiment", "p_negative", "rating"} & set(tickets.columns)):
        raise SchemaError("the tickets have no sentiment or rating columns.",
                          "Run `fankui analyze` on the export first and pass its output with --tickets.")
    as_of = pd.Timestamp(as_of)
    t = tickets.copy()
    cust, missing = cell_strings(t["customer_id"])
    t["customer_id"] = cust
    t = t[~missing]
    if "created_at" not in t:
        created = pd.Series(pd.NaT, index=t.index)
    elif pd.api.types.is_datetime64_any_dtype(t["created_at"]):
        created = t["created_at"]  # already typed (build_customers): not parsed a second time
    else:  # the intake's parser, so "2026年10月5日" or Excel serials mean here what they mean everywhere else
        created = parse_datetimes(t["created_at"])[0]
    keep = created.isna() | (created < as_of)
    t, created = t[keep], created[keep]
    cols = ["n_tickets", "n_negative", "n_negative_recent", "last_ticket", "rating_mean", "top_themes",
            "unresolved_themes", "n_unresolved", "satisfaction_score", "satisfaction_trend", "satisfaction"]
    if t.empty:
        return pd.DataFrame(columns=cols, index=pd.Index([], name="customer_id"))
    age = (as_of - created).dt.total_seconds().to_numpy() / 86400.0
    pol = _polarity(t)
    neg = _is_negative(t, pol)
    w = np.where(np.isnan(age), 1.0, 0.5 ** (np.nan_to_num(age) / half_life_days))
    recent = ~np.isnan(age) & (age <= recent_days)
    t = t.assign(_pol=pol, _w=np.where(np.isnan(pol), 0.0, w), _neg=neg, _recent=recent, _created=created,
                 _polw=np.nan_to_num(pol) * np.where(np.isnan(pol), 0.0, w))
    rating = pd.to_numeric(t["rating"], errors="coerce") if "rating" in t else pd.Series(np.nan, index=t.index)
    t["_rating"] = rating
    g = t.groupby("customer_id", sort=True)
    out = pd.DataFrame({
        "n_tickets": g.size(),
        "n_negative": g["_neg"].sum().astype(int),
        "n_negative_recent": (t["_neg"] & t["_recent"]).groupby(t["customer_id"]).sum().astype(int),
        "last_ticket": g["_created"].max(),
        "rating_mean": g["_rating"].mean().round(2),
    })
    wsum = g["_w"].sum()
    score = (g["_polw"].sum() / wsum.where(wsum > 0)).fillna(0.0)

    # Trend: recent window against everything before it (unweighted means of polarity).
    rec_mean = t[t["_recent"]].groupby("customer_id")["_pol"].mean()
    old_mean = t[~t["_recent"]].groupby("customer_id")["_pol"].mean()
    trend = (rec_mean - old_mean).reindex(out.index).fillna(0.0)

    # Themes: top themes and unresolved ones (last ticket about the theme is negative).
    has_themes = "themes" in t
    top, unresolved = {}, {}
    if has_themes:
        tsent = t["theme_sentiment"] if "theme_sentiment" in t else pd.Series("", index=t.index)
        order = t.assign(_ts=tsent).sort_values("_created", kind="stable", na_position="first")
        for cid, grp in order.groupby("customer_id", sort=False):
            counts: Counter[str] = Counter()
            last_state: dict[str, bool] = {}
            for themes, ts, is_neg in zip(grp["themes"], grp["_ts"], grp["_neg"]):
                per = _theme_polarity(ts)
                for th in split_themes(themes):
                    counts[th] += 1
                    lab = per.get(th)
                    last_state[th] = (lab in ("negative", "负面")) if lab else bool(is_neg)
            top[cid] = ";".join(th for th, _ in counts.most_common(3))
            unresolved[cid] = ";".join(th for th, bad in last_state.items() if bad)
        out["top_themes"] = pd.Series(top).reindex(out.index).fillna("")
        out["unresolved_themes"] = pd.Series(unresolved).reindex(out.index).fillna("")
        out["n_unresolved"] = out["unresolved_themes"].map(lambda s: len([x for x in s.split(";") if x]))
    else:
        # Without themes, an unanswered complaint is a last ticket that is negative.
        last_neg = t.sort_values("_created", kind="stable", na_position="first").groupby("customer_id")["_neg"].last()
        out["top_themes"] = ""
        out["unresolved_themes"] = ""
        out["n_unresolved"] = last_neg.reindex(out.index).fillna(False).astype(int)
    score = score - unresolved_penalty * out["n_unresolved"].clip(upper=3)
    out["satisfaction_score"] = score.clip(-1, 1).round(3)
    out["satisfaction_trend"] = trend.round(3)
    out["satisfaction"] = np.select([out["satisfaction_score"] >= high, out["satisfaction_score"] <= low],
                                    [SATISFACTION[0], SATISFACTION[2]], default=SATISFACTION[1])
    out.index.name = "customer_id"
    return out[cols]
