"""``fankui discover``: candidate new themes from tickets the taxonomy explains poorly."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from . import app
from ._common import echo, handle_errors


@app.command("discover")
@handle_errors
def discover_cmd(
    input: Path = typer.Argument(..., help="Ticket export, or the output of `fankui analyze` (its themes are reused)."),
    output: Path = typer.Option(..., "-o", "--output", help="Candidates table (.csv/.xlsx/...): one row per candidate theme."),
    themes: Optional[Path] = typer.Option(None, help="Theme taxonomy TOML replacing the built-in one (themes are then recomputed)."),
    text_column: Optional[str] = typer.Option(None, help="Column with the feedback text (default: found by header, e.g. 反馈内容)."),
    id_column: Optional[str] = typer.Option(None, help="Ticket id column (default: 工单编号/ticket_id/...)."),
    encoding: Optional[str] = typer.Option(None, help="Input encoding (default: detected)."),
    sheet: Optional[str] = typer.Option(None, help="Excel sheet name or 0-based number."),
    clusters: Optional[int] = typer.Option(None, "--clusters", min=1, max=200, help="Number of clusters (default: about sqrt(n/2), 2 to 20)."),
    seed: int = typer.Option(0, help="Random seed; the same input and seed give the same table."),
    max_score: float = typer.Option(0.5, min=0.0, max=1.0, help="Tickets whose best theme score is below this are clustered (0.5: only those tagged 其他)."),
    examples: int = typer.Option(3, min=1, max=20, help="Representative tickets per candidate."),
    top_k: int = typer.Option(8, min=1, max=50, help="Keywords per candidate."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="No summary."),
) -> None:
    """Cluster tickets the taxonomy does not explain (其他 or low score) into candidate new themes.

    Each row has the cluster's size, top keywords, a suggested name and its most typical tickets: copy the
    keywords into a new [[theme]] of your taxonomy file and pass it with --themes.

    Example:  fankui discover 工单导出.csv -o candidates.csv --seed 0
    """
    from ..io import write_table
    from ..themes import ThemeTagger, discover_themes
    from ..tickets import TicketColumns, read_tickets

    cols = TicketColumns(text=text_column, ticket_id=id_column)
    df, rejects = read_tickets(input, columns=cols, encoding=encoding,
                               sheet=int(sheet) if sheet and sheet.isdigit() else sheet)
    tagger = ThemeTagger(themes)
    cand = discover_themes(df, tagger, n_clusters=clusters, seed=seed, max_score=max_score, top_k=top_k,
                           n_examples=examples)
    write_table(cand, output)
    covered = int(cand["size"].sum()) if len(cand) else 0
    echo(f"{len(df)} tickets, {covered} in {len(cand)} candidate theme(s) → {output}", quiet)
    if len(rejects):
        echo(f"skipped {len(rejects)} row(s) that cannot be analysed (empty text, bad date)", quiet)
    if not len(cand):
        echo("no candidates: too few poorly explained tickets share words (try --max-score 0.8)", quiet)
