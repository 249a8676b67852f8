"""``fankui evaluate``: score a sentiment model on a labelled file (accuracy, macro-F1, confusion matrix)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from . import app
from ._common import echo, handle_errors


@app.command("evaluate")
@handle_errors
def evaluate_cmd(
    labelled: Path = typer.Argument(..., help="Labelled file (.csv/.xlsx/.jsonl/.parquet) with a text and a label column."),
    model: Optional[Path] = typer.Option(None, help="Model from `fankui train` (default: the built-in model)."),
    engine: str = typer.Option("fankui", help="fankui (default) or snownlp (for comparison)."),
    text_column: Optional[str] = typer.Option(None, help="Column with the text (default: found by header)."),
    label_column: Optional[str] = typer.Option(None, help="Column with the gold labels (default: found by header, e.g. label/标签)."),
    encoding: Optional[str] = typer.Option(None, help="Input encoding (default: detected)."),
    sheet: Optional[str] = typer.Option(None, help="Excel sheet name or 0-based number."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON on stdout."),
) -> None:
    """Print accuracy, macro-F1 and the confusion matrix of a model on labelled data.

    With only 0/1 (positive/negative) gold labels a text counts as positive when p_positive >= p_negative.

    Example:  fankui evaluate 已标注工单.csv --model my_model.npz --label-column 情感 --json
    """
    from ..errors import InputError
    from ..sentiment import evaluate, format_report, load_default, load_model
    from ..sentiment.labelled import read_labelled

    if engine == "snownlp":
        if model is not None:
            raise InputError("--model cannot be combined with --engine snownlp.", "Drop one of them.")
        from ..sentiment.snownlp_engine import SnowNLPEngine
        from ..text import normalize_text

        scorer = SnowNLPEngine()
        prep = lambda texts: [normalize_text(t) for t in texts]  # noqa: E731
    elif engine == "fankui":
        scorer = load_model(model) if model is not None else load_default()
        prep = lambda texts: texts  # noqa: E731
    else:
        raise InputError(f"unknown engine {engine!r}.", "Use --engine fankui or --engine snownlp.")
    data = read_labelled(labelled, text_column=text_column, label_column=label_column, encoding=encoding,
                         sheet=int(sheet) if sheet and sheet.isdigit() else sheet, require_two=False)
    result = evaluate(scorer, prep(data.texts), data.labels)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        typer.echo(format_report(result))
    if data.dropped_empty:
        echo(f"skipped {data.dropped_empty} row(s) with empty text")
