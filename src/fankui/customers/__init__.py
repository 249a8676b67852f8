"""Customers: purchase history joined with feedback — RFM segments, lifecycle, satisfaction and churn risk.

    >>> from fankui.customers import load_orders, build_customers
    >>> orders = load_orders("corpora/demo/orders.csv")                       # doctest: +SKIP
    >>> customers = build_customers(orders, tickets=labelled, as_of="2026-11-01")  # doctest: +SKIP

Modules by job: ``orders`` (intake from files or SQL), ``rfm``, ``lifecycle``, ``satisfaction``, ``churn``,
``purchase_models`` (BG/NBD, MBG/NBD, Pareto/NBD, Gamma-Gamma by maximum likelihood) and ``build`` (the one-row-per-
customer table). Names are resolved lazily so ``import fankui.customers.purchase_models`` stays cheap.
"""

from __future__ import annotations

from .._lazy import lazy_exports

_EXPORTS = {
    "load_orders": "fankui.customers.orders",
    "prepare_orders": "fankui.customers.orders",
    "ORDER_ALIASES": "fankui.customers.orders",
    "OrderColumns": "fankui.customers.orders",
    "rfm_table": "fankui.customers.rfm",
    "rfm_segments": "fankui.customers.rfm",
    "SEGMENTS": "fankui.customers.rfm",
    "lifecycle_stage": "fankui.customers.lifecycle",
    "LifecycleRules": "fankui.customers.lifecycle",
    "satisfaction_table": "fankui.customers.satisfaction",
    "ChurnModel": "fankui.customers.churn",
    "BetaGeoModel": "fankui.customers.purchase_models",
    "ModifiedBetaGeoModel": "fankui.customers.purchase_models",
    "ParetoNBDModel": "fankui.customers.purchase_models",
    "GammaGammaModel": "fankui.customers.purchase_models",
    "build_customers": "fankui.customers.build",
    "resolve_as_of": "fankui.customers.build",
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
