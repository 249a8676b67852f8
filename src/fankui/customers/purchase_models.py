"""Buy-till-you-die purchase models fitted by maximum likelihood with numpy/scipy.

* :class:`BetaGeoModel` — BG/NBD (Fader, Hardie & Lee 2005): purchases at rate λ ~ Gamma(r, α); after each
  repeat purchase the customer drops out with probability p ~ Beta(a, b).
* :class:`ModifiedBetaGeoModel` — MBG/NBD (Batislam et al. 2007): as BG/NBD, but a customer may also drop out
  right after the first purchase, so one-time buyers are not all "alive" (BG/NBD gives them P(alive) = 1, which
  ranks churners worse than chance on CDNOW).
* :class:`ParetoNBDModel` — Pareto/NBD (Schmittlein, Morrison & Colombo 1987): purchases at rate λ ~ Gamma(r, α)
  while alive; the lifetime is exponential with rate μ ~ Gamma(s, β), so a customer can drop out at any time,
  not only right after a purchase (likelihood with the 2F1 terms from Fader & Hardie's 2005 note).
* :class:`GammaGammaModel` — spend per transaction (Fader, Hardie & Lee 2005b): average order value of repeat
  purchases ~ Gamma(p, ν) with ν ~ Gamma(q, γ).

Inputs are the lifetimes-style summary: ``frequency`` = number of *repeat* purchase periods (distinct days - 1),
``recency`` = time from first to last purchase, ``T`` = time from first purchase to the reference date, all in
the same unit (we use weeks for the published CDNOW figures and days elsewhere). ``weights`` lets a table of
identical customers be given once with a count.

We implement these ourselves because ``lifetimes`` is unmaintained and breaks on pandas 3, ``btyd`` does not import
on Python 3.11 + numpy 2, and ``pymc-marketing`` is ~460 MB; the published CDNOW parameters are pinned in tests.

>>> m = BetaGeoModel().fit([2, 1, 0, 0], [30.4, 1.7, 0, 0], [38.9, 38.9, 38.9, 38.9])  # doctest: +SKIP
>>> m.expected_purchases(39, [2], [30.4], [38.9])  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

from ..errors import ModelError, NotFittedError

__all__ = ["BetaGeoModel", "ModifiedBetaGeoModel", "ParetoNBDModel", "GammaGammaModel", "FitResult"]


@dataclass
class FitResult:
    """Outcome of a maximum-likelihood fit: parameters, total log-likelihood, iterations, convergence."""

    params: dict[str, float]
    log_likelihood: float
    n_iter: int
    converged: bool


def _arrays(*cols, weights=None):
    arrs = [np.asarray(c, dtype=float).ravel() for c in cols]
    n = arrs[0].size
    if any(a.size != n for a in arrs):
        raise ModelError("frequency, recency and T must have the same length.")
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float).ravel()
    return (*arrs, w)


def _compress(w, *cols):
    """Merge identical customers into one row with the summed weight (exact; large bases repeat a lot).

    At 1,000,000 customers with day-resolution histories this shrinks the table several-fold, and every
    likelihood evaluation of the optimiser gets that much cheaper.
    """
    key = np.column_stack(cols)
    uniq, inv = np.unique(key, axis=0, return_inverse=True)
    if len(uniq) == len(key):
        return (*cols, w)
    wsum = np.bincount(inv.ravel(), weights=w, minlength=len(uniq))
    return (*(uniq[:, i] for i in range(uniq.shape[1])), wsum)


def _minimise(negll, x0: np.ndarray, negll_start=None) -> optimize.OptimizeResult:
    """Nelder-Mead in log-parameter space, polished by L-BFGS-B (robust start, precise finish).

    ``negll_start``: the same objective on a random subsample of a large base; Nelder-Mead's many evaluations
    run on it and only the L-BFGS-B polish touches every customer (1M customers: seconds instead of minutes).
    """
    res = optimize.minimize(negll_start or negll, x0, method="Nelder-Mead",
                            options={"maxiter": 4000, "xatol": 1e-7, "fatol": 1e-9})
    start_fun = negll(res.x) if negll_start is not None else res.fun
    res2 = optimize.minimize(negll, res.x, method="L-BFGS-B", options={"maxiter": 2000, "gtol": 1e-8})
    if np.isfinite(res2.fun) and res2.fun <= start_fun:
        best = res2
    else:
        best = res
        best.fun = start_fun
    best.nit = getattr(res, "nit", 0) + getattr(res2, "nit", 0)
    return best


# Above this many distinct customer rows, Nelder-Mead starts on a subsample of this size.
_START_SAMPLE = 20_000


def _subsample(n: int, *arrays):
    """A fixed-seed random subset of rows (the fit stays deterministic)."""
    idx = np.random.default_rng(0).choice(n, _START_SAMPLE, replace=False)
    return tuple(a[idx] for a in arrays)


def _summary(frequency, recency, T, weights):
    """Checked (x, t_x, T, w) of a repeat-purchase model, and the same with identical customers merged."""
    x, tx, T, w = _arrays(frequency, recency, T, weights=weights)
    if x.size == 0 or w.sum() <= 0:
        raise ModelError("no customers to fit the purchase model on.")
    if np.any(x < 0) or np.any(tx < 0) or np.any(T < tx - 1e-9):
        raise ModelError("purchase summary is inconsistent: need frequency >= 0 and 0 <= recency <= T.")
    if not np.any((x > 0) & (w > 0)):
        raise ModelError("every customer bought only once: a repeat-purchase model cannot be fitted.",
                         "Churn falls back to RFM rules.")
    return (x, tx, T, w), _compress(w, x, tx, T)


def _start_objective(objective, full, n_distinct):
    """The objective on a fixed-seed subsample when the base is large (see :func:`_minimise`), else None."""
    if n_distinct <= _START_SAMPLE or len(full[0]) <= _START_SAMPLE:
        return None
    sx, stx, sT, sw = _subsample(len(full[0]), *full)
    return objective(*_compress(sw, sx, stx, sT)) if np.any(sx > 0) else None


class _BetaGeoBase:
    """Shared machinery of BG/NBD and MBG/NBD; subclasses define the likelihood and P(alive)."""

    _names = ("r", "alpha", "a", "b")

    def __init__(self, penalizer: float = 0.0):
        self.penalizer = penalizer

    # --- fitting -----------------------------------------------------------------------------------------
    def fit(self, frequency, recency, T, weights=None) -> "_BetaGeoBase":
        """Fit r, α, a, b by maximum likelihood; returns ``self`` (``params_``, ``log_likelihood_``)."""
        full, (x, tx, T, w) = _summary(frequency, recency, T, weights)
        scale = max(T.max(), 1e-9) / 10.0  # work on a unit where T ~ 10: the optimiser is scale-sensitive

        def objective(x, tx, T, w):
            # x, t_x and T take few distinct values (whole days, ≤ a few hundred repeat counts): the special
            # functions are evaluated once per distinct value and gathered, ~5x faster on a large base.
            ux, ix = np.unique(x, return_inverse=True)
            utx, itx = np.unique(tx / scale, return_inverse=True)
            uT, iT = np.unique(T / scale, return_inverse=True)
            wn = w / w.sum()

            def negll(logp):
                p = np.exp(logp)
                r, alpha = p[0], p[1]
                a1, a2, a3 = self._terms(p, ux)
                rx = (r + ux)[ix]
                ll = a1[ix] + np.logaddexp(a2[ix] - rx * np.log(alpha + uT)[iT], a3[ix] - rx * np.log(alpha + utx)[itx])
                val = -(wn * ll).sum() + self.penalizer * (p ** 2).sum()
                return val if np.isfinite(val) else 1e100
            return negll

        res = _minimise(objective(x, tx, T, w), np.zeros(4), _start_objective(objective, full, len(x)))
        p = np.exp(res.x)
        p[1] *= scale  # α has the unit of time; r, a, b are unitless
        self.params_ = dict(zip(self._names, (float(v) for v in p)))
        ll = float((w * self._loglik(p, x, tx, T)).sum())
        self.log_likelihood_ = ll
        self.fit_result_ = FitResult(self.params_, ll, int(res.nit), bool(np.isfinite(ll)))
        return self

    @classmethod
    def _loglik(cls, p, x, tx, T):
        """Per-customer log-likelihood (in the time unit of tx and T)."""
        r, alpha = p[0], p[1]
        a1, a2, a3 = cls._terms(p, x)
        return a1 + np.logaddexp(a2 - (r + x) * np.log(alpha + T), a3 - (r + x) * np.log(alpha + tx))

    def _p(self) -> tuple[float, float, float, float]:
        if not hasattr(self, "params_"):
            raise NotFittedError(f"{type(self).__name__} is not fitted yet; call fit() first.")
        return tuple(self.params_[k] for k in self._names)

    # --- predictions -------------------------------------------------------------------------------------
    def expected_purchases(self, t, frequency, recency, T) -> np.ndarray:
        """Expected number of purchases in the next ``t`` time units, given each customer's history."""
        r, alpha, a, b = self._p()
        x, tx, T, _ = _arrays(frequency, recency, T)
        return self._conditional_expected(t, r, alpha, a, b, x, tx, T)

    def probability_alive(self, frequency, recency, T) -> np.ndarray:
        """P(the customer has not dropped out) at the reference date."""
        x, tx, T, _ = _arrays(frequency, recency, T)
        return 1.0 / (1.0 + self._odds_dead(self._p(), x, tx, T))

    def probability_no_purchase(self, t, frequency, recency, T) -> np.ndarray:
        """P(no purchase at all in the next ``t`` time units): dropped out, or alive and silent.

        Drop-out only happens at a purchase in these models, so a customer alive now who does not buy stays
        alive; hence P0 = (1 - P(alive)) + P(alive) · E[e^{-λt}] with λ | history ~ Gamma(r + x, α + T).
        """
        r, alpha, a, b = self._p()
        x, tx, T, _ = _arrays(frequency, recency, T)
        pa = 1.0 / (1.0 + self._odds_dead((r, alpha, a, b), x, tx, T))
        silent = np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + T + t)))
        return (1.0 - pa) + pa * silent


class BetaGeoModel(_BetaGeoBase):
    """BG/NBD purchase model (Fader, Hardie & Lee 2005).

    >>> m = BetaGeoModel().fit(freq, rec, T)  # doctest: +SKIP
    >>> m.params_  # doctest: +SKIP
    {'r': 0.2426, 'alpha': 4.4136, 'a': 0.7929, 'b': 2.4259}
    """

    @staticmethod
    def _terms(p, x):
        """Log-likelihood pieces that depend on x only: ll = a1 + logaddexp(a2 - (r+x)log(α+T), a3 - (r+x)log(α+t_x))."""
        r, alpha, a, b = p
        a1 = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
        a2 = special.betaln(a, b + x) - special.betaln(a, b)
        rep = x > 0
        a3 = np.full_like(x, -np.inf, dtype=float)
        a3[rep] = special.betaln(a + 1, b + x[rep] - 1) - special.betaln(a, b)  # no drop-out term without a repeat
        return a1, a2, a3

    @staticmethod
    def _odds_dead(p, x, tx, T):
        r, alpha, a, b = p
        out = np.zeros_like(x)
        rep = x > 0
        out[rep] = a / (b + x[rep] - 1) * np.exp((r + x[rep]) * (np.log(alpha + T[rep]) - np.log(alpha + tx[rep])))
        return out

    @staticmethod
    def _conditional_expected(t, r, alpha, a, b, x, tx, T):
        z = t / (alpha + T + t)
        hyp = special.hyp2f1(r + x, b + x, a + b + x - 1, z)
        num = (a + b + x - 1) / (a - 1) * (1 - np.exp((r + x) * np.log((alpha + T) / (alpha + T + t))) * hyp)
        den = 1.0 + BetaGeoModel._odds_dead((r, alpha, a, b), x, tx, T)
        return num / den


class ModifiedBetaGeoModel(_BetaGeoBase):
    """MBG/NBD purchase model (Batislam, Denizel & Filiztekin 2007): one-time buyers may be gone.

    >>> m = ModifiedBetaGeoModel().fit(freq, rec, T)  # doctest: +SKIP
    >>> m.probability_no_purchase(90, [0], [0], [120])  # doctest: +SKIP
    """

    @staticmethod
    def _terms(p, x):
        r, alpha, a, b = p
        a1 = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
        a2 = special.betaln(a, b + x + 1) - special.betaln(a, b)
        a3 = special.betaln(a + 1, b + x) - special.betaln(a, b)  # may drop out right after the first purchase
        return a1, a2, a3

    @staticmethod
    def _odds_dead(p, x, tx, T):
        r, alpha, a, b = p
        return a / (b + x) * np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + tx)))

    @staticmethod
    def _conditional_expected(t, r, alpha, a, b, x, tx, T):
        z = t / (alpha + T + t)
        hyp = special.hyp2f1(r + x, b + x + 1, a + b + x, z)
        num = (a + b + x) / (a - 1) * (1 - np.exp((r + x) * np.log((alpha + T) / (alpha + T + t))) * hyp)
        den = 1.0 + ModifiedBetaGeoModel._odds_dead((r, alpha, a, b), x, tx, T)
        return num / den


class ParetoNBDModel:
    """Pareto/NBD purchase model (Schmittlein, Morrison & Colombo 1987) fitted by maximum likelihood.

    Parameters r, α (purchase rate λ ~ Gamma(r, α)) and s, β (drop-out rate μ ~ Gamma(s, β)); α and β carry
    the time unit. The likelihood and P(alive) follow Fader & Hardie, "A Note on Deriving the Pareto/NBD Model
    and Related Expressions" (2005), eq. (22)/(11); expected purchases follow Schmittlein et al. (1987).

    >>> m = ParetoNBDModel().fit(freq, rec, T)  # doctest: +SKIP
    >>> m.params_  # CDNOW, weeks  # doctest: +SKIP
    {'r': 0.5534, 'alpha': 10.5802, 's': 0.6061, 'beta': 11.6636}
    """

    _names = ("r", "alpha", "s", "beta")

    def __init__(self, penalizer: float = 0.0):
        self.penalizer = penalizer

    @staticmethod
    def _log_a0(p, x, tx, T):
        """log A0 of the note's eq. (19)/(20); −inf when t_x = T (the customer bought on the last day)."""
        r, alpha, s, beta = p
        rsx = r + s + x
        if alpha >= beta:
            b2, base, d = s + 1.0, alpha, alpha - beta
        else:
            b2, base, d = r + x, beta, beta - alpha

        def log_f(u):
            # 2F1(a, b; a + 1; z) with 0 <= z < 1 is finite and positive for these (positive) parameters.
            return np.log(special.hyp2f1(rsx, b2, rsx + 1.0, d / (base + u))) - rsx * np.log(base + u)

        l1, l2 = log_f(tx), log_f(T)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = l1 + np.log(-np.expm1(l2 - l1))
        return np.where(l2 < l1, out, -np.inf)

    @classmethod
    def _loglik(cls, p, x, tx, T):
        """Per-customer log-likelihood (in the time unit of tx and T)."""
        r, alpha, s, beta = p
        head = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) + s * np.log(beta)
        t1 = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
        t2 = np.log(s) - np.log(r + s + x) + cls._log_a0(p, x, tx, T)
        return head + np.logaddexp(t1, t2)

    def fit(self, frequency, recency, T, weights=None) -> "ParetoNBDModel":
        """Fit r, α, s, β by maximum likelihood; returns ``self`` (``params_``, ``log_likelihood_``)."""
        full, (x, tx, T, w) = _summary(frequency, recency, T, weights)
        scale = max(T.max(), 1e-9) / 10.0  # α and β have the unit of time; optimise where T ~ 10

        def objective(x, tx, T, w):
            xs, txs, Ts, wn = x, tx / scale, T / scale, w / w.sum()

            def negll(logp):
                p = np.exp(logp)
                with np.errstate(all="ignore"):
                    val = -(wn * self._loglik(p, xs, txs, Ts)).sum() + self.penalizer * (p ** 2).sum()
                return val if np.isfinite(val) else 1e100
            return negll

        res = _minimise(objective(x, tx, T, w), np.zeros(4), _start_objective(objective, full, len(x)))
        p = np.exp(res.x)
        p[1] *= scale
        p[3] *= scale
        self.params_ = dict(zip(self._names, (float(v) for v in p)))
        ll = float((w * self._loglik(p, x, tx, T)).sum())
        self.log_likelihood_ = ll
        self.fit_result_ = FitResult(self.params_, ll, int(res.nit), bool(np.isfinite(ll)))
        return self

    def _p(self) -> tuple[float, float, float, float]:
        if not hasattr(self, "params_"):
            raise NotFittedError("ParetoNBDModel is not fitted yet; call fit() first.")
        return tuple(self.params_[k] for k in self._names)

    def probability_alive(self, frequency, recency, T) -> np.ndarray:
        """P(still alive at T) = 1 / (1 + s/(r+s+x) · (α+T)^(r+x) (β+T)^s · A0)."""
        p = self._p()
        r, alpha, s, beta = p
        x, tx, T, _ = _arrays(frequency, recency, T)
        log_odds = (np.log(s) - np.log(r + s + x) + (r + x) * np.log(alpha + T) + s * np.log(beta + T)
                    + self._log_a0(p, x, tx, T))
        return 1.0 / (1.0 + np.exp(np.minimum(log_odds, 700.0)))

    def expected_purchases(self, t, frequency, recency, T) -> np.ndarray:
        """Expected purchases in the next ``t`` time units (Schmittlein et al. 1987, eq. 22)."""
        r, alpha, s, beta = self._p()
        x, tx, T, _ = _arrays(frequency, recency, T)
        if abs(s - 1.0) < 1e-8:  # the limit s → 1
            life = np.log((beta + T + t) / (beta + T))
        else:
            life = (1.0 - np.exp((s - 1.0) * (np.log(beta + T) - np.log(beta + T + t)))) / (s - 1.0)
        return (r + x) * (beta + T) / (alpha + T) * life * self.probability_alive(x, tx, T)


class GammaGammaModel:
    """Gamma-Gamma model of the average order value of repeat buyers (p, q, v).

    Fit it on customers with ``frequency > 0`` and their mean repeat-purchase value; use
    :meth:`expected_average_value` for everybody (one-time buyers get the population mean).

    >>> gg = GammaGammaModel().fit([2, 1], [35.2, 11.8])  # doctest: +SKIP
    >>> gg.params_  # doctest: +SKIP
    {'p': 6.25, 'q': 3.744, 'v': 15.44}
    """

    _names = ("p", "q", "v")

    def __init__(self, penalizer: float = 0.0):
        self.penalizer = penalizer

    def fit(self, frequency, monetary_value, weights=None) -> "GammaGammaModel":
        x, m, w = _arrays(frequency, monetary_value, weights=weights)
        keep = (x > 0) & (m > 0) & (w > 0)
        if keep.sum() < 2:
            raise ModelError("fewer than 2 repeat buyers with a positive order value: cannot fit the spend model.")
        full = (x[keep], m[keep], w[keep])
        x, m, w = _compress(w[keep], x[keep], m[keep])
        scale = float(np.average(m, weights=w))  # ν has the unit of money

        def objective(x, m, w):
            ms = m / scale
            logm, logx, wn = np.log(ms), np.log(x), w / w.sum()
            ux, ix = np.unique(x, return_inverse=True)

            def negll(logp):
                p, q, v = np.exp(logp)
                px = p * ux
                per_x = special.gammaln(px + q) - special.gammaln(px) - special.gammaln(q) + q * np.log(v)
                ll = per_x[ix] + (p * x - 1) * logm + p * x * logx - (p * x + q) * np.log(x * ms + v)
                val = -(wn * ll).sum() + self.penalizer * (p ** 2 + q ** 2 + v ** 2)
                return val if np.isfinite(val) else 1e100
            return negll

        start = None
        if len(x) > _START_SAMPLE and len(full[0]) > _START_SAMPLE:
            sx, sm, sw = _subsample(len(full[0]), *full)
            cx, cm, cw = _compress(sw, sx, sm)
            start = objective(cx, cm, cw)
        res = _minimise(objective(x, m, w), np.log([1.0, 2.0, 1.0]), start)
        p, q, v = np.exp(res.x)
        v *= scale
        self.params_ = {"p": float(p), "q": float(q), "v": float(v)}
        ll = float((w * self._loglik((p, q, v), x, m)).sum())
        self.log_likelihood_ = ll
        self.fit_result_ = FitResult(self.params_, ll, int(res.nit), bool(np.isfinite(ll)))
        return self

    @staticmethod
    def _loglik(par, x, m):
        p, q, v = par
        return (special.gammaln(p * x + q) - special.gammaln(p * x) - special.gammaln(q) + q * np.log(v)
                + (p * x - 1) * np.log(m) + p * x * np.log(x) - (p * x + q) * np.log(x * m + v))

    def expected_average_value(self, frequency, monetary_value) -> np.ndarray:
        """E[average order value | history]; with frequency 0 it is the population mean p·v/(q-1)."""
        if not hasattr(self, "params_"):
            raise NotFittedError("GammaGammaModel is not fitted yet; call fit() first.")
        p, q, v = (self.params_[k] for k in self._names)
        x, m, _ = _arrays(frequency, monetary_value)
        m = np.where(x > 0, m, 0.0)
        if q <= 1:
            # Infinite population mean: fall back to the customer's own average (or 0 for one-time buyers).
            return m
        return (p * (v + x * m)) / (p * x + q - 1)
