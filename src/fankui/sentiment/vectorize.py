"""Counting a fixed n-gram vocabulary in many texts at once, with NumPy instead of a Python loop per n-gram.

scikit-learn's ``CountVectorizer.transform`` builds every n-gram string of every text and looks it up in a dict,
one Python operation per n-gram; on short reviews that was the slowest step of ``fankui analyze``. Here an
n-gram is an integer: each character (or word) of the vocabulary gets a small id, an n-gram packs its ids into
one int64 (``bits`` per id), and all n-grams of all texts are looked up together with ``np.searchsorted`` in
the sorted keys of the vocabulary. Characters or words that occur in no vocabulary entry get id 0, and any
n-gram containing a 0 is simply not in the vocabulary. The result is exactly ``CountVectorizer``'s counts
(``tests/test_sentiment_speed.py`` checks it against scikit-learn on awkward text).

    >>> cc = CharNgramCounter(["好", "好吃", "不好"], (1, 2))
    >>> cc.count(["不好吃", "好好"]).toarray().tolist()
    [[1, 1, 1], [2, 0, 0]]
"""

from __future__ import annotations

import re

import numpy as np
import scipy.sparse as sp

__all__ = ["CharNgramCounter", "WordNgramCounter"]

# CountVectorizer's char analyzer squeezes runs of whitespace to one space before making n-grams.
_WHITE_SPACES = re.compile(r"\s\s+")


def _pack(ids: np.ndarray, n: int, bits: int, valid_len: int) -> np.ndarray:
    """Key of each n-gram starting at positions 0..valid_len-1 of ``ids`` (0 where an id is unknown)."""
    key = ids[:valid_len].copy()
    ok = key != 0
    for k in range(1, n):
        part = ids[k:valid_len + k]
        ok &= part != 0
        key = (key << bits) | part
    key[~ok] = 0
    return key


class _SortedKeys:
    """Vocabulary keys in an open-addressing hash table (linear probing), looked up for many keys at once.

    (Named for its first implementation, a sorted array; the interface is the same.)

    A table at most a quarter full needs ~1.2 probes per key; each probe round is one vectorised gather over
    the keys still unresolved. Key 0 means "empty slot" (no vocabulary n-gram has key 0).
    """

    _MULT = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing

    def __init__(self, keys: np.ndarray, cols: np.ndarray):
        size_bits = max(4, int(4 * max(len(keys), 1)).bit_length())
        self.shift = np.uint64(64 - size_bits)
        home = self._hash(keys)
        # Insert in order of home slot: each key goes to its home or the first slot after the previous key,
        # p_i = max(h_i, p_(i-1) + 1), computed for all keys at once with a running maximum. Slots h_i..p_i are
        # then all occupied, which is what a linear-probing lookup relies on. Keys never wrap around: the table
        # has a tail past 2**size_bits, and always one empty slot at the end so every probe stops.
        order = np.argsort(home, kind="stable")
        step = np.arange(len(keys), dtype=np.int64)
        place = np.maximum.accumulate(home[order] - step) + step if len(keys) else step
        size = max(1 << size_bits, int(place[-1]) + 1 if len(keys) else 0) + 1
        self.slot_key = np.zeros(size, dtype=np.int64)
        self.slot_col = np.full(size, -1, dtype=np.int64)
        self.slot_key[place] = keys[order]
        self.slot_col[place] = cols[order]

    def _hash(self, key: np.ndarray) -> np.ndarray:
        return ((key.astype(np.uint64) * self._MULT) >> self.shift).astype(np.int64)

    def lookup(self, key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(positions of ``key`` that are in the vocabulary, their vocabulary columns)."""
        todo = np.flatnonzero(key)
        if not len(todo):
            return todo, todo
        want = key[todo]
        slot = self._hash(want)
        found_pos, found_col = [], []
        while len(todo):
            have = self.slot_key[slot]
            hit = have == want
            if hit.any():
                found_pos.append(todo[hit])
                found_col.append(self.slot_col[slot[hit]])
            go_on = ~hit & (have != 0)  # an empty slot ends the probe: not in the vocabulary
            todo, want, slot = todo[go_on], want[go_on], slot[go_on] + 1
        if not found_pos:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(found_pos), np.concatenate(found_col)


def _bits_for(n_ids: int) -> int:
    return max(1, int(n_ids + 1).bit_length())


def _counts(rows: np.ndarray, cols: np.ndarray, n_rows: int, n_cols: int) -> sp.csr_matrix:
    m = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n_rows, n_cols))
    m.sum_duplicates()  # repeated n-grams become counts; also sorts the column indices of each row
    return m


class CharNgramCounter:
    """Counts of a fixed vocabulary of character n-grams (lower-cased, like ``CountVectorizer(analyzer="char")``)."""

    def __init__(self, vocab: list[str], ngram_range: tuple[int, int] = (1, 3)):
        self.vocab = list(vocab)
        self.ngram_range = (int(ngram_range[0]), int(ngram_range[1]))
        chars = sorted(set("".join(self.vocab)))
        lengths = np.fromiter(map(len, self.vocab), dtype=np.int64, count=len(self.vocab))
        self.bits = _bits_for(len(chars))
        # Exact packing needs n * bits <= 62 bits; a 7,000-character alphabet (13 bits) allows 4-grams.
        self.exact = self.ngram_range[1] * self.bits <= 62
        max_cp = max((ord(c) for c in chars), default=0)
        self.table = np.zeros(max_cp + 2, dtype=np.int64)
        for i, c in enumerate(chars, start=1):
            self.table[ord(c)] = i
        self._by_n: dict[int, _SortedKeys] = {}
        if self.exact:
            for n in range(self.ngram_range[0], self.ngram_range[1] + 1):
                idx = np.flatnonzero(lengths == n)
                grams = "".join(self.vocab[j] for j in idx)
                ids = self.table[np.frombuffer(grams.encode("utf-32-le"), dtype=np.uint32)].reshape(len(idx), n)
                keys = np.zeros(len(idx), dtype=np.int64)
                for k in range(n):
                    keys = (keys << self.bits) | ids[:, k]
                self._by_n[n] = _SortedKeys(keys, idx.astype(np.int64))
        else:  # pragma: no cover - only for very long n-grams over huge alphabets
            from sklearn.feature_extraction.text import CountVectorizer

            self._cv = CountVectorizer(analyzer="char", ngram_range=self.ngram_range, lowercase=True,
                                       vocabulary={g: i for i, g in enumerate(self.vocab)}, dtype=np.float32)

    def count(self, texts: list[str]) -> sp.csr_matrix:
        n_docs = len(texts)
        if not self.exact:  # pragma: no cover
            return self._cv.transform(texts).tocsr()
        docs = [_WHITE_SPACES.sub(" ", t.lower()) if t else "" for t in texts]
        lengths = np.fromiter((len(d) for d in docs), dtype=np.int64, count=n_docs)
        total = int(lengths.sum())
        if total == 0:
            return sp.csr_matrix((n_docs, len(self.vocab)), dtype=np.float32)
        cps = np.frombuffer("".join(docs).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        cps[cps >= len(self.table)] = len(self.table) - 1  # last table slot is always 0 (unknown)
        ids = self.table[cps]
        doc_of = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
        # distance from each position to the end of its text: an n-gram fits when it is >= n
        ends = np.cumsum(lengths)
        to_end = np.repeat(ends, lengths) - np.arange(total, dtype=np.int64)
        rows, cols = [], []
        for n, keys in self._by_n.items():
            if total < n:
                continue
            key = _pack(ids, n, self.bits, total - n + 1)
            key[to_end[:total - n + 1] < n] = 0
            where, col = keys.lookup(key)
            rows.append(doc_of[where])
            cols.append(col)
        return _counts(np.concatenate(rows), np.concatenate(cols), n_docs, len(self.vocab))


class WordNgramCounter:
    """Counts of a fixed vocabulary of words and word bigrams (``"太 慢"``) in token-id sequences.

    Texts arrive as one flat int array of word ids (0 = unknown word, -1 = clause break) and their lengths, as
    produced by :meth:`ids`; bigrams never span a clause break or two texts.
    """

    BREAK = -1

    def __init__(self, vocab: list[str]):
        self.vocab = list(vocab)
        # C-speed passes over the vocabulary (this runs at every model load): unigrams have no space,
        # bigrams exactly one.
        is_bi = np.fromiter((" " in e for e in self.vocab), dtype=bool, count=len(self.vocab))
        uni_idx, bi_idx = np.flatnonzero(~is_bi), np.flatnonzero(is_bi)
        unigrams = [self.vocab[j] for j in uni_idx]
        parts = " ".join(self.vocab[j] for j in bi_idx).split(" ") if len(bi_idx) else []
        words = dict(zip(dict.fromkeys(unigrams + parts), range(1, len(unigrams) + len(parts) + 1)))
        self.word_ids = words
        self.bits = _bits_for(len(words))
        get = words.__getitem__
        uni_keys = np.fromiter(map(get, unigrams), dtype=np.int64, count=len(unigrams))
        part_ids = np.fromiter(map(get, parts), dtype=np.int64, count=len(parts))
        bi_keys = (part_ids[0::2] << self.bits) | part_ids[1::2]
        self.uni_col = np.full(len(words) + 1, -1, dtype=np.int64)
        self.uni_col[uni_keys] = uni_idx
        self._bi = _SortedKeys(bi_keys, bi_idx.astype(np.int64))

    def count(self, flat_ids: np.ndarray, lengths: np.ndarray) -> sp.csr_matrix:
        n_docs = len(lengths)
        total = len(flat_ids)
        if total == 0:
            return sp.csr_matrix((n_docs, len(self.vocab)), dtype=np.float32)
        doc_of = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
        ids = np.where(flat_ids > 0, flat_ids, 0)
        ucol = self.uni_col[ids]
        uhit = np.flatnonzero(ucol >= 0)
        rows, cols = [doc_of[uhit]], [ucol[uhit]]
        if total > 1:
            key = (ids[:-1] << self.bits) | ids[1:]
            ok = (ids[:-1] != 0) & (ids[1:] != 0) & (doc_of[:-1] == doc_of[1:])
            key[~ok] = 0
            where, col = self._bi.lookup(key)
            rows.append(doc_of[where])
            cols.append(col)
        return _counts(np.concatenate(rows), np.concatenate(cols), n_docs, len(self.vocab))
