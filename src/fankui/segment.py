"""Chinese word segmentation: jieba with the shipped customer-service dictionary and stop words.

jieba is imported and its dictionary built once, lazily, on first use (importing fankui stays cheap). We use a
private ``jieba.Tokenizer`` rather than the global one so that loading our dictionary never changes how a
user's own ``jieba.lcut`` calls segment. Segmentation is lossless: ``"".join(tokenize(s)) == s``.
"""

from __future__ import annotations

import logging
import os
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from .errors import InputError
from .resources import lexicon_path

__all__ = [
    "tokenize",
    "tokenize_many",
    "content_words",
    "load_stopwords",
    "add_user_dict",
    "get_tokenizer",
    "backend_name",
]

_lock = threading.Lock()
_tokenizer = None
_user_dicts: list[Path] = []


def backend_name() -> str:
    """Which segmenter implementation is used: ``jieba_next`` (Rust-accelerated jieba) or ``jieba``.

    jieba-next runs jieba's own algorithm and dictionary about 3× faster; it differs from jieba on under 1% of
    texts (mostly runs of symbols such as ``-----`` and hyphenated Latin words). ``FANKUI_SEGMENTER=jieba``
    forces plain jieba; so does a platform where jieba-next does not import.
    """
    if os.environ.get("FANKUI_SEGMENTER", "").lower() == "jieba":
        return "jieba"
    try:
        import jieba_next  # noqa: F401
    except ImportError:
        return "jieba"
    return "jieba_next"


def get_tokenizer():
    """The shared, warmed jieba Tokenizer with fankui's user dictionary (and any added with add_user_dict)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import importlib

                name = backend_name()
                # jieba logs "Building prefix dict..." at DEBUG/INFO on stderr; a library should stay quiet.
                for logger in ("jieba", "jieba_next"):
                    logging.getLogger(logger).setLevel(logging.WARNING)
                backend = importlib.import_module(name)
                set_level = getattr(backend, "set_log_level", None) or getattr(backend, "setLogLevel", None)
                if set_level is not None:
                    set_level(logging.WARNING)
                if hasattr(backend, "default_logger"):
                    backend.default_logger.setLevel(logging.WARNING)
                tok = backend.Tokenizer()
                tok.initialize()
                tok.load_userdict(str(lexicon_path("userdict.txt")))
                for path in _user_dicts:
                    tok.load_userdict(str(path))
                _tokenizer = tok
    return _tokenizer


def add_user_dict(path: str | Path) -> None:
    """Add a user dictionary (jieba format: ``word [freq] [tag]`` per line) on top of the shipped one.

    >>> add_user_dict("my_products.txt")  # doctest: +SKIP
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(
            f"user dictionary not found: {path}",
            "Give a text file with one word per line (optionally 'word frequency tag'), UTF-8 encoded.",
        )
    try:
        path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"user dictionary {path} is not UTF-8 (undecodable byte at offset {exc.start})",
            "Save the dictionary as UTF-8.",
        ) from None
    with _lock:
        _user_dicts.append(path)
        if _tokenizer is not None:
            _tokenizer.load_userdict(str(path))


def tokenize(text: str) -> list[str]:
    """Segment normalised text into words; whitespace runs are kept as tokens so the split is lossless.

    >>> tokenize("快递员态度差，申请退款")
    ['快递员', '态度差', '，', '申请', '退款']
    """
    if not text:
        return []
    return get_tokenizer().lcut(text, HMM=True)


def tokenize_many(texts: Iterable[str]) -> list[list[str]]:
    """Tokenise many texts (same as ``[tokenize(t) for t in texts]``, with one tokenizer lookup)."""
    tok = get_tokenizer()
    return [tok.lcut(t, HMM=True) if t else [] for t in texts]


def as_list(X) -> list:
    """A list from a list, tuple, NumPy array or pandas Series (without importing pandas here)."""
    import numpy as np

    if isinstance(X, np.ndarray):
        return X.ravel().tolist()
    if hasattr(X, "tolist") and hasattr(X, "index"):  # pandas Series
        return X.tolist()
    return list(X)


def prepare_texts(X) -> tuple[list[str], list[list[str]]]:
    """Raw texts → (normalised texts, tokens), exactly as the pipeline's normalise and segment stages do.

    The one entry point for models that take raw text (sentiment, supervised themes, the zero-shot tagger,
    discovery), so that training, scoring and ``fankui analyze`` see the same normalisation and tokens.
    """
    import pandas as pd

    from .text import normalize_text

    if isinstance(X, str):
        raise InputError("expected a list or Series of texts, got a single string.",
                         "Wrap it in a list: model.predict([text]).")
    if isinstance(X, pd.DataFrame):
        if X.shape[1] != 1:
            raise InputError(f"expected one column of texts, got a DataFrame with {X.shape[1]} columns.",
                             "Pass the text column only, e.g. model.predict(df['text']).")
        X = X.iloc[:, 0]
    norm = [normalize_text(t) if isinstance(t, str) else "" for t in as_list(X)]
    return norm, tokenize_many(norm)


def _read_wordlist(path: Path) -> frozenset[str]:
    words = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.add(line)
    return frozenset(words)


@lru_cache(maxsize=8)
def load_stopwords(path: str | None = None) -> frozenset[str]:
    """The stop-word set (shipped ``lexicons/stopwords.txt`` unless a path is given)."""
    return _read_wordlist(Path(path) if path else lexicon_path("stopwords.txt"))


def _is_noise(token: str) -> bool:
    # Punctuation, symbols, emoji and whitespace carry no topic; categories P*, S*, Z* and controls.
    return all(unicodedata.category(ch)[0] in "PSZC" for ch in token)


def content_words(tokens: Iterable[str], stopwords: frozenset[str] | None = None) -> list[str]:
    """Tokens without stop words, punctuation, symbols or whitespace (for keywords and themes).

    >>> content_words(["请问", "我", "的", "快递", "到", "哪", "了", "？"])
    ['快递']
    """
    stop = load_stopwords() if stopwords is None else stopwords
    return [t for t in tokens if t.strip() and t not in stop and not _is_noise(t)]


class SegmentStage:
    """Pipeline stage: ``text_norm`` → ``tokens`` (a list of str per row; CSV output joins them with spaces)."""

    name = "segment"
    requires = ("text_norm",)
    assigns = ("tokens",)

    def __call__(self, df):
        out = df.copy()
        out["tokens"] = tokenize_many(df["text_norm"].tolist())
        return out
