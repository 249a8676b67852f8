"""``fankui analyze``: label a ticket export (normalised text, tokens, sentiment, themes)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from . import app
from ._common import echo, handle_errors, progress_bar


@app.command("analyze")
@handle_errors
def analyze_cmd(
    input: Path = typer.Argument(..., help="Ticket export: .csv/.tsv/.txt, .xlsx, .jsonl or .parquet."),
    output: Path = typer.Option(..., "-o", "--output", help="Output file; the format follows the extension."),
    encoding: Optional[str] = typer.Option(None, help="Input encoding (default: detected). E.g. gb18030, utf-8-sig, utf-16."),
    sheet: Optional[str] = typer.Option(None, help="Excel sheet name or 0-based number, for workbooks with several sheets."),
    text_column: Optional[str] = typer.Option(None, help="Column with the feedback text (default: found by header, e.g. 反馈内容)."),
    id_column: Optional[str] = typer.Option(None, help="Ticket id column (default: 工单编号/ticket_id/...)."),
    customer_column: Optional[str] = typer.Option(None, help="Customer id column (default: 客户ID/会员编号/...)."),
    date_column: Optional[str] = typer.Option(None, help="Created-time column (default: 创建时间/提交时间/...)."),
    model: Optional[Path] = typer.Option(None, help="Sentiment model trained with `fankui train` (default: the built-in model)."),
    engine: str = typer.Option("fankui", help="Sentiment engine: fankui (default) or snownlp (slow; for comparison)."),
    themes: Optional[Path] = typer.Option(None, help="Theme taxonomy TOML replacing the built-in one."),
    themes_model: Optional[Path] = typer.Option(None, help="Supervised theme model trained with `fankui train-themes`."),
    sentiment: bool = typer.Option(True, "--sentiment/--no-sentiment", help="Score sentiment."),
    tag_themes: bool = typer.Option(True, "--themes-tagging/--no-themes-tagging", help="Tag complaint themes."),
    builtin_themes_model: bool = typer.Option(True, "--builtin-themes-model/--no-builtin-themes-model",
                                              help="With the built-in taxonomy, blend its scores with the built-in "
                                                   "theme model (the default; docs/themes.md). "
                                                   "--no-builtin-themes-model tags with the taxonomy alone."),
    user_dict: Optional[Path] = typer.Option(None, help="Extra jieba dictionary (one word per line) for product names etc."),
    chunk_size: int = typer.Option(20_000, min=100, help="Rows processed at a time (memory stays bounded)."),
    jobs: Optional[int] = typer.Option(None, "-j", "--jobs", min=1, help="Worker processes (default: 1 for small files, else one per core)."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="No progress bar or summary."),
) -> None:
    """Label a ticket export: normalised text, tokens, sentiment with reasons, complaint themes.

    Rows that cannot be analysed (empty text, unparseable date) go to OUTPUT's .rejects.csv with the row
    number and the reason.

    Example:  fankui analyze 工单导出.csv -o out/labelled.csv --encoding gb18030
    """
    from ..pipeline import analyze_file, default_stages
    from ..segment import add_user_dict
    from ..tickets import TicketColumns

    if engine not in ("fankui", "snownlp"):
        raise typer.BadParameter("must be 'fankui' or 'snownlp'", param_hint="--engine")
    if user_dict is not None:
        add_user_dict(user_dict)
    stages = default_stages(sentiment=sentiment, model=model, engine=engine, themes=tag_themes,
                            themes_file=themes, themes_model=themes_model, themes_builtin_model=builtin_themes_model)
    cols = TicketColumns(text=text_column, ticket_id=id_column, customer_id=customer_column, created_at=date_column)
    with progress_bar("analyze", quiet) as bar:
        result = analyze_file(input, output, stages=stages, columns=cols, encoding=encoding, sheet=sheet,
                              chunksize=chunk_size, jobs=jobs, progress=bar)
    echo(f"read {result.read}, written {result.written}, rejected {result.rejected} → {result.output}", quiet)
    if result.rejects_path:
        echo(f"rejected rows with reasons: {result.rejects_path}", quiet)
