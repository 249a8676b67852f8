"""The fast scoring path gives exactly what the straightforward scikit-learn computation gives.

``fankui analyze`` counts n-grams with NumPy (:mod:`fankui.sentiment.vectorize`), reuses per-token marks and
ranks reasons with array operations; these tests pin them to the plain reference computation so speed never
changes a result. (Speed itself is measured in benchmarks/bench_speed.py, not here.)
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer

from fankui.sentiment import SentimentClassifier
from fankui.sentiment.features import mark_tokens, word_ngrams
from fankui.segment import prepare_texts
from fankui.sentiment.vectorize import CharNgramCounter, WordNgramCounter

TRAIN = ["物流很快，很满意", "质量太差了，退货", "客服态度很好", "等了一周还没到，非常失望", "东西不错，推荐购买",
         "做工粗糙，很后悔", "包装完好，很喜欢", "一直闪退，用不了", "性价比高，好评", "态度恶劣，投诉",
         "不是不好，就是有点贵", "iPhone 屏幕 OK", "请问什么时候发货", "订单号在哪里看"]
LABELS = [1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, 1, 0, 0]
# Awkward input: upper case, runs of spaces and tabs, emoji, characters outside the vocabulary, empty text,
# Latin letters whose lower case is longer (İ), double negation, a text of one character.
AWKWARD = ["物流很快，很满意！！", "ABC  Déf\tX 很好", "", "😀好😀", "İstanbul 很好", "不是不好", "差",
           "没有没有没有", "质量太差了，退货；客服态度很好", "  ", "请问 什么时候 发货?"]


@pytest.fixture(scope="module")
def model():
    return SentimentClassifier(C=1.0, min_df=1).fit(TRAIN, LABELS)


def test_char_counts_equal_countvectorizer(model):
    feat = model.featurizer_
    norm, _ = prepare_texts(AWKWARD + TRAIN)
    ref = CountVectorizer(analyzer="char", ngram_range=feat.char_ngram_range, lowercase=True,
                          vocabulary={g: i for i, g in enumerate(feat.char_vocab)}).transform(norm)
    fast = CharNgramCounter(feat.char_vocab, feat.char_ngram_range).count(norm)
    assert fast.shape == ref.shape
    assert abs(fast - ref).sum() == 0


def test_word_counts_equal_countvectorizer(model):
    feat = model.featurizer_
    norm, tokens = prepare_texts(AWKWARD + TRAIN)
    ref = CountVectorizer(analyzer=word_ngrams, vocabulary={w: i for i, w in enumerate(feat.word_vocab)})
    ref = ref.transform([mark_tokens(t)[0] for t in tokens])
    X = feat.transform(norm, tokens)
    n_words = len(feat.word_vocab)
    # same non-zero pattern in the word block as the reference counts
    assert (X[:, :n_words] != 0).toarray().tolist() == (ref != 0).toarray().tolist()


def test_bigrams_do_not_cross_clause_breaks():
    counter = WordNgramCounter(["好", "吃", "好 吃"])
    ids = np.array([1, 2, 1, -1, 2], dtype=np.int64)  # 好 吃 好 | 吃
    assert counter.count(ids, np.array([5])).toarray().tolist() == [[2, 2, 1]]
    assert word_ngrams("好 | 吃") == ["好", "吃"]


def test_marks_and_hits_match_the_string_marker(model):
    norm, tokens = prepare_texts(AWKWARD + TRAIN)
    X, hits = model.featurizer_.transform(norm, tokens, return_hits=True)
    ref = [mark_tokens(t) for t in tokens]
    assert hits == [r[3] for r in ref]
    lex = np.log1p(np.array([[r[1], r[2]] for r in ref])) * 0.5
    np.testing.assert_allclose(X[:, -2:].toarray(), lex, rtol=1e-6)


def test_repeated_calls_and_pickle_give_the_same_features(model):
    import pickle

    norm, tokens = prepare_texts(AWKWARD)
    a = model.featurizer_.transform(norm, tokens)
    b = model.featurizer_.transform(norm, tokens)  # second call: token cache warm
    c = pickle.loads(pickle.dumps(model)).featurizer_.transform(norm, tokens)
    assert abs(a - b).sum() == 0 and abs(a - c).sum() == 0


def test_reasons_are_the_strongest_pushes(model):
    from fankui.sentiment.explain import reasons_from_features

    norm, tokens = prepare_texts(TRAIN)
    X, hits = model.featurizer_.transform(norm, tokens, return_hits=True)
    proba = model.proba_from_features(X)
    reasons = reasons_from_features(model, X, proba, top=3, hits=hits)
    for row, (r, p) in enumerate(zip(reasons, proba)):
        assert len(r) <= 3
        values = [c for _, c in r]
        if model.classes_[p.argmax()] == "negative":
            assert all(c < 0 for c in values) and values == sorted(values)
        elif model.classes_[p.argmax()] == "positive":
            assert all(c > 0 for c in values) and values == sorted(values, reverse=True)


def test_scoring_path_does_not_import_sklearn():
    code = ("import sys, pandas as pd\n"
            "from fankui.pipeline import Pipeline, default_stages\n"
            "out = Pipeline(default_stages(themes=False))(pd.DataFrame({'text': ['快递太慢了', '很好']}))\n"
            "assert out['sentiment'].tolist() == ['negative', 'positive'], out\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sklearn'))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_scoring_only_model_matches_the_estimator(model, tmp_path):
    from fankui.sentiment import load_model, save_model
    from fankui.sentiment.predictor import SentimentModel

    path = save_model(model, tmp_path / "m.npz")
    light = load_model(path, estimator=False)
    assert isinstance(light, SentimentModel) and not hasattr(light, "fit")
    full = load_model(path)
    np.testing.assert_allclose(light.predict_proba(AWKWARD), full.predict_proba(AWKWARD))
    assert list(light.classes_) == list(full.classes_)
    back = light.to_estimator()
    np.testing.assert_allclose(back.predict_proba(AWKWARD), full.predict_proba(AWKWARD))
    assert back.get_params() == full.get_params()
