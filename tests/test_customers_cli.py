"""`fankui customers` end to end: bad input (exit code + message), SQLite intake on a real database file,
and `fankui demo` writing customers.csv with every customer accounted for."""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest

from tests.conftest import DEMO, invoke

HEADER = "订单号,客户ID,下单时间,实付金额,是否退款\n"
GOOD = [
    "o1,A,2026-01-01 10:00,100,否", "o2,A,2026-02-01 10:00,80,否", "o3,A,2026-02-20 10:00,90,否",
    "o4,B,2026-01-15 10:00,300,否", "o5,B,2026-02-10 10:00,50,是", "o6,C,2026-01-05 10:00,20,否",
    "o7,C,2026-02-25 10:00,25,否", "o8,D,2026-01-20 10:00,60,否",
]


def _orders(tmp_path, extra=(), lines=GOOD, name="orders.csv"):
    p = tmp_path / name
    p.write_text(HEADER + "\n".join([*lines, *extra]) + "\n", encoding="utf-8")
    return p


def _run(runner, tmp_path, orders, *args):
    out = tmp_path / "customers.csv"
    result = invoke(runner, "customers", "--orders", orders, "-o", out, *args)
    return result, out


def _rejects(out):
    return pd.read_csv(out.with_name("customers.rejects.csv"), encoding="utf-8-sig", dtype=str)


def test_customers_happy_path(runner, tmp_path):
    result, out = _run(runner, tmp_path, _orders(tmp_path), "--as-of", "2026-03-01")
    assert result.exit_code == 0, result.output
    df = pd.read_csv(out, encoding="utf-8-sig", dtype={"customer_id": str})
    assert df["customer_id"].tolist() == ["A", "B", "C", "D"]
    for col in ("recency_days", "frequency", "monetary", "rfm_segment", "lifecycle", "satisfaction", "churn_probability",
                "churn_risk", "churn_reasons", "n_tickets", "n_negative", "top_themes", "expected_purchases",
                "expected_value"):
        assert col in df.columns
    assert df.set_index("customer_id").loc["B", "monetary"] == 300.0  # the refunded order adds no money
    assert "as of 2026-03-01: 4 customers" in result.output
    assert not (tmp_path / "customers.rejects.csv").exists()


@pytest.mark.parametrize("line, reason", [
    ("o9,E,next tuesday,10,否", "unparseable ordered_at 'next tuesday'"),
    ("o9,,2026-01-03,10,否", "missing customer_id"),
    ("o9,E,2026-01-03,ten yuan,否", "non-numeric amount 'ten yuan'"),
    ("o9,E,2026-01-03,12,maybe", "unrecognised refunded value 'maybe'"),
])
def test_bad_order_rows_go_to_rejects(runner, tmp_path, line, reason):
    result, out = _run(runner, tmp_path, _orders(tmp_path, [line]), "--as-of", "2026-03-01")
    assert result.exit_code == 0, result.output
    rej = _rejects(out)
    assert rej["row"].tolist() == ["10"]  # header = row 1, so the 9th order is row 10
    assert rej["reason"].iloc[0].startswith(reason)
    assert "rejected 1" in result.output
    assert len(pd.read_csv(out, encoding="utf-8-sig")) == 4


def test_duplicate_order_ids_and_refund_rows(runner, tmp_path):
    extra = ["o1,A,2026-01-01 10:00,100,否",   # exact duplicate of row 2
             "o4,B,2026-01-16 10:00,999,否",   # same id, different content
             "o7,C,2026-02-26 10:00,-25,否"]   # refund row for o7: not a duplicate, subtracts
    result, out = _run(runner, tmp_path, _orders(tmp_path, extra), "--as-of", "2026-03-01")
    assert result.exit_code == 0, result.output
    assert "2 duplicate order ids" in result.output
    rej = _rejects(out)
    assert rej["reason"].tolist() == ["duplicate order_id 'o1' (same as row 2)",
                                      "duplicate order_id 'o4' with different values (row 5 kept)"]
    df = pd.read_csv(out, encoding="utf-8-sig").set_index("customer_id")
    assert df.loc["C", "monetary"] == 20.0 and df.loc["C", "n_refunds"] == 1 and df.loc["C", "frequency"] == 2


def test_as_of_before_all_orders(runner, tmp_path):
    result, out = _run(runner, tmp_path, _orders(tmp_path), "--as-of", "2025-06-01")
    assert result.exit_code == 2
    assert "--as-of 2025-06-01 is on or before the first order (2026-01-01)" in result.output
    assert "orders run 2026-01-01 .. 2026-02-25" in result.output
    assert not out.exists()


def test_bad_as_of_and_options(runner, tmp_path):
    orders = _orders(tmp_path)
    result, _ = _run(runner, tmp_path, orders, "--as-of", "someday")
    assert result.exit_code == 2 and "--as-of 'someday' is not a date" in result.output
    result, _ = _run(runner, tmp_path, orders, "--risk-thresholds", "high")
    assert result.exit_code == 2 and "--risk-thresholds" in result.output
    result, _ = _run(runner, tmp_path, orders, "--orders-query", "select 1")
    assert result.exit_code == 2 and "--orders-query is only for databases" in result.output


def test_orders_after_as_of_are_listed_not_lost(runner, tmp_path):
    result, out = _run(runner, tmp_path, _orders(tmp_path), "--as-of", "2026-02-15")
    assert result.exit_code == 0, result.output
    rej = _rejects(out)
    assert len(rej) == 2 and rej["reason"].str.contains("on or after --as-of 2026-02-15").all()
    assert "2 on or after --as-of not counted" in result.output


def test_missing_amount_column_names_the_option(runner, tmp_path):
    p = tmp_path / "o.csv"
    p.write_text("客户ID,下单时间,备注\nA,2026-01-01,x\n", encoding="utf-8")
    result, _ = _run(runner, tmp_path, p)
    assert result.exit_code == 2
    assert "no column looks like 'amount'" in result.output and "--amount-column" in result.output


def test_single_customer_falls_back_to_rules(runner, tmp_path):
    result, out = _run(runner, tmp_path, _orders(tmp_path, lines=GOOD[:3]))
    assert result.exit_code == 0, result.output
    assert "Warning: purchase model not fitted" in result.output and "RFM rules" in result.output
    df = pd.read_csv(out, encoding="utf-8-sig")
    assert len(df) == 1 and df["churn_method"].iloc[0] == "rfm_rules"


def test_all_one_time_buyers_fall_back_to_rules(runner, tmp_path):
    lines = ["o1,A,2026-01-01,10,否", "o2,B,2026-01-20,20,否", "o3,C,2026-02-10,30,否"]
    result, out = _run(runner, tmp_path, _orders(tmp_path, lines=lines), "-q")
    assert result.exit_code == 0, result.output
    assert "every customer bought only once" in result.output and "RFM rules" in result.output
    df = pd.read_csv(out, encoding="utf-8-sig")
    assert (df["churn_method"] == "rfm_rules").all() and df["churn_probability"].notna().all()


def test_tickets_join_prospects_and_unknown_customers(runner, tmp_path):
    labelled = tmp_path / "labelled.csv"
    pd.DataFrame({
        "ticket_id": ["T1", "T2", "T3", "T4"], "customer_id": ["A", "P", "P", ""],
        "created_at": ["2026-02-01 10:00:00", "2026-02-02 10:00:00", "2026-02-03 10:00:00", "2026-02-03 11:00:00"],
        "text": ["快递太慢", "请问有货吗", "什么时候发货", "无名"], "sentiment": ["negative", "neutral", "neutral", "negative"],
        "p_positive": [0.1, 0.2, 0.2, 0.1], "p_neutral": [0.1, 0.7, 0.7, 0.1], "p_negative": [0.8, 0.1, 0.1, 0.8],
    }).to_csv(labelled, index=False, encoding="utf-8-sig")
    result, out = _run(runner, tmp_path, _orders(tmp_path), "--tickets", labelled, "--as-of", "2026-03-01")
    assert result.exit_code == 0, result.output
    df = pd.read_csv(out, encoding="utf-8-sig", keep_default_na=False).set_index("customer_id")
    # B, C, D have orders but no tickets; P has tickets but no orders (prospect); nobody is lost.
    assert sorted(df.index) == ["A", "B", "C", "D", "P"]
    assert df.loc["P", "lifecycle"] == "潜在客户" and df.loc["P", "n_tickets"] == 2
    assert df.loc["A", "n_negative"] == 1 and df.loc["A", "satisfaction"] == "不满意"
    assert df.loc["B", "satisfaction"] == "无反馈"
    assert "1 tickets have no customer id" in result.output


def _sqlite(path):
    con = sqlite3.connect(path)
    con.execute("create table orders (order_no text, customer text, order_time timestamp, amount real, refunded int)")
    con.execute("create table customers_meta (id text)")
    rows = [(f"o{i}", c, d, a, r) for i, (c, d, a, r) in enumerate([
        ("A", "2026-01-01 10:00:00", 100.0, 0), ("A", "2026-02-01 09:00:00", 80.5, 0), ("B", "2026-01-15 08:00:00", 300.0, 1),
        ("B", "2026-02-11 08:00:00", 40.0, 0), ("C", "2026-01-05 12:00:00", 20.0, 0), ("C", None, 25.0, 0)])]
    con.executemany("insert into orders values (?, ?, ?, ?, ?)", rows)
    con.commit()
    con.close()


def test_sqlite_file_and_url(runner, tmp_path):
    db = tmp_path / "shop.db"
    _sqlite(db)
    query = "select order_no as order_id, customer as customer_id, order_time as ordered_at, amount, refunded from orders"
    result, out = _run(runner, tmp_path, db, "--orders-query", query, "--as-of", "2026-03-01")
    assert result.exit_code == 0, result.output
    df = pd.read_csv(out, encoding="utf-8-sig").set_index("customer_id")
    assert sorted(df.index) == ["A", "B", "C"]
    assert df.loc["A", "monetary"] == 180.5 and df.loc["B", "monetary"] == 40.0 and df.loc["B", "n_refunds"] == 1
    rej = _rejects(out)
    assert rej["row"].tolist() == ["6"] and rej["reason"].iloc[0] == "missing ordered_at"  # SQL rows count from 1
    # The same through a SQLAlchemy URL, and with a bare table name (aliases map its columns).
    result, out2 = _run(runner, tmp_path, f"sqlite:///{db}", "--orders-query", "orders", "--as-of", "2026-03-01",
                        "--order-customer-column", "customer", "--order-date-column", "order_time")
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out2, encoding="utf-8-sig")["monetary"].sum() == df["monetary"].sum()


def test_sqlite_errors(runner, tmp_path):
    db = tmp_path / "shop.db"
    _sqlite(db)
    result, _ = _run(runner, tmp_path, db)
    assert result.exit_code == 2 and "the database has 2 tables (customers_meta, orders)" in result.output
    assert "--orders-query" in result.output
    result, _ = _run(runner, tmp_path, db, "--orders-query", "select * from nope")
    assert result.exit_code == 2 and "the orders query failed: no such table: nope" in result.output
    result, _ = _run(runner, tmp_path, tmp_path / "missing.db", "--orders-query", "orders")
    assert result.exit_code == 2 and "SQLite file not found" in result.output
    result, _ = _run(runner, tmp_path, "sqlite:///" + str(tmp_path / "missing.db"), "--orders-query", "orders")
    assert result.exit_code == 2 and "SQLite file not found" in result.output
    assert not (tmp_path / "missing.db").exists()  # sqlite must not have created an empty database


def test_customers_help_has_example(runner):
    result = invoke(runner, "customers", "--help")
    assert result.exit_code == 0 and "Example:" in result.output


def test_demo_writes_customers_for_everybody(runner, tmp_path):
    out = tmp_path / "out"
    result = invoke(runner, "demo", "--out", out, "-q")
    assert result.exit_code == 0, result.output
    customers = pd.read_csv(out / "customers.csv", encoding="utf-8-sig", keep_default_na=False)
    orders = pd.read_csv(DEMO / "orders.csv", encoding="utf-8-sig", dtype=str)
    labelled = pd.read_csv(out / "tickets_labelled.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    everyone = set(orders["客户ID"]) | (set(labelled["customer_id"]) - {""})
    assert set(customers["customer_id"]) == everyone and customers["customer_id"].is_unique
    assert not (out / "customers.rejects.csv").exists()  # the demo orders are clean
    prospects = customers[customers["lifecycle"] == "潜在客户"]
    assert len(prospects) == 15 and (prospects["n_orders"] == 0).all()  # the README's 15 prospects
    buyers = customers[customers["frequency"] > 0]
    assert (buyers["churn_method"] == "model").all()
    assert buyers["churn_probability"].astype(float).between(0, 1).all()
    assert set(customers["satisfaction"]) <= {"高度满意", "中度满意", "不满意", "无反馈"}
