"""Reading a labelled file (text + label columns) for training and evaluation."""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..errors import InputError
from ..io import read_table
from ..schema import TICKET_ALIASES, resolve_columns
from .labels import to_canonical

LABEL_ALIASES = ["label", "labels", "sentiment", "sentiment_value", "polarity", "class", "y", "标签", "情感",
                 "情感倾向", "情感极性", "极性", "类别", "评价类型", "好差评"]
_OPTIONS = {"text": "--text-column", "label": "--label-column"}


@dataclass
class LabelledData:
    texts: list[str]
    labels: list[str]  # canonical: positive / neutral / negative
    text_column: str
    label_column: str
    dropped_empty: int  # rows without text (they cannot teach or test anything)


def read_labelled(path: str | os.PathLike, *, text_column: str | None = None, label_column: str | None = None,
                  encoding: str | None = None, sheet: str | int | None = None, require_two: bool = True
                  ) -> LabelledData:
    """Texts and canonical labels from a CSV/Excel/JSONL/Parquet file; columns found by header or named.

    >>> data = read_labelled("labelled.csv", text_column="评价内容", label_column="评价类型")   # doctest: +SKIP
    """
    df = read_table(path, encoding=encoding, sheet=sheet)
    aliases = {"text": TICKET_ALIASES["text"], "label": LABEL_ALIASES}
    cols = resolve_columns(df.columns, aliases, {"text": text_column, "label": label_column}, ["text", "label"],
                           _OPTIONS)
    if cols["text"] == cols["label"]:
        raise InputError(f"the text and label columns are the same column ({cols['text']!r}).",
                         "Name them with --text-column and --label-column.")
    texts = df[cols["text"]].fillna("").astype(str)
    keep = texts.str.strip() != ""
    labels = to_canonical(df.loc[keep, cols["label"]].tolist(), where=f"label column {cols['label']!r} of {path}",
                          require_two=require_two)
    if not len(labels):
        raise InputError(f"{path} has no rows with text in column {cols['text']!r}.",
                         "Check --text-column, or the file.")
    return LabelledData(texts[keep].tolist(), labels.tolist(), cols["text"], cols["label"], int((~keep).sum()))
