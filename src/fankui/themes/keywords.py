"""Top keywords per theme and per period: TF-IDF of jieba content words against the whole corpus.

For a group of tickets (one theme, one week, or one theme in one week) a word scores
``share of the group's tickets that contain it × idf over all tickets``; stop words, punctuation and
single characters other than letters/digits are left out. So words common everywhere (东西, 问题) sink
and words that mark the group rise.

    >>> kw = top_keywords(labelled, by="themes", period="W")     # doctest: +SKIP
    >>> kw.head()                                                  # doctest: +SKIP
       theme       period keyword  score  tickets
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from ..errors import SchemaError
from ..segment import content_words, load_stopwords

__all__ = ["top_keywords", "ticket_words", "GENERIC_WORDS"]

# Words that are not stop words (they matter for sentiment) but say nothing about a topic.
GENERIC_WORDS = frozenset({"没有", "问题", "还是", "根本", "一点", "不是", "不能", "不会", "知道", "觉得", "感觉", "真的",
                           "非常", "特别", "这么", "那么", "还有", "一样", "东西", "时间", "一天", "结果", "直接", "所有",
                           "明明", "到底", "居然", "竟然", "太", "很", "好", "不错", "有点", "比较", "收到", "买", "用"})


def ticket_words(df: pd.DataFrame, tokens_column: str = "tokens", text_column: str = "text_norm") -> list[list[str]]:
    """Distinct content words per ticket from the ``tokens`` column (list or space-joined), else by segmenting."""
    stop = load_stopwords()
    if tokens_column in df.columns:
        raw = [t if isinstance(t, list) else (t.split(" ") if isinstance(t, str) else []) for t in df[tokens_column]]
    else:
        col = text_column if text_column in df.columns else "text"
        if col not in df.columns:
            raise SchemaError(f"no {tokens_column!r}, {text_column!r} or 'text' column to take keywords from.",
                              "Pass the output of fankui.analyze (or a frame with a 'text' column).")
        from ..segment import tokenize_many
        from ..text import normalize_text

        raw = tokenize_many([normalize_text(t) for t in df[col].tolist()])
    out = []
    for toks in raw:
        words = [w for w in content_words(toks, stop)
                 if (len(w) > 1 or w.isascii() and w.isalnum()) and w not in GENERIC_WORDS]
        out.append(list(dict.fromkeys(w.lower() for w in words)))
    return out


def top_keywords(df: pd.DataFrame, by: str | None = "themes", period: str | None = None, *,
                 date_column: str = "created_at", top_n: int = 10, min_tickets: int = 2,
                 tokens_column: str = "tokens", sep: str = ";") -> pd.DataFrame:
    """Top ``top_n`` keywords per group as a tidy DataFrame.

    ``by``: a column whose ``;``-separated values define groups (default ``themes``; None for periods only);
    ``period``: a pandas frequency (``"D"``, ``"W"``, ``"M"``, ``"Q"``) to group ``date_column`` by, or None.
    Columns: ``by`` (if given), ``period`` (if given), ``keyword``, ``score``, ``tickets`` (tickets of the group
    containing the word), ``group_size``. A word needs ``min_tickets`` tickets in the group (1 for tiny groups).

    >>> top_keywords(labelled, by="themes")                      # doctest: +SKIP
    >>> top_keywords(labelled, by=None, period="M")              # doctest: +SKIP
    """
    if by is None and period is None:
        raise ValueError("give by= (a column such as 'themes'), period= (e.g. 'W'), or both")
    if by is not None and by not in df.columns:
        raise SchemaError(f"column {by!r} not found for keywords per group.",
                          f"Columns found: {', '.join(map(str, df.columns))}. Run the theme stage first, or pass by=None.")
    words = ticket_words(df, tokens_column)
    n = len(words)
    doc_freq = Counter(w for ws in words for w in ws)
    idf = {w: float(np.log((1 + n) / (1 + c)) + 1.0) for w, c in doc_freq.items()}

    keys: list[list[tuple]] = [[()] for _ in range(n)]
    if by is not None:
        vals = df[by].tolist()
        keys = [[(g,) for g in _split(v, sep)] for v in vals]
    if period is not None:
        if date_column not in df.columns:
            raise SchemaError(f"column {date_column!r} not found for keywords per period.",
                              "Pass date_column= with the ticket date column, or period=None.")
        dates = pd.to_datetime(df[date_column], errors="coerce")
        periods = dates.dt.to_period(_period_freq(period)).astype(str).where(dates.notna(), None).tolist()
        keys = [[k + (p,) for k in ks] if p is not None else [] for ks, p in zip(keys, periods)]

    groups: dict[tuple, list[int]] = {}
    for i, ks in enumerate(keys):
        for k in ks:
            groups.setdefault(k, []).append(i)
    rows = []
    for key in sorted(groups, key=lambda k: tuple(str(x) for x in k)):
        members = groups[key]
        size = len(members)
        counts = Counter(w for i in members for w in words[i])
        need = min_tickets if size >= 2 * min_tickets else 1
        scored = [(c / size * idf[w], w, c) for w, c in counts.items() if c >= need]
        scored.sort(key=lambda x: (-x[0], x[1]))  # ties broken by the word: same input, same table
        for s, w, c in scored[:top_n]:
            row = {}
            if by is not None:
                row[by if by != "themes" else "theme"] = key[0]
            if period is not None:
                row["period"] = key[-1]
            row.update(keyword=w, score=round(s, 4), tickets=c, group_size=size)
            rows.append(row)
    cols = ([("theme" if by == "themes" else by)] if by is not None else []) + (["period"] if period else []) + \
        ["keyword", "score", "tickets", "group_size"]
    return pd.DataFrame(rows, columns=cols)


def _split(value, sep: str) -> list[str]:
    if not isinstance(value, str):
        return [] if value is None or (isinstance(value, float) and np.isnan(value)) else [str(value)]
    return [v.strip() for v in value.split(sep) if v.strip()]


def _period_freq(freq: str) -> str:
    # pandas' period aliases differ from its offset aliases for months/quarters/years ("ME" vs "M").
    return {"ME": "M", "QE": "Q", "YE": "Y", "MS": "M", "QS": "Q", "YS": "Y"}.get(freq, freq)
