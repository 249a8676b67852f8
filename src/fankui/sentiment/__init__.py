"""Three-class sentiment (positive / neutral / negative) for Chinese customer feedback.

    >>> from fankui.sentiment import load_default, explain
    >>> model = load_default()                                   # doctest: +SKIP
    >>> model.predict(["我今天不高兴", "请问什么时候发货"])          # doctest: +SKIP
    array(['negative', 'neutral'], dtype=object)
    >>> explain(model, ["退款太慢了"])                            # doctest: +SKIP

Train on your own labels with :class:`SentimentClassifier` (labels 0/1, -1/0/1, 正面/中性/负面, 好评/中评/差评...),
save with :func:`save_model` (a safe .npz, never pickle) and score with :func:`evaluate`.
"""

from __future__ import annotations

from .classifier import NotFittedError, SentimentClassifier
from .default import load_default
from .evaluate import evaluate, format_report
from .explain import explain
from .labels import CLASSES, to_canonical
from .persist import load_model, save_model
from .stage import sentiment_stage

__all__ = [
    "SentimentClassifier",
    "NotFittedError",
    "load_default",
    "load_model",
    "save_model",
    "evaluate",
    "format_report",
    "explain",
    "sentiment_stage",
    "to_canonical",
    "CLASSES",
]
