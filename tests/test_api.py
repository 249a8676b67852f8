"""The Python API as the README shows it: the frames one function returns are accepted by the next."""

from __future__ import annotations

import pandas as pd

import fankui
from tests.conftest import DEMO


def test_readme_chain_load_analyze_customers():
    tickets = fankui.load_tickets(DEMO / "tickets.csv")
    labelled = fankui.analyze(tickets)
    assert len(labelled) + len(labelled.attrs["rejects"]) == len(tickets) + len(tickets.attrs["rejects"])
    assert {"sentiment", "sentiment_reasons", "themes", "theme_sentiment"} <= set(labelled.columns)
    orders = fankui.load_orders(DEMO / "orders.csv")
    customers = fankui.build_customers(orders, labelled, as_of="2026-11-01")
    # Every customer with orders or tickets has exactly one row.
    expected = set(orders["customer_id"]) | set(labelled["customer_id"].replace("", pd.NA).dropna())
    assert set(customers["customer_id"]) == expected
    assert customers["customer_id"].is_unique


def test_analyze_keeps_the_rejects_load_tickets_found(tickets_frame):
    tickets = fankui.load_tickets(tickets_frame)
    assert len(tickets.attrs["rejects"]) == 2  # blank text, unparseable date
    labelled = fankui.analyze(tickets)
    assert len(labelled) == len(tickets)
    assert sorted(labelled.attrs["rejects"]["reason"].str[:5]) == sorted(tickets.attrs["rejects"]["reason"].str[:5])


def test_classifier_fits_on_one_example_per_class():
    # Too few examples for cross-validation: it must still fit (fixed C) instead of failing inside the search.
    clf = fankui.SentimentClassifier().fit(["物流很快", "质量太差", "请问几点发货"], ["正面", "负面", "中性"])
    proba = clf.predict_proba(["物流很快", "质量太差"])
    assert proba.shape == (2, 3)
    assert clf.predict(["质量太差"])[0] == "negative"
