"""``fankui customers``: one row per customer — RFM segment, lifecycle, satisfaction, churn risk."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from . import app
from ._common import echo, handle_errors


@app.command("customers")
@handle_errors
def customers_cmd(
    orders: str = typer.Option(..., "--orders", help="Purchase history: a file (.csv/.xlsx/.jsonl/.parquet), a SQLite file (.db/.sqlite) or a SQLAlchemy URL (sqlite:///shop.db)."),
    output: Path = typer.Option(..., "-o", "--output", help="Output file, one row per customer; the format follows the extension."),
    tickets: Optional[Path] = typer.Option(None, "--tickets", help="Analysed tickets (output of `fankui analyze`) for satisfaction and feedback signals."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Reference date YYYY-MM-DD; orders on or after it are not counted (default: the day after the last order)."),
    orders_query: Optional[str] = typer.Option(None, "--orders-query", help="SQL (or a table name) that returns the orders, with --orders pointing to a database."),
    horizon_days: int = typer.Option(90, "--horizon-days", min=1, help="Churn = no purchase within this many days after --as-of."),
    segment_split: str = typer.Option("mean", "--segment-split", help="R/F/M high or low against the base's mean or median."),
    risk_thresholds: str = typer.Option("0.4,0.7", "--risk-thresholds", help="Churn probability from which risk is medium,high."),
    encoding: Optional[str] = typer.Option(None, help="Orders file encoding (default: detected)."),
    sheet: Optional[str] = typer.Option(None, help="Excel sheet of the orders workbook."),
    customer_column: Optional[str] = typer.Option(None, "--order-customer-column", help="Customer id column of the orders (default: 客户ID/customer_id/...)."),
    date_column: Optional[str] = typer.Option(None, "--order-date-column", help="Order time column (default: 下单时间/order_date/...)."),
    amount_column: Optional[str] = typer.Option(None, "--amount-column", help="Amount column (default: 实付金额/订单金额/amount/...)."),
    id_column: Optional[str] = typer.Option(None, "--order-id-column", help="Order id column (default: 订单号/order_id/...)."),
    refund_column: Optional[str] = typer.Option(None, "--refund-column", help="Refunded flag column (default: 是否退款/refunded/...)."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="No summary."),
) -> None:
    """Customer table: RFM (8 segments with actions), lifecycle, satisfaction, churn probability and reasons.

    Rows of the orders that cannot be used (missing customer, unparseable date, non-numeric amount, duplicate
    order id, ordered on or after --as-of) go to OUTPUT's .rejects.csv with the row number and the reason.

    Example:  fankui customers --tickets out/labelled.csv --orders orders.csv --as-of 2026-11-01 -o customers.csv
    """
    from ..errors import InputError
    from ..io import write_table_with_rejects
    from ..customers.build import build_customers, read_analysed_tickets
    from ..customers.orders import load_orders

    if segment_split not in ("mean", "median"):
        raise typer.BadParameter("must be 'mean' or 'median'", param_hint="--segment-split")
    try:
        lo, hi = (float(v) for v in risk_thresholds.split(","))
    except ValueError:
        raise InputError(f"--risk-thresholds {risk_thresholds!r} is not two numbers.", "Use e.g. --risk-thresholds 0.4,0.7.") from None
    order_table = load_orders(orders, query=orders_query, encoding=encoding, sheet=sheet, customer_column=customer_column,
                              date_column=date_column, amount_column=amount_column, id_column=id_column,
                              refund_column=refund_column)
    labelled = read_analysed_tickets(tickets) if tickets is not None else None
    table = build_customers(order_table, labelled, as_of=as_of, horizon_days=horizon_days, segment_split=segment_split,
                            risk_thresholds=(lo, hi))
    rejects = table.attrs["rejects"]
    rej_path = write_table_with_rejects(table, rejects, output)
    rep = table.attrs["report"]
    echo(f"as of {table.attrs['as_of']}: {rep['customers']} customers ({rep['buyers']} with orders, "
         f"{rep['prospects']} prospects) → {output}", quiet)
    echo(f"orders: read {rep['read']}, used {rep['orders_used']}, rejected {rep['rejected']}"
         + (f" ({rep['duplicates']} duplicate order ids)" if rep["duplicates"] else "")
         + (f", {rep['orders_after_as_of']} on or after --as-of not counted" if rep["orders_after_as_of"] else ""), quiet)
    if rej_path is not None:
        echo(f"rejected rows with reasons: {rej_path}", quiet)
    echo("lifecycle: " + ", ".join(f"{k} {v}" for k, v in rep["lifecycle"].items()), quiet)
    risk = table["churn_risk"].value_counts()
    echo(f"churn risk ({table.attrs['churn_method']}, next {horizon_days} days): "
         + ", ".join(f"{k} {int(risk.get(k, 0))}" for k in ("high", "medium", "low")), quiet)
    for w in table.attrs["warnings"]:
        echo(f"Warning: {w}")  # shown even with --quiet: the numbers mean something else then
