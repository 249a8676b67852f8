"""Chinese-aware sentiment features: jieba words with negation scope, character n-grams, lexicon counts.

Three blocks, each L2-normalised on its own and stacked side by side:

- **words**: jieba tokens and token bigrams. Tokens inside a negation scope (after 不/没/没有/别/无/未/不是...,
  up to punctuation or ``NEGATION_SCOPE`` tokens) are marked ``NEG_好吃``, so "不好吃" is not "好吃".
- **chars**: character 1–3-grams of the normalised text; they catch "太慢", "不高兴" even when jieba splits oddly
  and they cover words jieba has never seen.
- **lexicon**: counts of positive and negative lexicon words (``lexicons/sentiment_*.txt``), flipped inside a
  negation scope and scaled by a preceding degree word (很/太/有点). Their weights are learned from the training
  corpus, so a lexicon word the corpus never saw still carries the weight of its polarity.

Weighting is TF-IDF with sublinear tf (``1 + log tf``) and smooth idf, as scikit-learn computes it; we keep
vocabulary and idf as plain arrays so that a model is saved without pickle.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

from ..resources import lexicon_path

NEGATION_SCOPE = 3
NEG_PREFIX = "NEG_"
LEXICON_FEATURES = ("LEX_pos", "LEX_neg")
# The lexicon block is small (2 columns) next to thousands of n-grams; it is scaled so a single strong lexicon
# hit weighs about as much as a strong n-gram.
_LEX_SCALE = 0.5


def _read_list(name: str) -> list[str]:
    out = []
    for line in lexicon_path(name).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


@lru_cache(maxsize=1)
def negation_words() -> frozenset[str]:
    return frozenset(_read_list("sentiment_negation.txt"))


@lru_cache(maxsize=1)
def degree_words() -> dict[str, float]:
    out = {}
    for line in _read_list("sentiment_degree.txt"):
        word, _, weight = line.partition("\t")
        out[word.strip()] = float(weight) if weight.strip() else 1.5
    return out


@lru_cache(maxsize=1)
def polarity_lexicon() -> dict[str, int]:
    """word → +1 / -1 from the shipped positive and negative lists."""
    lex = {w: 1 for w in _read_list("sentiment_positive.txt")}
    lex.update({w: -1 for w in _read_list("sentiment_negative.txt")})
    return lex


def _is_break(token: str) -> bool:
    # Punctuation, symbols and whitespace end a negation scope ("不贵，但是难吃": 难吃 is not negated).
    if token.isalnum():  # the common case, checked in C
        return False
    return not token.strip() or all(unicodedata.category(ch)[0] in "PSZ" for ch in token)


BREAK, NEGATOR, WORD = 1, 2, 0
BREAK_MARK = "|"


def token_info(tok: str) -> tuple[int, str, int, float]:
    """What the marker needs to know about one jieba token: (kind, word, polarity, degree boost).

    ``word`` is the lower-cased token (inner whitespace as ``_`` so a word never splits in two).

    >>> token_info("很满意"), token_info("，"), token_info("没有")[0]
    ((0, '很满意', 1, 1.0), (1, '|', 0, 1.0), 2)
    """
    if _is_break(tok):
        return BREAK, BREAK_MARK, 0, 1.0
    word = tok.lower()
    if not word.isalnum():
        word = "_".join(word.split())
    if word in negation_words():
        return NEGATOR, word, 0, 1.0
    lex, degree = polarity_lexicon(), degree_words()
    polarity = lex.get(word, 0) or _lookup_compound(word, lex, degree, negation_words())
    return WORD, word, polarity, degree.get(word, 1.0)


def _mark(tokens, cache: dict, info_of) -> tuple[list, float, float, list[tuple[str, int]]]:
    """The negation/degree state machine shared by fitting (strings) and the fast transform (ids).

    ``cache[tok]`` (or ``info_of(tok)`` on a miss) is ``(kind, plain, negated, polarity, boost, word)``;
    ``plain``/``negated`` are what is emitted for the token outside / inside a negation scope (strings or ids).
    """
    out: list = []
    append = out.append
    hits: list[tuple[str, int]] = []
    pos = neg = 0.0
    scope = 0
    boost = 1.0
    for tok in tokens:
        kind, plain, negated, polarity, tok_boost, word = cache.get(tok) or info_of(tok)
        if kind == BREAK:
            append(plain)
            scope = 0
            boost = 1.0
            continue
        if kind == NEGATOR:
            # "不是不好" is a double negation: a negator inside a scope closes it.
            scope = 0 if scope else NEGATION_SCOPE
            append(plain)
            continue
        if scope:
            append(negated)
            scope -= 1
            if polarity:
                polarity = -polarity
                word = NEG_PREFIX + word
        else:
            append(plain)
        if polarity:
            if polarity > 0:
                pos += boost
            else:
                neg += boost
            hits.append((word, polarity))
        boost = tok_boost
    return out, pos, neg, hits


_STRING_INFO: dict[str, tuple] = {}


def _string_info(tok: str) -> tuple:
    info = _STRING_INFO.get(tok)
    if info is None:
        kind, word, polarity, boost = token_info(tok)
        info = (kind, word, NEG_PREFIX + word, polarity, boost, word)
        if len(_STRING_INFO) > 500_000:  # bounded cache: free text has an open vocabulary
            _STRING_INFO.clear()
        _STRING_INFO[tok] = info
    return info


def mark_tokens(tokens: list[str]) -> tuple[str, float, float, list[tuple[str, int]]]:
    """Words for the vectorizer ("|" at clause breaks), positive and negative lexicon scores, and the lexicon hits.

    >>> mark_tokens(["我", "今天", "不", "高兴"])[0]
    '我 今天 不 NEG_高兴'
    """
    out, pos, neg, hits = _mark(tokens, _STRING_INFO, _string_info)
    return " ".join(out), pos, neg, hits


def _lookup_compound(tok: str, lex: dict[str, int], degree: dict[str, float], neg_words) -> int:
    """Polarity of a jieba word that glues a degree word or negator to a lexicon word (很满意, 不满意, 太贵)."""
    for cut in (1, 2):
        head, rest = tok[:cut], tok[cut:]
        if rest and rest in lex:
            if head in neg_words:
                return -lex[rest]
            if head in degree:
                return lex[rest]
    return 0


def word_ngrams(marked: str) -> list[str]:
    """Words and word bigrams of a marked text; bigrams never span a clause break ``|``.

    >>> word_ngrams("太 慢 | 不 NEG_好")
    ['太', '慢', '不', 'NEG_好', '太 慢', '不 NEG_好']
    """
    words = marked.split(" ")
    grams = [w for w in words if w != BREAK_MARK and w]
    for a, b in zip(words, words[1:]):
        if a != BREAK_MARK and b != BREAK_MARK and a and b:
            grams.append(a + " " + b)
    return grams


def _sublinear_tfidf_l2(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """``(1 + log tf) * idf``, each row scaled to unit length; works on the CSR arrays in place."""
    x = counts.astype(np.float32, copy=True).tocsr()
    data = x.data
    np.log(data, out=data)
    data += 1.0
    data *= idf.astype(np.float32)[x.indices]
    rows = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
    norms = np.sqrt(np.bincount(rows, weights=data.astype(np.float64) ** 2, minlength=x.shape[0]))
    norms[norms == 0] = 1.0
    data /= norms[rows].astype(np.float32)
    return x


def _fit_vocab(counts: sp.csr_matrix, names: np.ndarray, min_df: int, max_features: int | None):
    n_docs = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    keep = np.flatnonzero(df >= min_df)
    if max_features is not None and len(keep) > max_features:
        # Most frequent first; ties broken by name so a rebuild gives the same vocabulary.
        order = np.lexsort((names[keep], -df[keep]))
        keep = np.sort(keep[order[:max_features]])
    idf = np.log((1.0 + n_docs) / (1.0 + df[keep])) + 1.0
    return [str(n) for n in names[keep]], idf


class Featurizer:
    """Fitted feature extractor (not an estimator: it is internal state of :class:`SentimentClassifier`).

    ``transform`` is the hot path of ``fankui analyze``: tokens are marked through a per-token cache of word
    ids, and both n-gram blocks are counted with NumPy (:mod:`fankui.sentiment.vectorize`).
    """

    def __init__(self, word_vocab, word_idf, char_vocab, char_idf, char_ngram_range=(1, 3), lexicon=True):
        self.word_vocab = list(word_vocab)
        self.char_vocab = list(char_vocab)
        self.word_idf = np.asarray(word_idf, dtype=np.float64)
        self.char_idf = np.asarray(char_idf, dtype=np.float64)
        self.char_ngram_range = tuple(char_ngram_range)
        self.lexicon = bool(lexicon)
        self._build()

    def _build(self):
        from .vectorize import CharNgramCounter, WordNgramCounter

        self._names: list[str] | None = None
        self._words = WordNgramCounter(self.word_vocab)
        self._chars = CharNgramCounter(self.char_vocab, self.char_ngram_range)
        self._info: dict[str, tuple] = {}

    def to_file_parts(self) -> tuple[dict, dict[str, np.ndarray]]:
        """``(meta, arrays)`` for a model file (:mod:`fankui.model_file`): vocabularies as JSON, idf as float32."""
        meta = {"char_ngram_range": list(self.char_ngram_range), "lexicon": self.lexicon,
                "word_vocab": self.word_vocab, "char_vocab": self.char_vocab}
        arrays = {"word_idf": self.word_idf.astype(np.float32), "char_idf": self.char_idf.astype(np.float32)}
        return meta, arrays

    @classmethod
    def from_file_parts(cls, meta: dict, arrays: dict[str, np.ndarray]) -> "Featurizer":
        """The featurizer saved by :meth:`to_file_parts`."""
        return cls(meta["word_vocab"], arrays["word_idf"], meta["char_vocab"], arrays["char_idf"],
                   tuple(meta["char_ngram_range"]), meta["lexicon"])

    def __getstate__(self):
        # The counters and the token cache are rebuilt on unpickling; only the fitted arrays travel.
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._build()

    @classmethod
    def fit(cls, texts: list[str], tokens: list[list[str]], *, char_ngram_range=(1, 3), min_df=2,
            max_features: int | None = None, lexicon=True, words=True) -> tuple["Featurizer", sp.csr_matrix]:
        """Fit the vocabularies on ``texts``/``tokens``; ``words=False`` keeps character n-grams only."""
        from sklearn.feature_extraction.text import CountVectorizer

        budget = None if max_features is None else (max_features // 2 if words else max_features)
        wvocab, widf = [], np.zeros(0)
        if words:
            marked = [mark_tokens(t)[0] for t in tokens]
            wv = CountVectorizer(analyzer=word_ngrams)
            wc = wv.fit_transform(marked).tocsr()
            wvocab, widf = _fit_vocab(wc, wv.get_feature_names_out(), min_df, budget)
        cv = CountVectorizer(analyzer="char", ngram_range=tuple(char_ngram_range), lowercase=True)
        cc = cv.fit_transform(texts).tocsr()
        cvocab, cidf = _fit_vocab(cc, cv.get_feature_names_out(), min_df, budget)
        feat = cls(wvocab, widf, cvocab, cidf, char_ngram_range, lexicon)
        return feat, feat.transform(texts, tokens)

    def _id_info(self, tok: str) -> tuple:
        info = self._info.get(tok)
        if info is None:
            kind, word, polarity, boost = token_info(tok)
            ids = self._words.word_ids
            if kind == BREAK:
                info = (kind, -1, -1, 0, 1.0, word)
            else:
                info = (kind, ids.get(word, 0), ids.get(NEG_PREFIX + word, 0), polarity, boost, word)
            if len(self._info) > 500_000:  # bounded cache: free text has an open vocabulary
                self._info.clear()
            self._info[tok] = info
        return info

    def transform(self, texts: list[str], tokens: list[list[str]], return_hits: bool = False):
        """Feature matrix; with ``return_hits`` also each text's lexicon hits (for explanations)."""
        if not self.word_vocab and not self.lexicon:
            # Character n-grams only (a theme model's choice): no per-token marking pass at all.
            X = _sublinear_tfidf_l2(self._chars.count(texts), self.char_idf)
            return (X, [[] for _ in texts]) if return_hits else X
        flat: list[int] = []
        lengths: list[int] = []
        lex: list[tuple[float, float]] = []
        hits_all = []
        info_of, cache = self._id_info, self._info
        for toks in tokens:
            ids, pos, neg, hits = _mark(toks, cache, info_of)
            flat.extend(ids)
            lengths.append(len(ids))
            lex.append((pos, neg))
            hits_all.append(hits)
        lengths = np.asarray(lengths, dtype=np.int64)
        lex = np.asarray(lex, dtype=np.float32).reshape(len(texts), 2)
        xw = _sublinear_tfidf_l2(self._words.count(np.asarray(flat, dtype=np.int64), lengths), self.word_idf)
        xc = _sublinear_tfidf_l2(self._chars.count(texts), self.char_idf)
        blocks = [xw, xc]
        if self.lexicon:
            blocks.append(sp.csr_matrix(np.log1p(lex) * _LEX_SCALE))
        X = sp.hstack(blocks, format="csr", dtype=np.float32)
        return (X, hits_all) if return_hits else X

    @property
    def n_features(self) -> int:
        return len(self.word_vocab) + len(self.char_vocab) + (2 if self.lexicon else 0)

    def feature_names(self) -> list[str]:
        """Internal names: ``w:`` words and bigrams, ``c:`` character n-grams, ``LEX_pos``/``LEX_neg``."""
        if self._names is None:
            names = ["w:" + w for w in self.word_vocab] + ["c:" + c for c in self.char_vocab]
            self._names = names + (list(LEXICON_FEATURES) if self.lexicon else [])
        return self._names


def readable(name: str) -> str:
    """Turn an internal feature name into a phrase a person can read.

    >>> readable("w:NEG_高兴"), readable("w:太 慢"), readable("c:退款")
    ('不~高兴', '太慢', '退款')
    """
    kind, _, body = name.partition(":")
    if kind == "c":
        return body
    if kind == "w":
        parts = body.split(" ")
        out = []
        for i, p in enumerate(parts):
            if p.startswith(NEG_PREFIX):
                # After its own negator ("不 NEG_好吃") the word reads naturally; alone it needs the "不~" mark.
                p = p[len(NEG_PREFIX):] if i > 0 else "不~" + p[len(NEG_PREFIX):]
            out.append(p)
        return "".join(out)
    return {"LEX_pos": "正面词", "LEX_neg": "负面词"}.get(name, name)


def nb_ratio(X, target, alpha: float = 1.0, sample_weight=None) -> np.ndarray:
    """NB-SVM log-count ratio log((p_j / |p|) / (q_j / |q|)) on binarised features; positive class p, negative q.

    Shared by the sentiment classifier and the supervised theme classifier, which both scale features by it.
    ``sample_weight`` makes each document count that many times (down-weighted out-of-domain rows).
    """
    xb = X.copy()
    xb.data = np.ones_like(xb.data)
    if sample_weight is not None:
        xb = sp.diags(np.asarray(sample_weight, dtype=np.float64)) @ xb
    p = alpha + np.asarray(xb[target == 1].sum(axis=0)).ravel()
    q = alpha + np.asarray(xb[target == 0].sum(axis=0)).ravel()
    return np.log((p / p.sum()) / (q / q.sum()))
