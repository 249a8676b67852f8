"""Reading a theme-labelled file (text + ``;``-separated themes) for ``fankui train-themes``."""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..errors import InputError, LabelError
from ..io import read_table
from ..schema import TICKET_ALIASES, resolve_columns
from .metrics import split_labels

__all__ = ["ThemeLabels", "read_theme_labels", "THEME_LABEL_ALIASES"]

THEME_LABEL_ALIASES = ["themes", "theme", "labels", "label", "topic", "topics", "subject", "category", "主题", "标签",
                       "类别", "分类", "问题类型", "投诉类型", "工单类型"]
_OPTIONS = {"text": "--text-column", "label": "--label-column"}


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
    df = read_table(path, encoding=encoding, sheet=sheet)
    aliases = {"text": TICKET_ALIASES["text"], "label": THEME_LABEL_ALIASES}
    cols = resolve_columns(df.columns, aliases, {"text": text_column, "label": label_column}, ["text", "label"],
                           _OPTIONS)
    if cols["text"] == cols["label"]:
        raise InputError(f"the text and label columns are the same column ({cols['text']!r}).",
                         "Name them with --text-column and --label-column.")
    texts = df[cols["text"]].fillna("").astype(str)
    keep = texts.str.strip() != ""
    if not keep.any():
        raise InputError(f"{path} has no rows with text in column {cols['text']!r}.", "Check --text-column, or the file.")
    labels = [split_labels(v) for v in df.loc[keep, cols["label"]].tolist()]
    missing = [i for i, lab in zip(df.index[keep], labels) if not lab]
    if missing:
        raise LabelError(f"{len(missing)} row(s) of {path} have text but no theme in column {cols['label']!r} "
                         f"(first: data row {missing[0] + 1}).",
                         "Label every row (use 其他 for none of your themes) or remove those rows; "
                         "separate several themes with ';'.")
    return ThemeLabels(texts[keep].tolist(), labels, cols["text"], cols["label"], int((~keep).sum()))
