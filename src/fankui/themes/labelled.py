"""Reading a theme-labelled file (text + ``;``-separated themes) for ``fankui train-themes``."""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..errors import LabelError
from ..labelled import read_labelled_columns
from .metrics import split_labels

__all__ = ["ThemeLabels", "read_theme_labels", "THEME_LABEL_ALIASES"]

THEME_LABEL_ALIASES = ["themes", "theme", "labels", "label", "topic", "topics", "subject", "category", "主题", "标签",
                       "类别", "分类", "问题类型", "投诉类型", "工单类型"]


@dataclass
class ThemeLabels:
    texts: list[str]
    labels: list[list[str]]
    text_column: str
    label_column: str
    dropped_empty: int  # rows without text

    @property
    def multilabel(self) -> bool:
        return any(len(lab) > 1 for lab in self.labels)


def read_theme_labels(path: str | os.PathLike, *, text_column: str | None = None, label_column: str | None = None,
                      encoding: str | None = None, sheet: str | int | None = None) -> ThemeLabels:
    """Texts and theme lists from a CSV/Excel/JSONL/Parquet file; columns found by header or named.

    >>> data = read_theme_labels("labelled.csv", label_column="主题")   # doctest: +SKIP
    """
    cols = read_labelled_columns(path, THEME_LABEL_ALIASES, text_column=text_column, label_column=label_column,
                                 encoding=encoding, sheet=sheet)
    labels = [split_labels(v) for v in cols.labels.tolist()]
    missing = [i for i, lab in zip(cols.texts.index, labels) if not lab]
    if missing:
        raise LabelError(f"{len(missing)} row(s) of {path} have text but no theme in column {cols.label_column!r} "
                         f"(first: data row {missing[0] + 1}).",
                         "Label every row (use 其他 for none of your themes) or remove those rows; "
                         "separate several themes with ';'.")
    return ThemeLabels(cols.texts.tolist(), labels, cols.text_column, cols.label_column, cols.dropped_empty)
