"""Purchase models against the published CDNOW figures (Fader, Hardie & Lee 2005; Gamma-Gamma note 2013).

``tests/data/customers_cdnow_summary.csv`` is a derived table of numbers, not corpus text: for the 2,357
customers of CDNOW_sample.txt (calibration = purchases before 1997-10-01, same-day purchases merged) each
distinct (x repeat purchase days, t_x days from first to last purchase, T days from first purchase to
1997-09-30, m mean value of the repeat purchase days in USD) with its count n. It lets CI pin the published
parameters without the shared corpora; benchmarks/bench_customers.py rebuilds it from the raw file.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fankui.customers.purchase_models import BetaGeoModel, GammaGammaModel, ModifiedBetaGeoModel, ParetoNBDModel
from fankui.errors import ModelError, NotFittedError
from tests.conftest import DATA


@pytest.fixture(scope="module")
def cdnow():
    t = pd.read_csv(DATA / "customers_cdnow_summary.csv")
    assert t["n"].sum() == 2357
    return t


def _close(got: float, want: float, rel: float = 0.005) -> bool:
    return abs(got - want) <= rel * abs(want)


def test_bgnbd_reproduces_published_cdnow_parameters(cdnow):
    m = BetaGeoModel().fit(cdnow["x"], cdnow["tx_days"] / 7, cdnow["T_days"] / 7, weights=cdnow["n"])
    want = {"r": 0.2426, "alpha": 4.4136, "a": 0.7929, "b": 2.4259}
    for k, v in want.items():
        assert _close(m.params_[k], v), (k, m.params_[k], v)
    assert m.log_likelihood_ == pytest.approx(-9582.43, abs=0.05)


def test_gamma_gamma_reproduces_published_cdnow_parameters(cdnow):
    gg = GammaGammaModel().fit(cdnow["x"], cdnow["m"], weights=cdnow["n"])
    for k, v in {"p": 6.25, "q": 3.744, "v": 15.44}.items():
        assert _close(gg.params_[k], v), (k, gg.params_[k], v)
    # Population mean spend per transaction p·v/(q-1) ≈ $35.2 for a one-time buyer.
    assert gg.expected_average_value([0], [0])[0] == pytest.approx(6.25 * 15.44 / 2.744, rel=0.01)


def test_pareto_nbd_reproduces_published_cdnow_parameters(cdnow):
    # Fader & Hardie (2005), "A Note on Deriving the Pareto/NBD Model and Related Expressions", CDNOW weeks.
    x, tx, T, n = cdnow["x"], cdnow["tx_days"] / 7, cdnow["T_days"] / 7, cdnow["n"]
    m = ParetoNBDModel().fit(x, tx, T, weights=n)
    for k, v in {"r": 0.5534, "alpha": 10.5802, "s": 0.6061, "beta": 11.6636}.items():
        assert _close(m.params_[k], v), (k, m.params_[k], v)
    assert m.log_likelihood_ == pytest.approx(-9594.98, abs=0.05)
    alive = m.probability_alive(x, tx, T)
    e39 = m.expected_purchases(39, x, tx, T)
    assert np.all((alive > 0) & (alive <= 1)) and np.all(e39 > 0)
    # Unlike BG/NBD, a one-time buyer is not certainly alive, and gets less alive as time passes.
    one = m.probability_alive([0, 0], [0, 0], [10, 38])
    assert one[0] < 1 and one[1] < one[0]
    # Same x and T: the more recent buyer is more alive and expected to buy more.
    assert m.probability_alive([3], [35], [38])[0] > m.probability_alive([3], [10], [38])[0]
    assert m.expected_purchases(39, [3], [35], [38])[0] > m.expected_purchases(39, [3], [10], [38])[0]
    # Bought on the last day (t_x = T): A0 = 0, so P(alive) = 1.
    assert m.probability_alive([2], [20], [20])[0] == pytest.approx(1.0)
    # Weeks vs days: α and β carry the time unit.
    d = ParetoNBDModel().fit(x, cdnow["tx_days"], cdnow["T_days"], weights=n)
    assert d.params_["beta"] == pytest.approx(7 * m.params_["beta"], rel=0.01)
    assert d.params_["s"] == pytest.approx(m.params_["s"], rel=0.01)


def test_weights_equal_repeated_rows(cdnow):
    small = cdnow.iloc[::25]
    expanded = small.loc[small.index.repeat(small["n"])]
    a = BetaGeoModel().fit(small["x"], small["tx_days"] / 7, small["T_days"] / 7, weights=small["n"])
    b = BetaGeoModel().fit(expanded["x"], expanded["tx_days"] / 7, expanded["T_days"] / 7)
    assert a.log_likelihood_ == pytest.approx(b.log_likelihood_, rel=1e-6)


def test_time_unit_does_not_change_the_model(cdnow):
    # α carries the time unit: fitting in days gives α·7 and the same likelihood up to the Jacobian.
    w = BetaGeoModel().fit(cdnow["x"], cdnow["tx_days"] / 7, cdnow["T_days"] / 7, weights=cdnow["n"])
    d = BetaGeoModel().fit(cdnow["x"], cdnow["tx_days"], cdnow["T_days"], weights=cdnow["n"])
    assert d.params_["alpha"] == pytest.approx(7 * w.params_["alpha"], rel=0.005)
    assert d.params_["r"] == pytest.approx(w.params_["r"], rel=0.005)


def test_predictions_are_consistent(cdnow):
    x, tx, T, n = cdnow["x"], cdnow["tx_days"] / 7, cdnow["T_days"] / 7, cdnow["n"]
    for cls in (BetaGeoModel, ModifiedBetaGeoModel):
        m = cls().fit(x, tx, T, weights=n)
        e39 = m.expected_purchases(39, x, tx, T)
        e10 = m.expected_purchases(10, x, tx, T)
        p0 = m.probability_no_purchase(39, x, tx, T)
        alive = m.probability_alive(x, tx, T)
        assert np.all(e39 >= e10) and np.all(e10 >= 0)
        assert np.all((p0 > 0) & (p0 < 1)) and np.all((alive > 0) & (alive <= 1))
        # More recent purchases (same x, T) → more alive and more expected purchases.
        a = m.probability_alive([3, 3], [10, 35], [38, 38])
        assert a[1] > a[0]
    bg = BetaGeoModel().fit(x, tx, T, weights=n)
    # BG/NBD's known flaw: every one-time buyer is certainly alive. MBG/NBD does not have it.
    assert bg.probability_alive([0], [0], [38])[0] == 1.0
    mbg = ModifiedBetaGeoModel().fit(x, tx, T, weights=n)
    assert mbg.probability_alive([0], [0], [38])[0] < 1.0
    # Cohort forecast for the 39-week holdout: 1,653 purchase days with these parameters; the raw file has
    # 1,882 in weeks 40-78 (the BG/NBD under-forecast of CDNOW's holdout is known; checked in the benchmark).
    total = float((bg.expected_purchases(39, x, tx, T) * n).sum())
    assert total == pytest.approx(1653.4, rel=0.005)


def test_unfittable_and_unfitted():
    with pytest.raises(ModelError, match="only once"):
        BetaGeoModel().fit([0, 0, 0], [0, 0, 0], [10, 20, 30])
    with pytest.raises(ModelError, match="inconsistent"):
        BetaGeoModel().fit([1], [5], [3])
    with pytest.raises(ModelError, match="fewer than 2"):
        GammaGammaModel().fit([1], [20.0])
    with pytest.raises(ModelError, match="only once"):
        ParetoNBDModel().fit([0, 0], [0, 0], [10, 20])
    with pytest.raises(NotFittedError):
        ParetoNBDModel().probability_alive([1], [1], [2])
    with pytest.raises(NotFittedError):
        ModifiedBetaGeoModel().expected_purchases(10, [1], [1], [2])
