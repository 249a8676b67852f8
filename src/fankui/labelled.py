"""Labelled files for training and evaluation: one text column and one label column, found by header or named.

Sentiment (``fankui train`` / ``evaluate``) and themes (``fankui train-themes``) read the same kind of file and
differ only in how a label value is understood, so the reading and the column checks live here once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pandas as pd

from .errors import InputError
from .io import read_table
from .schema import TICKET_ALIASES, resolve_columns

__all__ = ["LabelledColumns", "read_labelled_columns"]

_OPTIONS = {"text": "--text-column", "label": "--label-column"}


@dataclass
class LabelledColumns:
    """The rows of a labelled file that have text (index = data row, 0-based) and the columns that were used."""

    texts: pd.Series
    labels: pd.Series  # raw values, to be interpreted by the caller
    text_column: str
    label_column: str
    dropped_empty: int  # rows without text: they cannot teach or test anything


def read_labelled_columns(path: str | os.PathLike, label_aliases: list[str], *, text_column: str | None = None,
                          label_column: str | None = None, encoding: str | None = None,
                          sheet: str | int | None = None) -> LabelledColumns:
    """Read ``path`` (CSV/Excel/JSONL/Parquet) and pick its text and label columns.

    >>> cols = read_labelled_columns("labelled.csv", ["情感"], label_column="情感")   # doctest: +SKIP
    """
    df = read_table(path, encoding=encoding, sheet=sheet)
    aliases = {"text": TICKET_ALIASES["text"], "label": label_aliases}
    cols = resolve_columns(df.columns, aliases, {"text": text_column, "label": label_column}, ["text", "label"],
                           _OPTIONS)
    if cols["text"] == cols["label"]:
        raise InputError(f"the text and label columns are the same column ({cols['text']!r}).",
                         "Name them with --text-column and --label-column.")
    texts = df[cols["text"]].fillna("").astype(str)
    keep = texts.str.strip() != ""
    if not keep.any():
        raise InputError(f"{path} has no rows with text in column {cols['text']!r}.", "Check --text-column, or the file.")
    return LabelledColumns(texts[keep], df.loc[keep, cols["label"]], cols["text"], cols["label"], int((~keep).sum()))
