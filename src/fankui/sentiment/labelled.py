"""Reading a labelled file (text + label columns) for training and evaluation."""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..labelled import read_labelled_columns
from .labels import to_canonical

LABEL_ALIASES = ["label", "labels", "sentiment", "sentiment_value", "polarity", "class", "y", "标签", "情感",
                 "情感倾向", "情感极性", "极性", "类别", "评价类型", "好差评"]


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
    cols = read_labelled_columns(path, LABEL_ALIASES, text_column=text_column, label_column=label_column,
                                 encoding=encoding, sheet=sheet)
    labels = to_canonical(cols.labels.tolist(), where=f"label column {cols.label_column!r} of {path}",
                          require_two=require_two)
    return LabelledData(cols.texts.tolist(), labels.tolist(), cols.text_column, cols.label_column, cols.dropped_empty)
