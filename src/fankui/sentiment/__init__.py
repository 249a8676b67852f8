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

from .._lazy import lazy_exports

# Names resolve on first use so that scoring (fankui analyze) never imports scikit-learn, which only fitting
# and evaluation need.
_EXPORTS = {
    "SentimentClassifier": "classifier",
    "NotFittedError": "classifier",
    "SentimentModel": "predictor",
    "load_default": "default",
    "load_model": "persist",
    "save_model": "persist",
    "evaluate": "evaluate",
    "format_report": "evaluate",
    "explain": "explain",
    "sentiment_stage": "stage",
    "to_canonical": "labels",
    "CLASSES": "labels",
}

__all__ = list(_EXPORTS)


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
