"""Scores for multi-label theme predictions: micro/macro F1 over themes, per-theme precision/recall/F1.

    >>> multilabel_f1([["物流配送"], ["包装", "产品质量"]], [["物流配送"], ["包装"]])["micro_f1"]
    0.8
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

__all__ = ["split_labels", "multilabel_f1", "triple_f1"]


def split_labels(value, sep: str = ";") -> list[str]:
    """``"物流配送;包装"`` → ``["物流配送", "包装"]``; a list is returned cleaned; empty/NaN → ``[]``."""
    if isinstance(value, (list, tuple, set, np.ndarray)):
        items = [str(v) for v in value]
    elif value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    else:
        items = str(value).replace("；", ";").split(sep)
    return list(dict.fromkeys(s.strip() for s in items if str(s).strip()))


def multilabel_f1(gold: Sequence[Iterable[str]], pred: Sequence[Iterable[str]], labels: Sequence[str] | None = None,
                  ignore: Iterable[str] = ()) -> dict:
    """Micro and macro F1 over themes (a ``;`` string or a list per row); ``ignore`` drops labels (e.g. 其他).

    Macro F1 averages over ``labels`` (default: every label seen in gold).
    """
    skip = set(ignore)
    g = [set(split_labels(x)) - skip for x in gold]
    p = [set(split_labels(x)) - skip for x in pred]
    if len(g) != len(p):
        raise ValueError(f"{len(g)} gold rows but {len(p)} predictions")
    labels = list(labels) if labels is not None else sorted(set().union(*g) if g else set())
    per = {}
    tp_all = fp_all = fn_all = 0
    for lab in labels:
        tp = sum(lab in a and lab in b for a, b in zip(g, p))
        fp = sum(lab not in a and lab in b for a, b in zip(g, p))
        fn = sum(lab in a and lab not in b for a, b in zip(g, p))
        per[lab] = _prf(tp, fp, fn) | {"support": tp + fn}
    for a, b in zip(g, p):
        tp_all += len(a & b)
        fp_all += len(b - a)
        fn_all += len(a - b)
    micro = _prf(tp_all, fp_all, fn_all)
    return {"micro_f1": micro["f1"], "micro_precision": micro["precision"], "micro_recall": micro["recall"],
            "macro_f1": float(np.mean([v["f1"] for v in per.values()])) if per else 0.0, "per_label": per}


def triple_f1(gold: Iterable[tuple], pred: Iterable[tuple]) -> dict:
    """F1 over sets of tuples, e.g. (content_id, subject, sentiment) as in the CCF BDCI 2018 car task."""
    g, p = set(gold), set(pred)
    return _prf(len(g & p), len(p - g), len(g - p))


def _prf(tp: int, fp: int, fn: int) -> dict:
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"precision": prec, "recall": rec, "f1": f1}
