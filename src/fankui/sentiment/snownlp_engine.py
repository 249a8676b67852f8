"""SnowNLP as a comparison engine (``--engine snownlp``): slow, binary, kept to show what the default beats.

SnowNLP gives one number, P(positive). We map it onto three classes with the same neutral band the binary
fankui models use (|p - 0.5| < band is neutral) so both engines fill the same columns.
"""

from __future__ import annotations

import numpy as np

from ..errors import ModelError
from .labels import CLASSES


class SnowNLPEngine:
    """predict_proba-compatible wrapper around ``snownlp.SnowNLP(text).sentiments``."""

    classes_ = np.array(CLASSES, dtype=object)
    mode_ = "snownlp"

    def __init__(self, neutral_band: float = 0.15):
        self.neutral_band = neutral_band

    def positive_probability(self, texts) -> np.ndarray:
        try:
            from snownlp import SnowNLP
        except ImportError:
            raise ModelError("--engine snownlp needs the snownlp package.", "pip install snownlp, or use --engine fankui.") from None
        return np.array([SnowNLP(t).sentiments if t else 0.5 for t in texts], dtype=float)

    def predict_proba(self, texts) -> np.ndarray:
        texts = list(texts.tolist() if hasattr(texts, "tolist") else texts)
        q = np.clip(self.positive_probability(texts), 1e-6, 1 - 1e-6)
        logit = np.log(q / (1 - q))
        t = np.log((0.5 + self.neutral_band) / (0.5 - self.neutral_band)) / 2.0
        z = np.column_stack([-logit / 2.0, np.full(len(q), t), logit / 2.0])
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, texts) -> np.ndarray:
        return self.classes_[self.predict_proba(texts).argmax(axis=1)]
