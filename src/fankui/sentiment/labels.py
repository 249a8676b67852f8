"""Label spellings accepted for training and evaluation, mapped onto positive / neutral / negative.

Accepted: ``0/1`` (binary: 0 is negative), ``-1/0/1``, ``positive/neutral/negative`` (and pos/neu/neg),
``正面/中性/负面``, ``好评/中评/差评``, ``积极/中立/消极``. Case and surrounding spaces do not matter; numbers may be
floats (``1.0``) or strings (``"1"``) as Excel and pandas write them.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from ..errors import LabelError
from ..io import MISSING_CELL_TEXTS

POSITIVE, NEUTRAL, NEGATIVE = "positive", "neutral", "negative"
CLASSES = (NEGATIVE, NEUTRAL, POSITIVE)  # sorted, as scikit-learn orders classes_

_WORDS = {
    POSITIVE: ("positive", "pos", "正面", "好评", "积极", "正向", "正", "好"),
    NEUTRAL: ("neutral", "neu", "中性", "中评", "中立", "中"),
    NEGATIVE: ("negative", "neg", "负面", "差评", "消极", "负向", "负", "差"),
}
_SPELLING = {w: c for c, words in _WORDS.items() for w in words}
ACCEPTED = "0/1, -1/0/1, positive/neutral/negative, 正面/中性/负面, 好评/中评/差评"


def _key(value) -> str | int | None:
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        if value != value:  # NaN
            return None
        return int(value) if float(value).is_integer() else str(value)
    text = str(value).strip().lower()
    if text in MISSING_CELL_TEXTS:
        return None
    try:
        f = float(text)
    except ValueError:
        return text
    return int(f) if f.is_integer() else text


def to_canonical(labels, *, where: str = "the label column", require_two: bool = True) -> np.ndarray:
    """Map any accepted spelling to ``positive``/``neutral``/``negative``; raise LabelError otherwise.

    Numbers: with only 0 and 1 present, 0 is negative; once -1 appears, -1/0/1 is negative/neutral/positive.

    >>> to_canonical([1, 0, 1]).tolist()
    ['positive', 'negative', 'positive']
    >>> to_canonical(["好评", "中评", "差评"]).tolist()
    ['positive', 'neutral', 'negative']
    """
    keys = [_key(v) for v in labels]
    missing = [i for i, k in enumerate(keys) if k is None]
    if missing:
        rows = ", ".join(str(i + 1) for i in missing[:5])
        raise LabelError(
            f"{where} has {len(missing)} empty label(s) (row(s) {rows}{', ...' if len(missing) > 5 else ''}).",
            f"Fill them in or remove those rows. Accepted labels: {ACCEPTED}.",
        )
    numbers = {k for k in keys if isinstance(k, int)}
    numeric_map = {1: POSITIVE, 0: NEUTRAL, -1: NEGATIVE} if -1 in numbers else {1: POSITIVE, 0: NEGATIVE}
    out, unknown = [], Counter()
    for k in keys:
        label = numeric_map.get(k) if isinstance(k, int) else _SPELLING.get(k)
        if label is None:
            unknown[k] += 1
        out.append(label)
    if unknown:
        shown = ", ".join(f"{k!r} ({n}×)" for k, n in unknown.most_common(5))
        raise LabelError(f"{where} has label values fankui does not understand: {shown}.",
                         f"Use one of these spellings: {ACCEPTED}.")
    arr = np.array(out, dtype=object)
    if require_two and len(set(out)) < 2:
        only = out[0] if out else "nothing"
        raise LabelError(
            f"{where} has only one class ({only}); a classifier needs at least two of positive/neutral/negative.",
            "Check that --label-column names the right column and that the file holds both kinds of examples.",
        )
    return arr
