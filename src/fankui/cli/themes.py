"""``fankui train-themes``: fit a supervised theme model on labelled tickets (single- or multi-label)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from . import app
from ._common import echo, handle_errors, number_or_auto


@app.command("train-themes")
@handle_errors
def train_themes_cmd(
    labelled: Path = typer.Argument(..., help="Labelled file (.csv/.xlsx/.jsonl/.parquet): a text column and a theme column."),
    output: Path = typer.Option(..., "-o", "--output", help="Where to write the model (.npz, safe to share)."),
    text_column: Optional[str] = typer.Option(None, help="Column with the text (default: found by header, e.g. 反馈内容/text)."),
    label_column: Optional[str] = typer.Option(None, help="Column with the themes, several separated by ';' (default: themes/主题/标签...)."),
    encoding: Optional[str] = typer.Option(None, help="Input encoding (default: detected)."),
    sheet: Optional[str] = typer.Option(None, help="Excel sheet name or 0-based number."),
    c: str = typer.Option("auto", "--c", help="Regularisation C of the logistic regressions (larger = fits the data more closely), or 'auto' (chosen by CV on the file)."),
    threshold: str = typer.Option("auto", help="Multi-label: probability from which a theme is predicted, or 'auto' (chosen by CV on the file)."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="No summary."),
) -> None:
    """Train a theme model on your labelled tickets, for `fankui analyze --themes-model MODEL`.

    Labels are theme names; a ticket with several themes lists them separated by ';' (物流配送;包装).

    Example:  fankui train-themes 已标注工单.csv -o themes.npz --text-column 反馈内容 --label-column 主题
    """
    from ..themes import ThemeClassifier, save_theme_model
    from ..themes.labelled import read_theme_labels

    c_value = number_or_auto(c, "--c", example="4")
    th = number_or_auto(threshold, "--threshold", high=1.0, example="0.4")
    data = read_theme_labels(labelled, text_column=text_column, label_column=label_column, encoding=encoding,
                             sheet=int(sheet) if sheet and sheet.isdigit() else sheet)
    model = ThemeClassifier(C=c_value, threshold=th).fit(data.texts, data.labels)
    save_theme_model(model, output)
    kind = (f"multi-label, C={model.C_:g}, threshold {model.threshold_:g}" if model.multilabel_
            else f"single-label, C={model.C_:g}")
    echo(f"trained on {len(data.texts)} texts, {len(model.classes_)} themes ({kind}; column {data.text_column!r}, "
         f"labels {data.label_column!r}) → {output}", quiet)
    if data.dropped_empty:
        echo(f"skipped {data.dropped_empty} row(s) with empty text", quiet)


@app.command("explain-themes")
@handle_errors
def explain_themes_cmd(
    text: str = typer.Argument(..., help="One ticket text, quoted."),
    themes: Optional[Path] = typer.Option(None, help="Your taxonomy TOML instead of the built-in one (taxonomy alone)."),
    builtin_themes_model: bool = typer.Option(True, "--builtin-themes-model/--no-builtin-themes-model",
                                              help="With the built-in taxonomy, explain the default blend with the "
                                                   "built-in model (default) or the taxonomy alone."),
) -> None:
    """Show why a ticket gets its themes: each theme's score, the taxonomy's cues and the model's evidence.

    Example:  fankui explain-themes "等了一个半小时饭都凉透了"
    """
    import pandas as pd

    from ..segment import prepare_texts
    from ..themes import ThemeTagger
    from ..themes.hybrid import default_tagger

    tagger = ThemeTagger(themes) if themes is not None else default_tagger(builtin_themes_model)
    norm, tokens = prepare_texts([text])
    typer.echo("themes: " + ";".join(tagger.tag_prepared(norm, tokens)[0][0]))  # as `fankui analyze` writes them
    table = tagger.explain(text)  # the hybrid: one row per theme; the taxonomy alone: one row per cue found
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.unicode.east_asian_width", True):
        typer.echo(table.to_string(index=False) if len(table) else "(no cue found)")
