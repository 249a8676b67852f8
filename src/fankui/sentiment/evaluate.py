"""Scoring a sentiment model against gold labels: accuracy, macro-F1 and the confusion matrix."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import confusion_matrix, f1_score

from .labels import CLASSES, NEGATIVE, NEUTRAL, POSITIVE, to_canonical


def evaluate(model, texts, labels) -> dict:
    """Score ``model`` on ``texts`` with gold ``labels`` (any accepted spelling).

    With only positive/negative gold labels (review data without a neutral class) a prediction counts as
    positive when ``p_positive >= p_negative``; ``neutral_rate`` then says how often the model would have
    answered neutral. Otherwise the three-class prediction (argmax) is scored.

    >>> evaluate(load_default(), ["太差了", "很满意"], [0, 1])["accuracy"]   # doctest: +SKIP
    1.0
    """
    gold = to_canonical(list(labels), where="the gold labels", require_two=False)
    proba = model.predict_proba(texts)
    classes = list(model.classes_)
    pred3 = np.asarray(model.classes_)[proba.argmax(axis=1)]
    binary = set(gold.tolist()) <= {POSITIVE, NEGATIVE}
    if binary:
        pos, neg = proba[:, classes.index(POSITIVE)], proba[:, classes.index(NEGATIVE)]
        pred = np.where(pos >= neg, POSITIVE, NEGATIVE).astype(object)
        labels_order = [NEGATIVE, POSITIVE]
    else:
        pred = pred3
        labels_order = list(CLASSES)
    cm = confusion_matrix(gold.astype(str), pred.astype(str), labels=labels_order)
    return {
        "n": int(len(gold)),
        "mode": "binary" if binary else "three-class",
        "accuracy": float(np.mean(gold == pred)) if len(gold) else float("nan"),
        "macro_f1": float(f1_score(gold.astype(str), pred.astype(str), labels=labels_order, average="macro",
                                   zero_division=0)),
        "labels": labels_order,
        "confusion_matrix": cm.tolist(),
        "neutral_rate": float(np.mean(pred3 == NEUTRAL)) if len(gold) else 0.0,
    }


def format_report(result: dict) -> str:
    """The evaluation as plain text (what ``fankui evaluate`` prints)."""
    labels = result["labels"]
    width = max(len(x) for x in labels) + 2
    lines = [
        f"examples:  {result['n']} ({result['mode']})",
        f"accuracy:  {result['accuracy']:.4f}",
        f"macro-F1:  {result['macro_f1']:.4f}",
    ]
    if result["mode"] == "binary":
        lines.append(f"neutral:   {result['neutral_rate']:.1%} of texts would be called neutral")
    lines.append("")
    lines.append("confusion matrix (rows: gold, columns: predicted)")
    lines.append(" " * width + "".join(f"{x:>{width}}" for x in labels))
    for name, row in zip(labels, result["confusion_matrix"]):
        lines.append(f"{name:<{width}}" + "".join(f"{v:>{width}}" for v in row))
    return "\n".join(lines)
