"""Orders intake: purchase history from a file (CSV/TSV/xlsx/JSONL/Parquet) or a SQL database.

Canonical columns: ``customer_id``, ``ordered_at`` (datetime64), ``amount`` (float; negative = a refund
row), optional ``order_id`` and ``refunded`` (bool: the order was refunded/returned). Every input row ends up
in the returned frame or in ``df.attrs["rejects"]`` with its row number and a reason (missing customer,
unparseable date, non-numeric amount, duplicate order id).

    >>> orders = load_orders("corpora/demo/orders.csv")                                 # doctest: +SKIP
    >>> orders = load_orders("sqlite:///shop.db", query="select * from orders")          # doctest: +SKIP
    >>> orders = load_orders("shop.sqlite", query="orders")   # a bare table name works too  # doctest: +SKIP
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..io import MISSING_CELL_TEXTS, cell_strings, iter_table, open_source
from ..schema import TICKET_ALIASES, resolve_columns
from ..tickets import parse_datetimes

__all__ = ["ORDER_ALIASES", "ORDER_OPTIONS", "OrderColumns", "prepare_orders", "load_orders", "is_sql_source"]

ORDER_ALIASES: dict[str, list[str]] = {
    "order_id": ["order_id", "order", "order_no", "order_number", "orderid", "订单号", "订单编号", "订单id", "订单",
                 "单号", "交易号", "交易编号", "流水号"],
    "customer_id": TICKET_ALIASES["customer_id"] + ["buyer_id", "buyer", "下单人", "购买人", "买家"],
    "ordered_at": ["ordered_at", "order_date", "order_time", "purchase_date", "purchased_at", "paid_at",
                   "transaction_date", "下单时间", "订单时间", "购买时间", "付款时间", "支付时间", "成交时间",
                   "交易时间", "下单日期", "订单日期", "购买日期", "created_at", "date", "time", "datetime",
                   "创建时间", "日期", "时间"],
    "amount": ["amount", "order_amount", "total", "total_amount", "paid_amount", "payment", "revenue", "sales",
               "value", "price", "实付金额", "订单金额", "实收金额", "支付金额", "付款金额", "成交金额", "消费金额",
               "金额", "销售额", "应付金额"],
    "refunded": ["refunded", "refund", "is_refund", "returned", "is_returned", "return", "是否退款", "退款",
                 "退款状态", "是否退货", "退货", "退款标记"],
}

ORDER_OPTIONS = {
    "order_id": "--order-id-column",
    "customer_id": "--order-customer-column",
    "ordered_at": "--order-date-column",
    "amount": "--amount-column",
    "refunded": "--refund-column",
}

_TRUE = {"是", "1", "true", "t", "yes", "y", "已退款", "退款", "已退货", "退货", "refunded", "returned", "全额退款",
         "部分退款", "x", "√"}
_FALSE = {"否", "0", "false", "f", "no", "n", "", "未退款", "无", "正常", "none", "null", "nan", "-"}
_MONEY_JUNK = re.compile(r"[¥￥$,，\s]|元|cny|rmb", re.I)
_SQL_URL = re.compile(r"^[a-z][a-z0-9+]*://", re.I)
_SQLITE_SUFFIXES = {".db", ".sqlite", ".sqlite3", ".db3"}
_IDENT = re.compile(r"^[A-Za-z_\u4e00-\u9fff][\w\u4e00-\u9fff.]*$")


@dataclass
class OrderColumns:
    """Which input header is which canonical column; ``None`` means 'find it by alias'."""

    customer_id: str | None = None
    ordered_at: str | None = None
    amount: str | None = None
    order_id: str | None = None
    refunded: str | None = None

    def overrides(self) -> dict[str, str | None]:
        return dict(self.__dict__)


def _parse_amounts(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(amount, missing, bad)``: '¥1,250.00', '1250元', '（12.5）' and full-width digits are understood."""
    text = values.astype(str).map(lambda s: unicodedata.normalize("NFKC", s)).str.strip()
    missing = text.str.lower().isin(MISSING_CELL_TEXTS)
    cleaned = text.str.replace(_MONEY_JUNK, "", regex=True)
    paren = cleaned.str.match(r"^\(.*\)$")  # accounting notation for negatives: (12.50)
    cleaned = cleaned.where(~paren, "-" + cleaned.str.strip("()"))
    num = pd.to_numeric(cleaned.where(~missing), errors="coerce").to_numpy(dtype=float)
    bad = np.isnan(num) & ~missing.to_numpy() | np.isinf(num)
    return num, missing.to_numpy(), bad


def prepare_orders(chunk: pd.DataFrame, mapping: dict[str, str], *, first_row: int = 2) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rename mapped columns to canonical names, parse them, and split off rows that cannot be used.

    ``chunk``'s index is the 0-based record number; a record's row number is ``index + first_row`` (2 for
    files, whose header is row 1; 1 for SQL results). Returns ``(orders, rejects)``; rejects keep the
    original columns plus ``row`` and ``reason``.
    """
    rename = {actual: canonical for canonical, actual in mapping.items()}
    clashes = {c: f"{c}_original" for c in chunk.columns if c in ORDER_ALIASES and c not in rename}
    df = chunk.rename(columns={**clashes, **rename})
    n = len(df)
    row_no = chunk.index.to_numpy() + first_row
    reasons = np.full(n, "", dtype=object)

    cust, no_cust = cell_strings(df["customer_id"])
    no_cust = no_cust.to_numpy()
    reasons[no_cust] = "missing customer_id"

    raw_dates = df["ordered_at"]
    parsed, bad_date = parse_datetimes(raw_dates)
    bad_date = (bad_date.to_numpy() | parsed.isna().to_numpy()) & (reasons == "")
    for i in np.flatnonzero(bad_date):
        v = raw_dates.iloc[i]
        reasons[i] = "missing ordered_at" if str(v).strip() == "" else f"unparseable ordered_at {v!r}"

    amount, missing_amt, bad_amt = _parse_amounts(df["amount"])
    for i in np.flatnonzero((missing_amt | bad_amt) & (reasons == "")):
        reasons[i] = "missing amount" if missing_amt[i] else f"non-numeric amount {df['amount'].iloc[i]!r}"

    if "refunded" in df:
        flag = df["refunded"].astype(str).str.strip().str.lower()
        refunded = flag.isin(_TRUE).to_numpy()
        unknown = ~refunded & ~flag.isin(_FALSE).to_numpy() & (reasons == "")
        for i in np.flatnonzero(unknown):
            reasons[i] = f"unrecognised refunded value {df['refunded'].iloc[i]!r} (use 是/否, yes/no or 1/0)"
    else:
        refunded = np.zeros(n, dtype=bool)

    out = pd.DataFrame({
        "order_id": df["order_id"].astype(str).str.strip().to_numpy() if "order_id" in df else np.full(n, "", dtype=object),
        "customer_id": cust.to_numpy(),
        "ordered_at": parsed.to_numpy(),
        "amount": amount,
        "refunded": refunded,
        "row": row_no,
    }, index=df.index)
    bad_rows = reasons != ""
    good = out.loc[~bad_rows]
    rejects = chunk.loc[bad_rows].copy()
    rejects.insert(0, "reason", reasons[bad_rows])
    rejects.insert(0, "row", row_no[bad_rows])
    malformed = chunk.attrs.get("bad_lines") or []
    if malformed:
        extra = pd.DataFrame({"row": [r for r, _ in malformed], "reason": [f"malformed line: {m}" for _, m in malformed]})
        rejects = pd.concat([rejects, extra], ignore_index=True).fillna("")
    return good, rejects


def _mark_duplicates(orders: pd.DataFrame, rejects: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Keep the first row of each order id; later rows go to the rejects, saying whether they were identical.

    Refund rows (negative amounts) often repeat the id of the order they refund, so they are not duplicates.
    """
    ids = orders["order_id"]
    cand = ids.ne("") & (orders["amount"] >= 0)
    dup = cand & ids.where(cand).duplicated(keep=False)
    if not dup.any():
        return orders, rejects, 0
    sub = orders.loc[dup]
    first_idx = sub.groupby("order_id", sort=False).head(1)
    first = first_idx.set_index("order_id")
    later = sub.drop(index=first_idx.index)
    ref = first.loc[later["order_id"]]
    same = ((ref["customer_id"].to_numpy() == later["customer_id"].to_numpy())
            & (ref["ordered_at"].to_numpy() == later["ordered_at"].to_numpy())
            & np.isclose(ref["amount"].to_numpy(), later["amount"].to_numpy()))
    reasons = [
        f"duplicate order_id {oid!r} (same as row {r})" if s else
        f"duplicate order_id {oid!r} with different values (row {r} kept)"
        for oid, r, s in zip(later["order_id"], ref["row"], same)
    ]
    dup_rej = pd.DataFrame({"row": later["row"].to_numpy(), "reason": reasons,
                            "order_id": later["order_id"].to_numpy(), "customer_id": later["customer_id"].to_numpy(),
                            "ordered_at": later["ordered_at"].dt.strftime("%Y-%m-%d %H:%M:%S").to_numpy(),
                            "amount": later["amount"].to_numpy()})
    rejects = pd.concat([rejects, dup_rej], ignore_index=True) if len(rejects) else dup_rej
    return orders.drop(index=later.index), rejects, len(later)


def is_sql_source(source) -> bool:
    """A SQLAlchemy URL (``sqlite:///shop.db``, ``postgresql://...``) or a SQLite file path (.db/.sqlite)."""
    if not isinstance(source, (str, Path)):
        return False
    s = str(source)
    return bool(_SQL_URL.match(s)) or Path(s).suffix.lower() in _SQLITE_SUFFIXES


def _sql_chunks(source, query: str | None, chunksize: int):
    """Yield text-valued chunks of a SQL query result (via SQLAlchemy; SQLite needs no extra driver)."""
    try:
        import sqlalchemy as sa
    except ImportError:  # pragma: no cover - sqlalchemy is a declared dependency
        raise InputError("reading orders from SQL needs SQLAlchemy.", "pip install sqlalchemy") from None
    s = str(source)
    if not _SQL_URL.match(s):
        path = Path(s)
        if not path.is_file():
            raise InputError(f"SQLite file not found: {path}", "Check the path, or give a SQLAlchemy URL such as sqlite:///shop.db.")
        s = f"sqlite:///{path.resolve()}"
    elif s.startswith("sqlite:///") and s != "sqlite:///:memory:":
        path = Path(s[len("sqlite:///"):])
        if not path.is_file():  # sqlite would silently create an empty database
            raise InputError(f"SQLite file not found: {path}", "Check the path in the URL (sqlite:///relative/path.db or sqlite:////absolute/path.db).")
    try:
        engine = sa.create_engine(s)
    except Exception as exc:  # bad URL or missing driver
        raise InputError(f"cannot open the database {s!r}: {exc}", "Check the URL (e.g. sqlite:///shop.db, postgresql://user@host/db) and that its driver is installed.") from None
    with engine.connect() as conn:
        if not query:
            tables = sa.inspect(conn).get_table_names()
            if len(tables) != 1:
                raise InputError(
                    f"the database has {len(tables)} tables ({', '.join(tables) or 'none'}); which holds the orders?",
                    "Give --orders-query \"select ... from TABLE\" (or just the table name).",
                )
            query = tables[0]
        if _IDENT.match(query.strip()):
            query = f'SELECT * FROM "{query.strip()}"'
        try:
            result = conn.execution_options(stream_results=True).execute(sa.text(query))
        except Exception as exc:
            msg = str(getattr(exc, "orig", exc)).splitlines()[0]
            raise InputError(f"the orders query failed: {msg}", "Check --orders-query (table and column names).") from None
        cols = [str(c) for c in result.keys()]
        start = 0
        while True:
            rows = result.fetchmany(chunksize)
            if not rows and start:
                break
            df = pd.DataFrame.from_records(rows, columns=cols)
            text = pd.DataFrame(index=pd.RangeIndex(start, start + len(df)))
            for c in cols:
                v = df[c]
                if pd.api.types.is_datetime64_any_dtype(v):
                    t = v.dt.strftime("%Y-%m-%d %H:%M:%S").where(v.notna(), "")
                else:
                    t = v.astype(object).map(lambda x: "" if x is None or (isinstance(x, float) and np.isnan(x)) else str(x))
                text[c] = t.to_numpy()
            yield text
            start += len(df)
            if not rows:
                break
    engine.dispose()


def load_orders(
    source,
    *,
    query: str | None = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
    customer_column: str | None = None,
    date_column: str | None = None,
    amount_column: str | None = None,
    id_column: str | None = None,
    refund_column: str | None = None,
    chunksize: int = 200_000,
) -> pd.DataFrame:
    """Load purchase history with canonical columns; rejected rows are in ``df.attrs["rejects"]``.

    ``source`` is a DataFrame, a file path, a SQLAlchemy URL or a SQLite file (then ``query`` is the SQL or
    a table name). ``df.attrs["report"]`` counts rows read, rejected, duplicates, refunds.

    >>> load_orders(pd.DataFrame({"客户ID": ["C1"], "下单时间": ["2026-01-02"], "实付金额": ["¥99"]}))[["customer_id", "amount"]]
      customer_id  amount
    0          C1    99.0
    """
    cols = OrderColumns(customer_id=customer_column, ordered_at=date_column, amount=amount_column,
                        order_id=id_column, refunded=refund_column)
    first_row = 2
    if isinstance(source, pd.DataFrame):
        frame = source.reset_index(drop=True)
        frame = frame.astype(object).where(frame.notna().to_numpy(), "").astype(str)
        frame.columns = [str(c) for c in frame.columns]
        chunks = iter([frame])
        where = "the orders table"
    elif is_sql_source(source):
        chunks = _sql_chunks(source, query, chunksize)
        first_row = 1
        where = str(source)
    else:
        if query:
            raise InputError(f"--orders-query is only for databases, but {source} is a file.",
                             "Drop --orders-query, or give a SQLAlchemy URL / .db file as --orders.")
        src = open_source(source, encoding=encoding, sheet=sheet)
        chunks = iter_table(src, chunksize=chunksize)
        where = str(source)
    try:
        first = next(chunks)
    except StopIteration:
        raise InputError(f"{where} has no rows.", "Export the orders again.") from None
    mapping = resolve_columns(first.columns, ORDER_ALIASES, cols.overrides(),
                              required=["customer_id", "ordered_at", "amount"], options=ORDER_OPTIONS)
    goods, rejs = [], []
    read = 0
    for chunk in _chain(first, chunks):
        read += len(chunk) + len(chunk.attrs.get("bad_lines") or [])
        g, r = prepare_orders(chunk, mapping, first_row=first_row)
        goods.append(g)
        if len(r):
            rejs.append(r)
    orders = pd.concat(goods) if len(goods) > 1 else goods[0]
    rejects = pd.concat(rejs, ignore_index=True).fillna("") if rejs else pd.DataFrame(columns=["row", "reason"])
    orders, rejects, n_dup = _mark_duplicates(orders, rejects)
    rejects = rejects.sort_values("row", kind="stable").reset_index(drop=True)
    orders = orders.reset_index(drop=True)
    orders.attrs["rejects"] = rejects
    orders.attrs["report"] = {
        "read": read, "kept": len(orders), "rejected": len(rejects), "duplicates": n_dup,
        "refunded_orders": int(orders["refunded"].sum()), "refund_rows": int((orders["amount"] < 0).sum()),
        "mapping": mapping,
    }
    return orders


def _chain(first, rest):
    yield first
    yield from rest
