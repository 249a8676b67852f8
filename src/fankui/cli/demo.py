"""``fankui demo``: the whole job on the bundled demo corpus (what ``make demo`` runs)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..errors import InputError
from . import app
from ._common import echo, handle_errors, progress_bar

# The demo corpus lives in the repository's corpora/demo (it is test fixture and demo, not package data).
_REPO_DEMO = Path(__file__).resolve().parents[3] / "corpora" / "demo"


@app.command("demo")
@handle_errors
def demo_cmd(
    out: Path = typer.Option(Path("out"), "--out", help="Folder for the outputs."),
    corpus: Optional[Path] = typer.Option(None, help="Folder with tickets.csv and orders.csv (default: corpora/demo)."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="No progress bar or summary."),
) -> None:
    """Run the main job on the demo corpus: labelled tickets, customer segments and churn risk.

    Example:  fankui demo --out out
    """
    from ..pipeline import analyze_file

    folder = corpus or _REPO_DEMO
    tickets = folder / "tickets.csv"
    if not tickets.is_file():
        raise InputError(f"demo corpus not found: {tickets}", "Run from a clone of the repository, or pass --corpus FOLDER.")
    out.mkdir(parents=True, exist_ok=True)
    labelled = out / "tickets_labelled.csv"
    with progress_bar("tickets", quiet) as bar:
        result = analyze_file(tickets, labelled, progress=bar)
    echo(f"tickets: read {result.read}, written {result.written}, rejected {result.rejected} → {labelled}", quiet)

    orders = folder / "orders.csv"
    if orders.is_file():
        from ..customers.build import build_customers, read_analysed_tickets
        from ..customers.orders import load_orders
        from ..io import write_table_with_rejects

        table = build_customers(load_orders(orders), read_analysed_tickets(labelled))
        path = out / "customers.csv"
        write_table_with_rejects(table, table.attrs["rejects"], path)
        risk = table["churn_risk"].value_counts()
        echo(f"customers (as of {table.attrs['as_of']}): {len(table)}, churn risk high {int(risk.get('high', 0))}, "
             f"medium {int(risk.get('medium', 0))} → {path}", quiet)
        for w in table.attrs["warnings"]:
            echo(f"Warning: {w}", quiet)
