"""One row per customer: RFM, segment, lifecycle, satisfaction and churn risk, at an explicit reference date.

    >>> from fankui.customers import load_orders, build_customers
    >>> orders = load_orders("corpora/demo/orders.csv")
    >>> customers = build_customers(orders, as_of="2026-11-01")
    >>> customers.loc[0, ["customer_id", "rfm_segment", "lifecycle"]].tolist()   # doctest: +SKIP
    ['C10032', '重要价值客户', '活跃客户']

Every customer is accounted for: each customer with orders, plus each ticket customer without orders
(潜在客户). Orders on or after ``as_of`` are not counted and are listed in ``df.attrs["rejects"]`` next to the
intake rejects; ``df.attrs["warnings"]`` says when the purchase model could not be used.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError, ModelError, SchemaError
from ..io import cell_strings
from ..tickets import parse_datetimes
from .churn import (ChurnModel, churn_features, churn_labels, churn_reasons, purchase_scores, risk_level,
                    rule_probability)
from .lifecycle import LifecycleRules, lifecycle_stage, typical_gap
from .orders import load_orders
from .rfm import rfm_scores, rfm_segments, rfm_table
from .satisfaction import NO_FEEDBACK, satisfaction_table

__all__ = ["OUTPUT_COLUMNS", "resolve_as_of", "prepare_tickets_for_customers", "read_analysed_tickets",
           "fit_churn_split", "build_customers"]

OUTPUT_COLUMNS = [
    "customer_id", "lifecycle", "recency_days", "frequency", "n_orders", "monetary", "monetary_avg", "n_refunds",
    "first_order", "last_order", "typical_gap_days", "r_score", "f_score", "m_score", "rfm_score", "rfm_code",
    "rfm_segment", "rfm_action", "n_tickets", "n_negative", "n_negative_recent", "rating_mean", "satisfaction",
    "satisfaction_score", "top_themes", "unresolved_themes", "expected_purchases", "expected_value",
    "churn_probability", "churn_risk", "churn_reasons", "churn_method",
]

_CANONICAL = {"customer_id", "ordered_at", "amount"}
_RFM_COLUMNS = ("customer_id", "ordered_at", "amount", "refunded")  # what rfm_table reads


def resolve_as_of(as_of, orders: pd.DataFrame) -> pd.Timestamp:
    """The reference date (midnight): given, or the day after the last order. Never the machine's clock.

    Orders on or after it are not counted. A date on or before the first order leaves nothing to analyse.

    >>> o = pd.DataFrame({"ordered_at": pd.to_datetime(["2026-01-05 10:00", "2026-03-31 23:59"])})
    >>> resolve_as_of(None, o)
    Timestamp('2026-04-01 00:00:00')
    """
    if orders.empty:
        raise InputError("no usable orders (every row was rejected or the table is empty).",
                         "See the rejects file for the reasons, fix the export and run again.")
    first, last = orders["ordered_at"].min(), orders["ordered_at"].max()
    if as_of is None or (isinstance(as_of, str) and not as_of.strip()):
        return last.normalize() + pd.Timedelta(days=1)
    try:
        ts = pd.Timestamp(as_of)
    except (ValueError, TypeError):
        raise InputError(f"--as-of {as_of!r} is not a date.", "Use YYYY-MM-DD, e.g. --as-of 2026-11-01.") from None
    if ts is pd.NaT:
        raise InputError(f"--as-of {as_of!r} is not a date.", "Use YYYY-MM-DD, e.g. --as-of 2026-11-01.")
    ts = ts.tz_localize(None) if ts.tzinfo else ts
    ts = ts.normalize()
    if ts <= first.normalize():
        raise InputError(
            f"--as-of {ts:%Y-%m-%d} is on or before the first order ({first:%Y-%m-%d}): there is no purchase history to analyse.",
            f"Give a later date (orders run {first:%Y-%m-%d} .. {last:%Y-%m-%d}), or leave --as-of out to use the day after the last order.",
        )
    return ts


def prepare_tickets_for_customers(tickets: pd.DataFrame) -> pd.DataFrame:
    """Typed copy of analysed tickets: ``created_at`` datetime, probabilities and rating numeric."""
    if "customer_id" not in tickets:
        raise SchemaError("the tickets have no customer_id column, so they cannot be joined with orders.",
                          "Re-run `fankui analyze` with --customer-column naming the customer column.")
    t = tickets.copy()
    cust, missing = cell_strings(t["customer_id"])
    t["customer_id"] = cust.where(~missing, "")
    if "created_at" in t:
        t["created_at"] = parse_datetimes(t["created_at"])[0]  # same formats as ticket intake; bad → NaT
    for c in ("p_positive", "p_neutral", "p_negative", "rating"):
        if c in t:
            t[c] = pd.to_numeric(t[c], errors="coerce")
    return t


def read_analysed_tickets(path, *, encoding: str | None = None) -> pd.DataFrame:
    """Read ``fankui analyze`` output (any supported format) for :func:`build_customers`, which types the columns."""
    from ..io import read_table

    return read_table(path, encoding=encoding)


def _ensure_orders(orders) -> pd.DataFrame:
    if isinstance(orders, pd.DataFrame) and _CANONICAL <= set(orders.columns) \
            and pd.api.types.is_datetime64_any_dtype(orders["ordered_at"]) \
            and pd.api.types.is_numeric_dtype(orders["amount"]):
        # A shallow copy: pandas 3 copies on write, so the caller's frame is never changed, and 10M orders are
        # not duplicated just to add a column (measured: +450 MB at 10M orders with a deep copy).
        o = orders.copy(deep=False)
        o.attrs = dict(orders.attrs)
        ids = o["customer_id"]
        if not pd.api.types.is_string_dtype(ids) or ids.str.strip().ne(ids).any():
            o["customer_id"] = ids.astype(str).str.strip()
        if "refunded" not in o:
            o["refunded"] = False
        if "order_id" not in o:
            o["order_id"] = ""
        if "row" not in o:
            o["row"] = np.arange(len(o)) + 2
        bad = o["customer_id"].eq("") | o["ordered_at"].isna() | o["amount"].isna()
        if bad.any():  # a typed frame from the caller: route it through the full intake for the reasons
            return load_orders(orders.astype(object).where(orders.notna(), ""))
        return o
    return load_orders(orders)


def fit_churn_split(orders: pd.DataFrame, tickets: pd.DataFrame | None, *, as_of: pd.Timestamp,
                    horizon_days: int, rules: LifecycleRules, recent_days: int, half_life_days: float,
                    min_train_customers: int = 30) -> tuple[ChurnModel, dict]:
    """Learn the churn weights on an earlier cut-off whose outcome is known (see :mod:`fankui.customers.churn`).

    The training horizon is ``horizon_days``, shortened to half the observed history when that is shorter;
    the cut-off is ``as_of`` minus it. Raises :class:`ModelError` when there is too little to learn from.
    """
    first = orders["ordered_at"].min().normalize()
    span = (as_of - first).days
    train_h = int(min(horizon_days, span // 2))
    if train_h < 7:
        raise ModelError(f"only {span} days of history: too short for a time split to learn the churn weights.")
    cutoff = as_of - pd.Timedelta(days=train_h)
    # Only the columns rfm_table reads: the other columns of 10M orders would be copied for nothing.
    past = orders.loc[orders["ordered_at"] < cutoff, [c for c in _RFM_COLUMNS if c in orders]]
    rfm_c = rfm_table(past, as_of=cutoff)
    del past  # hundreds of MB at 10M orders; the labels below read the full orders
    ps_c = purchase_scores(rfm_c, train_h)
    gap_c, _ = typical_gap(rfm_c, rules.default_gap_days)
    sat_c = satisfaction_table(tickets, as_of=cutoff, recent_days=recent_days, half_life_days=half_life_days) \
        if tickets is not None else None
    X = churn_features(rfm_c, ps_c.table["p_no_purchase"], gap_c, sat_c)
    y = churn_labels(orders, X.index, cutoff, train_h)
    n_pos, n_neg = int(y.sum()), int((1 - y).sum())
    if len(y) < min_train_customers or min(n_pos, n_neg) < 5:
        raise ModelError(f"the training split at {cutoff:%Y-%m-%d} has {len(y)} customers "
                         f"({n_pos} churned, {n_neg} stayed): too few to learn the churn weights.")
    model = ChurnModel().fit(X, y)
    info = {"cutoff": f"{cutoff:%Y-%m-%d}", "train_horizon_days": train_h, "n_train": len(y),
            "train_churn_rate": round(n_pos / len(y), 4),
            "weights": {k: round(float(v), 4) for k, v in zip(X.columns, model.coef_)}}
    return model, info


def build_customers(
    orders,
    tickets: pd.DataFrame | None = None,
    *,
    as_of=None,
    horizon_days: int = 90,
    segment_split: str = "mean",
    lifecycle_rules: LifecycleRules | None = None,
    risk_thresholds: tuple[float, float] = (0.4, 0.7),
    recent_days: int = 90,
    half_life_days: float = 90.0,
    min_train_customers: int = 30,
) -> pd.DataFrame:
    """The customer table (columns :data:`OUTPUT_COLUMNS`), one row per customer, sorted by customer id.

    ``orders``: :func:`load_orders` output (or any frame/path it accepts). ``tickets``: analysed tickets
    (optional; without them there is no satisfaction and churn uses purchases only). ``as_of``: the
    reference date (default: the day after the last order). ``horizon_days``: churn = no purchase within it.
    ``df.attrs``: ``as_of``, ``churn_method``, ``churn_info``, ``warnings``, ``rejects``, ``report``.
    """
    if horizon_days < 1:
        raise InputError(f"the churn horizon must be at least 1 day, got {horizon_days}.", "Use e.g. --horizon-days 90.")
    rules = lifecycle_rules or LifecycleRules()
    rules.check()
    orders = _ensure_orders(orders)
    intake_rejects = orders.attrs.get("rejects", pd.DataFrame(columns=["row", "reason"]))
    as_of = resolve_as_of(as_of, orders)
    late = orders["ordered_at"] >= as_of
    warnings: list[str] = []
    rejects = intake_rejects
    if late.any():
        lr = orders.loc[late]
        extra = pd.DataFrame({"row": lr["row"].to_numpy(),
                              "reason": f"ordered on or after --as-of {as_of:%Y-%m-%d} (not counted)",
                              "order_id": lr["order_id"].to_numpy(), "customer_id": lr["customer_id"].to_numpy(),
                              "ordered_at": lr["ordered_at"].dt.strftime("%Y-%m-%d %H:%M:%S").to_numpy(),
                              "amount": lr["amount"].to_numpy()})
        rejects = pd.concat([rejects, extra], ignore_index=True) if len(rejects) else extra
        rejects = rejects.sort_values("row", kind="stable").reset_index(drop=True)
        orders = orders.loc[~late]

    t = prepare_tickets_for_customers(tickets) if tickets is not None else None
    n_tickets_no_customer = 0
    if t is not None:
        no_cust = t["customer_id"].eq("")
        n_tickets_no_customer = int(no_cust.sum())
        if n_tickets_no_customer:
            warnings.append(f"{n_tickets_no_customer} tickets have no customer id and are not joined to any customer")
        t = t.loc[~no_cust]

    rfm = rfm_table(orders, as_of=as_of)
    ticket_customers = pd.Index(t["customer_id"].unique()) if t is not None else pd.Index([])
    prospects = ticket_customers.difference(rfm.index)
    life = lifecycle_stage(rfm, as_of=as_of, rules=rules, prospects=prospects)
    gap, _ = typical_gap(rfm, rules.default_gap_days)
    sat = satisfaction_table(t, as_of=as_of, recent_days=recent_days, half_life_days=half_life_days) if t is not None else None

    # Churn: model → purchase model alone → RFM rules (said in churn_method and the warnings).
    scores, contrib, info = None, None, {}
    try:
        ps = purchase_scores(rfm, horizon_days)
        scores = ps.table
        warnings.extend(ps.notes)
        try:
            model, info = fit_churn_split(orders, t, as_of=as_of, horizon_days=horizon_days, rules=rules,
                                          recent_days=recent_days, half_life_days=half_life_days,
                                          min_train_customers=min_train_customers)
            X = churn_features(rfm, scores["p_no_purchase"], gap, sat)
            prob = pd.Series(model.predict_proba(X)[:, 1], index=X.index)
            contrib = model.contributions(X)
            method = "model"
            if info["train_horizon_days"] < horizon_days:
                warnings.append(f"churn weights learned on a {info['train_horizon_days']}-day split (history too short "
                                f"for {horizon_days} days): probabilities are calibrated for the shorter horizon")
        except ModelError as exc:
            prob = scores["p_no_purchase"].copy()
            method = "purchase_model"
            warnings.append(f"churn weights not learned ({exc.message}); churn_probability is the purchase model's "
                            f"probability of no purchase in {horizon_days} days, without the feedback signals")
    except ModelError as exc:
        prob = rule_probability(rfm, gap, sat)
        method = "rfm_rules"
        warnings.append(f"purchase model not fitted ({exc.message}); churn falls back to RFM rules "
                        "(recency against rhythm + feedback): a rule-based score, not a calibrated probability")
    reasons = churn_reasons(rfm, gap, sat, scores, contrib, horizon_days=horizon_days, recent_days=recent_days)

    # Assemble: buyers first, then prospects (ticket customers without purchases).
    out = rfm.join(rfm_scores(rfm)).join(rfm_segments(rfm, split=segment_split))
    out = out.reindex(out.index.union(prospects))
    out = out.join(life)
    if sat is not None:
        out = out.join(sat.drop(columns=["last_ticket", "satisfaction_trend"]))
        out["satisfaction"] = out["satisfaction"].fillna(NO_FEEDBACK)
        for c in ("n_tickets", "n_negative", "n_negative_recent"):
            out[c] = out[c].fillna(0).astype(int)
    else:
        for c in ("n_tickets", "n_negative", "n_negative_recent"):
            out[c] = 0
        out["satisfaction"] = ""
        out["satisfaction_score"] = np.nan
        out["rating_mean"] = np.nan
    for c in ("top_themes", "unresolved_themes"):
        out[c] = out[c].fillna("") if c in out else ""
    for c in ("frequency", "n_orders", "n_refunds", "r_score", "f_score", "m_score"):
        out[c] = out[c].fillna(0).astype(int)
    out["monetary"] = out["monetary"].fillna(0.0)
    for c in ("rfm_score", "rfm_code", "rfm_segment", "rfm_action"):
        out[c] = out[c].fillna("")
    if scores is not None:
        out["expected_purchases"] = scores["expected_purchases"].reindex(out.index).round(3)
        out["expected_value"] = scores["expected_value"].reindex(out.index).round(2)
    else:
        out["expected_purchases"] = np.nan
        out["expected_value"] = np.nan
    p = prob.reindex(out.index)
    out["churn_probability"] = p.round(4)
    out["churn_risk"] = risk_level(p, risk_thresholds)
    out["churn_reasons"] = reasons.reindex(out.index).where(out["frequency"] > 0, "尚未下单（潜在客户）")
    out["churn_method"] = np.where(out["frequency"] > 0, method, "no purchases")
    out.index.name = "customer_id"
    out = out.reset_index()
    for c in ("first_order", "last_order"):
        out[c] = pd.to_datetime(out[c]).dt.strftime("%Y-%m-%d").fillna("")
    out = out[OUTPUT_COLUMNS]

    lc = out["lifecycle"].value_counts().to_dict()
    report = dict(orders.attrs.get("report", {}))
    report.update({"customers": len(out), "buyers": int((out["frequency"] > 0).sum()), "prospects": len(prospects),
                   "orders_used": len(orders), "orders_after_as_of": int(late.sum()),
                   "tickets_without_customer": n_tickets_no_customer, "lifecycle": lc})
    out.attrs.update({"as_of": f"{as_of:%Y-%m-%d}", "horizon_days": horizon_days, "churn_method": method,
                      "churn_info": info, "warnings": warnings, "rejects": rejects, "report": report})
    return out
