"""Customers library: hand-computed RFM, segment golden cases, rhythm-adaptive lifecycle, satisfaction, churn."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fankui.customers import build_customers, load_orders
from fankui.customers.churn import ChurnModel, risk_level
from fankui.customers.lifecycle import LifecycleRules, lifecycle_stage
from fankui.customers.rfm import SEGMENTS, rfm_scores, rfm_segments, rfm_table
from fankui.customers.satisfaction import satisfaction_table, split_themes
from fankui.errors import InputError, NotFittedError

AS_OF = "2026-03-01"


@pytest.fixture
def small_orders() -> pd.DataFrame:
    return load_orders(pd.DataFrame({
        "订单号": ["o1", "o2", "o3", "o4", "o5", "o6", "o6", "o7"],
        "客户ID": ["A", "A", "A", "B", "B", "C", "C", "D"],
        "下单时间": ["2026-01-01 09:00", "2026-01-01 18:00", "2026-02-15", "2026-02-20", "2026-02-25", "2025-12-01",
                 "2025-12-05", "2026-01-10"],
        "实付金额": ["100", "50", "30", "200", "40", "500", "-100", "20"],
        "是否退款": ["否", "否", "否", "是", "否", "否", "否", "否"],
    }))


def test_rfm_hand_computed(small_orders):
    t = rfm_table(small_orders, as_of=AS_OF)
    # A: two orders on 2026-01-01 are one purchase day; B's refunded order counts as a visit, not as money;
    # C's refund row (negative amount, same order id as the order it refunds) subtracts.
    want = pd.DataFrame({
        "recency_days": [14.0, 4.0, 90.0, 50.0], "frequency": [2, 2, 1, 1], "n_orders": [3, 2, 1, 1],
        "monetary": [180.0, 40.0, 400.0, 20.0], "monetary_avg": [60.0, 20.0, 400.0, 20.0], "n_refunds": [0, 1, 1, 0],
        "x": [1, 1, 0, 0], "tx_days": [45.0, 5.0, 0.0, 0.0], "T_days": [58.0, 8.0, 89.0, 49.0],
    }, index=pd.Index(["A", "B", "C", "D"], name="customer_id"))
    pd.testing.assert_frame_equal(t[want.columns], want, check_dtype=False)
    assert t.loc["A", "repeat_value"] == 30.0
    assert str(t.loc["A", "first_order"].date()) == "2026-01-01" and str(t.loc["A", "last_order"].date()) == "2026-02-15"
    seg = rfm_segments(t)
    # means: recency 39.5, frequency 1.5, monetary 160
    assert seg["rfm_code"].tolist() == ["111", "110", "001", "000"]
    assert seg["rfm_segment"].tolist() == ["重要价值客户", "一般价值客户", "重要挽留客户", "一般挽留客户"]


def test_rfm_rejects_orders_after_as_of(small_orders):
    with pytest.raises(InputError, match="on or after the reference date"):
        rfm_table(small_orders, as_of="2026-02-01")


@pytest.mark.parametrize("code", sorted(SEGMENTS))
def test_segment_golden_cases(code):
    # Eight customers, one per R/F/M combination; each is high or low against the mean (and the median).
    combos = [f"{r}{f}{m}" for r in "01" for f in "01" for m in "01"]
    t = pd.DataFrame({
        "recency_days": [5.0 if c[0] == "1" else 100.0 for c in combos],
        "frequency": [10 if c[1] == "1" else 1 for c in combos],
        "monetary": [1000.0 if c[2] == "1" else 10.0 for c in combos],
    }, index=combos)
    for split in ("mean", "median"):
        seg = rfm_segments(t, split=split)
        assert seg.loc[code, "rfm_code"] == code
        assert seg.loc[code, "rfm_segment"] == SEGMENTS[code][0]
        assert seg.loc[code, "rfm_action"] == SEGMENTS[code][1]
    assert SEGMENTS["111"][0] == "重要价值客户" and SEGMENTS["000"][0] == "一般挽留客户"
    assert SEGMENTS["011"][0] == "重要保持客户" and SEGMENTS["101"][0] == "重要发展客户"


def test_segment_split_mean_vs_median_differ():
    # One big spender pulls the mean above everybody else: with the median, half are high spenders.
    t = pd.DataFrame({"recency_days": [10.0, 10, 10, 10], "frequency": [1, 1, 1, 1], "monetary": [10.0, 20, 30, 10000]})
    assert rfm_segments(t, split="mean")["rfm_code"].str[2].tolist() == ["0", "0", "0", "1"]
    assert rfm_segments(t, split="median")["rfm_code"].str[2].tolist() == ["0", "0", "1", "1"]
    with pytest.raises(InputError, match="segment-split"):
        rfm_segments(t, split="mode")


def test_quintile_scores_and_ties():
    t = pd.DataFrame({"recency_days": [1.0, 2, 3, 4, 5], "frequency": [1, 1, 1, 1, 1], "monetary": [5.0, 4, 3, 2, 1]})
    s = rfm_scores(t)
    assert s["r_score"].tolist() == [5, 4, 3, 2, 1]  # most recent = 5
    assert s["f_score"].tolist() == [1, 1, 1, 1, 1]  # ties share a score
    assert s["m_score"].tolist() == [5, 4, 3, 2, 1]
    assert s["rfm_score"].iloc[0] == "515"


def _life(rec, freq, tx, first, **rules):
    t = pd.DataFrame({"recency_days": rec, "frequency": freq, "x": [f - 1 for f in freq], "tx_days": tx,
                      "first_order": pd.to_datetime(first)}, index=[f"c{i}" for i in range(len(rec))])
    return lifecycle_stage(t, as_of="2026-11-01", rules=LifecycleRules(**rules) if rules else None)


def test_lifecycle_adapts_to_rhythm():
    # Same 60 days since the last order: a 90-day buyer is active, a weekly buyer is dormant.
    out = _life([60.0, 60.0, 200.0, 250.0], [5, 9, 9, 5], [360.0, 56.0, 56.0, 360.0],
                ["2025-09-01", "2026-06-01", "2026-01-01", "2025-01-01"])
    assert out["lifecycle"].tolist() == ["活跃客户", "沉睡客户", "流失客户", "沉睡客户"]
    assert out["typical_gap_days"].tolist() == [90.0, 7.0, 7.0, 90.0]


def test_lifecycle_new_one_time_buyers_and_overrides():
    # A 10-day-old first purchase is new; a one-time buyer gets the base rhythm (median of repeat buyers).
    out = _life([10.0, 40.0, 400.0, 10.0], [1, 1, 1, 3], [0.0, 0.0, 0.0, 120.0],
                ["2026-10-22", "2026-09-22", "2025-09-27", "2026-06-01"])
    assert out["lifecycle"].tolist() == ["新客户", "活跃客户", "流失客户", "活跃客户"]
    assert out.loc["c1", "typical_gap_days"] == 60.0  # active while <= 1.5 x 60 days
    # Fixed thresholds override the rhythm for everybody.
    fixed = _life([60.0, 60.0], [5, 9], [360.0, 56.0], ["2025-09-01", "2026-06-01"], dormant_days=30, churned_days=50)
    assert fixed["lifecycle"].tolist() == ["流失客户", "流失客户"]
    with pytest.raises(InputError):
        LifecycleRules(active_factor=3, churn_factor=2).check()


def test_lifecycle_prospects():
    t = pd.DataFrame({"recency_days": [5.0], "frequency": [2], "x": [1], "tx_days": [10.0],
                      "first_order": pd.to_datetime(["2026-09-01"])}, index=["buyer"])
    out = lifecycle_stage(t, as_of="2026-11-01", prospects=pd.Index(["ghost", "buyer"]))
    assert out.loc["ghost", "lifecycle"] == "潜在客户"
    assert len(out) == 2


@pytest.fixture
def tickets() -> pd.DataFrame:
    return pd.DataFrame({
        "ticket_id": [f"T{i}" for i in range(8)],
        "customer_id": ["H", "H", "U", "U", "R", "R", "U", "N"],
        "created_at": pd.to_datetime(["2026-02-01", "2026-02-20", "2026-01-10", "2026-02-25", "2026-01-05",
                                      "2026-02-10", "2026-04-01", "2026-02-01"]),
        "sentiment": ["positive", "positive", "negative", "negative", "negative", "positive", "positive", "neutral"],
        "p_positive": [0.9, 0.8, 0.05, 0.1, 0.1, 0.85, 0.9, 0.2],
        "p_negative": [0.05, 0.1, 0.9, 0.85, 0.8, 0.05, 0.05, 0.1],
        "rating": [5, np.nan, 1, np.nan, np.nan, 4, 5, np.nan],
        "themes": ["服务态度", "", "物流配送;包装", "产品质量", "物流配送", "物流配送", "物流配送", "其他"],
    })


def test_satisfaction_segments(tickets):
    s = satisfaction_table(tickets, as_of=AS_OF)
    assert s.loc["H", "satisfaction"] == "高度满意"
    assert s.loc["U", "satisfaction"] == "不满意"
    # U's positive ticket of 2026-04-01 is after as_of: not seen. Its complaints are unresolved.
    assert s.loc["U", "n_tickets"] == 2 and s.loc["U", "n_negative"] == 2
    assert set(s.loc["U", "unresolved_themes"].split(";")) == {"物流配送", "包装", "产品质量"}
    # R complained about delivery, then wrote a positive ticket about it: resolved.
    assert s.loc["R", "unresolved_themes"] == "" and s.loc["R", "n_unresolved"] == 0
    assert s.loc["N", "satisfaction"] == "中度满意" and s.loc["N", "top_themes"] == ""
    assert s.loc["H", "rating_mean"] == 5.0
    assert s.loc["U", "n_negative_recent"] == 2


def test_satisfaction_without_themes_and_label_spellings(tickets):
    t = tickets.drop(columns=["themes", "p_positive", "p_negative", "rating"])
    t["sentiment"] = t["sentiment"].map({"positive": "正面", "negative": "负面", "neutral": "中性"})
    s = satisfaction_table(t, as_of=AS_OF)
    assert s.loc["U", "satisfaction"] == "不满意" and s.loc["U", "n_unresolved"] == 1  # last ticket negative
    assert s.loc["H", "satisfaction"] == "高度满意"
    assert split_themes("物流配送;其他;包装") == ["物流配送", "包装"] and split_themes(["包装"]) == ["包装"]


def _synthetic_orders(n=300, seed=7):
    rng = np.random.default_rng(seed)
    rows = []
    start = pd.Timestamp("2025-01-01")
    for i in range(n):
        gap = rng.choice([7, 30, 90])
        t = rng.integers(0, 200)
        stop = rng.integers(60, 700)
        while t < min(stop, 660):
            rows.append((f"C{i:04d}", start + pd.Timedelta(days=int(t)), float(rng.gamma(2, 50))))
            t += max(1, int(rng.exponential(gap)))
    return pd.DataFrame(rows, columns=["customer_id", "ordered_at", "amount"])


def test_build_customers_model_path_accounts_for_everybody(tickets):
    o = _synthetic_orders()
    t = tickets.assign(customer_id=["C0001", "C0001", "C0002", "C0002", "C0003", "C0003", "C0002", "P9"],
                       created_at=pd.to_datetime(["2026-06-01", "2026-07-20", "2026-08-10", "2026-09-25",
                                                  "2026-07-05", "2026-08-10", "2026-10-01", "2026-09-01"]))
    c = build_customers(o, t, as_of="2026-10-20", horizon_days=60)
    assert c.attrs["churn_method"] == "model"
    assert set(c["customer_id"]) == set(o["customer_id"]) | {"P9"}
    assert c["customer_id"].is_unique
    assert c.set_index("customer_id").loc["P9", "lifecycle"] == "潜在客户"
    buyers = c[c["frequency"] > 0]
    assert buyers["churn_probability"].between(0, 1).all()
    assert set(buyers["churn_risk"]) <= {"low", "medium", "high"}
    assert (buyers["churn_reasons"] != "").all()
    # The probability must rank: long-silent customers above those who bought last week.
    silent = buyers[buyers["recency_days"] > 200]["churn_probability"].mean()
    fresh = buyers[buyers["recency_days"] < 7]["churn_probability"].mean()
    assert silent > fresh + 0.3
    info = c.attrs["churn_info"]
    assert info["cutoff"] == "2026-08-21" and info["train_horizon_days"] == 60
    assert "satisfaction_score" in info["weights"]


def test_build_customers_default_as_of_is_day_after_last_order(small_orders):
    c = build_customers(small_orders)
    assert c.attrs["as_of"] == "2026-02-26"
    # Re-running with an explicit earlier date gives that date's numbers, and later orders are listed.
    june = build_customers(small_orders, as_of="2026-02-21")
    assert june.set_index("customer_id").loc["B", "frequency"] == 1
    assert "not counted" in june.attrs["rejects"]["reason"].iloc[-1]


def test_fallback_to_rules_when_everyone_bought_once():
    o = pd.DataFrame({"customer_id": ["a", "b", "c"], "ordered_at": pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01"]),
                      "amount": [10.0, 20.0, 30.0]})
    c = build_customers(o, as_of="2026-04-01")
    assert c.attrs["churn_method"] == "rfm_rules"
    assert any("RFM rules" in w for w in c.attrs["warnings"])
    assert (c["churn_method"] == "rfm_rules").all()
    assert c["churn_probability"].between(0, 1).all()
    # Ranks by recency: the oldest buyer is the likeliest to have gone.
    assert c["churn_probability"].is_monotonic_decreasing
    assert c["expected_purchases"].isna().all()


def test_churn_model_contract():
    X = pd.DataFrame({"a": [0.0, 1, 2, 3, 4, 5], "b": [1.0, 0, 1, 0, 1, 0]})
    y = [0, 0, 0, 1, 1, 1]
    m = ChurnModel(C=2.0)
    assert m.get_params() == {"C": 2.0, "max_iter": 2000}
    with pytest.raises(NotFittedError):
        m.predict_proba(X)
    assert m.fit(X, y) is m
    p = m.predict_proba(X)
    assert p.shape == (6, 2) and np.allclose(p.sum(axis=1), 1) and list(m.classes_) == [0, 1]
    assert p[5, 1] > p[0, 1]
    assert m.contributions(X).shape == (6, 2)
    r = risk_level(pd.Series([0.1, 0.5, 0.9, np.nan]))
    assert r.tolist() == ["low", "medium", "high", ""]


def test_typed_orders_frame_is_not_changed_and_ids_are_cleaned():
    # build_customers works on a shallow copy (copy-on-write): the caller's frame must come back unchanged,
    # while integer or space-padded ids are still turned into clean strings for the join with tickets.
    o = pd.DataFrame({"customer_id": [101, 102, 101, 103], "ordered_at": pd.to_datetime(
        ["2026-01-01", "2026-01-03", "2026-02-01", "2026-01-05"]), "amount": [10.0, 20.0, 30.0, 5.0]})
    padded = o.assign(customer_id=[" 101", "102 ", "101", "103"])
    for frame in (o, padded):
        before = frame.copy()
        c = build_customers(frame, as_of="2026-03-01")
        pd.testing.assert_frame_equal(frame, before)
        assert sorted(c["customer_id"]) == ["101", "102", "103"]
        assert c.set_index("customer_id").loc["101", "frequency"] == 2


def test_satisfaction_reads_ticket_dates_like_the_intake():
    # Called directly on an export's text dates, satisfaction_table understands the same formats as ticket
    # intake (a Chinese date used to become "unknown" and escape the as_of filter).
    t = pd.DataFrame({"customer_id": ["a", "a"], "created_at": ["2026年10月5日", "2026年12月1日"],
                      "sentiment": ["negative", "negative"], "p_negative": [0.9, 0.8]})
    s = satisfaction_table(t, as_of="2026-11-01")
    assert s.loc["a", "n_tickets"] == 1
    assert s.loc["a", "last_ticket"] == pd.Timestamp("2026-10-05")
