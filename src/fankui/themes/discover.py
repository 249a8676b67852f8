"""Theme discovery: cluster the tickets the taxonomy explains poorly into candidate new themes.

A ticket is *poorly explained* when the taxonomy gives it no theme (其他) or its best theme score stays below
``max_score`` (only weak cues). Those tickets are represented by TF-IDF over their jieba content words (stop
words removed) and clustered with k-means (fixed ``seed``, fixed ``n_init``: the same input and seed give the
same table). Each cluster becomes one row: its size, top keywords (highest centroid weights), a suggested name
and the tickets closest to its centre — enough to write a new ``[[theme]]`` entry.

    >>> cand = discover_themes(tickets["反馈内容"], seed=0)          # doctest: +SKIP
    >>> cand[["candidate", "size", "keywords"]]                       # doctest: +SKIP
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..errors import InputError

__all__ = ["discover_themes", "poorly_explained"]

COLUMNS = ["candidate", "size", "share", "suggested_name", "keywords", "examples", "example_ids"]


def poorly_explained(themes: list[str], scores: np.ndarray, other: str, max_score: float) -> np.ndarray:
    """Boolean mask: tagged ``other`` or best theme score below ``max_score``."""
    best = scores.max(axis=1) if scores.size else np.zeros(len(themes))
    return np.array([t == other for t in themes]) | (best < max_score)


def discover_themes(data, tagger=None, *, n_clusters: int | None = None, seed: int = 0, max_score: float = 0.5,
                    top_k: int = 8, n_examples: int = 3, min_cluster_size: int = 2, text_column: str = "text",
                    id_column: str = "ticket_id") -> pd.DataFrame:
    """Candidate new themes from tickets the taxonomy does not explain well, one row per cluster.

    ``data``: texts (list/Series) or a DataFrame with ``text`` (and optionally ``text_norm`` and ``tokens``
    from ``fankui analyze``, which are then reused); ``tagger``: the ThemeTagger whose gaps are wanted (default:
    the built-in taxonomy; the hybrid's themes in an analyzed file are not used). ``n_clusters`` None picks
    about √(n/2), between 2 and 20. ``max_score``: tickets whose best theme score is below it count as poorly
    explained (0.5 = only those tagged 其他; 0.8 also those with a single weak-ish match).

    Columns: candidate (1 = largest), size, share (of all tickets), suggested_name, keywords (``、``-joined),
    examples (`` | ``-joined, closest to the centre first), example_ids.
    """
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

    from .keywords import ticket_words

    df = _as_frame(data, text_column)
    n_all = len(df)
    norm, tokens = _prepared(df)
    # Always tagged here with the taxonomy, even when ``data`` comes from `fankui analyze`: its themes and scores
    # are by default the hybrid's (taxonomy + built-in model), and the question here is what the *taxonomy* —
    # the file the user edits — does not explain. Tagging is cheap; the segmentation above is what is reused.
    if tagger is None:
        from .zeroshot import ThemeTagger

        tagger = ThemeTagger()
    lists, scores, _, _ = tagger.tag_prepared(norm, tokens)
    themes = [";".join(t) for t in lists]
    other = tagger.other
    mask = poorly_explained(themes, scores, other, max_score)
    sub = df.loc[mask].copy()
    sub["tokens"] = [tokens[i] for i in np.flatnonzero(mask)]
    words = ticket_words(sub, "tokens")
    keep = [i for i, w in enumerate(words) if w]
    if len(keep) < 2 * min_cluster_size:
        return pd.DataFrame(columns=COLUMNS)
    sub = sub.iloc[keep]
    words = [words[i] for i in keep]
    vec = TfidfVectorizer(analyzer=lambda ws: ws, min_df=2 if len(words) >= 20 else 1, sublinear_tf=True)
    try:
        X = vec.fit_transform(words)
    except ValueError:  # no word occurs twice: nothing to group
        return pd.DataFrame(columns=COLUMNS)
    nonempty = np.asarray(X.getnnz(axis=1) > 0)
    X, sub = X[nonempty], sub.iloc[np.flatnonzero(nonempty)]
    n = X.shape[0]
    k = n_clusters or int(min(20, max(2, round(math.sqrt(n / 2)))))
    k = max(1, min(k, n // max(min_cluster_size, 1)))
    if n < 2 or k < 1:
        return pd.DataFrame(columns=COLUMNS)
    km = KMeans(n_clusters=k, random_state=seed, n_init=10).fit(X)
    names = vec.get_feature_names_out()
    texts = sub[text_column].astype(str).tolist()
    ids = sub[id_column].astype(str).tolist() if id_column in sub.columns else [str(i + 1) for i in sub.index]
    dist = km.transform(X)
    rows = []
    for c in range(k):
        members = np.flatnonzero(km.labels_ == c)
        if len(members) < min_cluster_size:
            continue
        centre = km.cluster_centers_[c]
        order = np.lexsort((names, -centre))  # ties broken by the word, for determinism
        kws = [str(names[j]) for j in order[:top_k] if centre[j] > 0]
        closest = members[np.lexsort((members, dist[members, c]))][:n_examples]
        rows.append({"size": len(members), "share": round(len(members) / max(n_all, 1), 4),
                     "suggested_name": "".join(kws[:2]), "keywords": "、".join(kws),
                     "examples": " | ".join(texts[i] for i in closest),
                     "example_ids": ";".join(ids[i] for i in closest), "_key": kws[0] if kws else ""})
    rows.sort(key=lambda r: (-r["size"], r["_key"]))
    out = pd.DataFrame(rows, columns=[c for c in COLUMNS if c != "candidate"] + ["_key"]).drop(columns="_key")
    out.insert(0, "candidate", range(1, len(out) + 1))
    return out


def _as_frame(data, text_column: str) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        if text_column not in data.columns:
            raise InputError(f"column {text_column!r} not found for discovery.",
                             f"Columns found: {', '.join(map(str, data.columns))}. Pass text_column=.")
        return data.reset_index(drop=True)
    if isinstance(data, str):
        raise InputError("expected a list of texts, got a single string.", "Wrap it in a list.")
    return pd.DataFrame({text_column: list(data)})


def _prepared(df: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    if "text_norm" in df.columns and "tokens" in df.columns:
        norm = [t if isinstance(t, str) else "" for t in df["text_norm"].tolist()]
        toks = [t if isinstance(t, list) else (t.split(" ") if isinstance(t, str) and t else []) for t in df["tokens"]]
        return norm, toks
    from ..segment import prepare_texts

    col = "text" if "text" in df.columns else df.columns[0]
    return prepare_texts(df[col].fillna("").astype(str).tolist())
