"""Sentiment: estimator contract, labels, safe persistence, explanations, built-in model golden cases."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError as SkNotFittedError

from fankui import errors
from fankui.sentiment import (SentimentClassifier, evaluate, explain, load_default, load_model, save_model,
                              sentiment_stage, to_canonical)

TEXTS = ["物流很快，很满意", "质量太差了，退货", "客服态度很好", "等了一周还没到，非常失望", "东西不错，推荐购买",
         "做工粗糙，很后悔", "包装完好，很喜欢", "一直闪退，用不了", "性价比高，好评", "态度恶劣，投诉",
         "请问什么时候发货", "订单号在哪里看", "可以开发票吗", "请问有没有黑色的"]
LABELS3 = [1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 0, 0, 0, 0]


@pytest.fixture(scope="module")
def fitted():
    return SentimentClassifier(C=4.0, min_df=1).fit(TEXTS, LABELS3)


def test_fit_returns_self_and_params_roundtrip():
    clf = SentimentClassifier(C=2.0, neutral_band=0.1, min_df=1)
    assert clf.fit(TEXTS, LABELS3) is clf
    twin = clone(clf)
    assert twin.get_params() == clf.get_params()
    assert not hasattr(twin, "coef_")
    assert SentimentClassifier(**clf.get_params()).get_params() == clf.get_params()


def test_not_fitted_error_is_both_kinds():
    clf = SentimentClassifier()
    for call in (clf.predict, clf.predict_proba):
        with pytest.raises(SkNotFittedError):
            call(["好"])
        with pytest.raises(errors.NotFittedError):
            call(["好"])


def test_probabilities_follow_classes_and_sum_to_one(fitted):
    assert list(fitted.classes_) == ["negative", "neutral", "positive"]
    proba = fitted.predict_proba(["很满意", "太差了", "请问几点上班"])
    assert proba.shape == (3, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-9)
    assert (proba >= 0).all()
    assert list(fitted.predict(["很满意"])) == [fitted.classes_[proba[0].argmax()]]


def test_list_series_and_array_agree(fitted):
    texts = ["物流很快", "非常失望", "请问可以开发票吗"]
    a = fitted.predict_proba(texts)
    np.testing.assert_array_equal(a, fitted.predict_proba(pd.Series(texts, index=[7, 3, 5])))
    np.testing.assert_array_equal(a, fitted.predict_proba(np.array(texts, dtype=object)))


def test_single_string_is_a_clear_error(fitted):
    with pytest.raises(errors.InputError, match="single string"):
        fitted.predict("很好")


def test_pickle_and_safe_format_roundtrip(fitted, tmp_path):
    texts = ["物流很快", "非常失望", "请问可以开发票吗", "不是很满意"]
    expected = fitted.predict_proba(texts)
    np.testing.assert_allclose(pickle.loads(pickle.dumps(fitted)).predict_proba(texts), expected)
    path = save_model(fitted, tmp_path / "m.npz")
    again = load_model(path)
    np.testing.assert_allclose(again.predict_proba(texts), expected, rtol=1e-5, atol=1e-6)
    assert again.get_params() == fitted.get_params()
    # The file holds no pickled objects: numpy can read every member with pickling switched off.
    with np.load(path, allow_pickle=False) as data:
        assert {"meta", "coef"} <= set(data.files)
        for name in data.files:
            data[name]


def test_load_model_rejects_other_files(tmp_path):
    bad = tmp_path / "x.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(errors.ModelError, match="not a fankui sentiment model"):
        load_model(bad)
    np.savez(tmp_path / "y.npz", a=np.arange(3))
    with pytest.raises(errors.ModelError):
        load_model(tmp_path / "y.npz")
    with pytest.raises(errors.InputError, match="not found"):
        load_model(tmp_path / "missing.npz")


@pytest.mark.parametrize("pos,neu,neg", [(1, 0, -1), ("positive", "neutral", "negative"), ("正面", "中性", "负面"),
                                         ("好评", "中评", "差评"), ("1", "0", "-1"), (1.0, 0.0, -1.0)])
def test_training_with_each_three_class_spelling(pos, neu, neg):
    y = [{1: pos, 0: neu, -1: neg}[v] for v in LABELS3]
    clf = SentimentClassifier(C=4.0, min_df=1).fit(TEXTS, y)
    assert clf.mode_ == "multiclass"
    assert clf.predict(["订单号在哪里看"]).tolist() == ["neutral"]


@pytest.mark.parametrize("spelling", [(1, 0), ("1", "0"), ("positive", "negative"), ("好评", "差评"), (True, False)])
def test_training_with_binary_spellings_gives_neutral_band(spelling):
    texts = [t for t, l in zip(TEXTS, LABELS3) if l != 0]
    y = [spelling[0] if l == 1 else spelling[1] for l in LABELS3 if l != 0]
    clf = SentimentClassifier(C=4.0, min_df=1, neutral_band=0.2).fit(texts, y)
    assert clf.mode_ == "binary"
    proba = clf.predict_proba(texts + ["", "今天星期三"])
    q_pos, q_neu, q_neg = proba[:, 2], proba[:, 1], proba[:, 0]
    # The band rule: neutral wins exactly when calibrated P(positive) is within 0.2 of 0.5.
    q = q_pos / (q_pos + q_neg)
    np.testing.assert_array_equal(q_neu > np.maximum(q_pos, q_neg), np.abs(q - 0.5) < 0.2)
    assert (clf.predict(["物流很快，很满意"]) == "positive").all()


def test_zero_band_never_neutral():
    texts = [t for t, l in zip(TEXTS, LABELS3) if l != 0]
    clf = SentimentClassifier(C=1.0, min_df=1, neutral_band=0).fit(texts, [l for l in LABELS3 if l != 0])
    assert (clf.predict_proba(["今天星期三", ""])[:, 1] == 0).all()


def test_label_mapping():
    assert to_canonical([0, 1, 1]).tolist() == ["negative", "positive", "positive"]
    assert to_canonical([-1, 0, 1]).tolist() == ["negative", "neutral", "positive"]
    assert to_canonical([" Positive ", "NEG", "中性"]).tolist() == ["positive", "negative", "neutral"]


@pytest.mark.parametrize("labels,match", [
    (["好评", "差评", "一般般"] + ["好评"] * 11, "一般般"),
    ([1] * 14, "only one class"),
    ([1, 0, None] + [1] * 11, "empty label"),
    ([1, 0, 2] + [1] * 11, "2"),
])
def test_bad_labels_raise_label_error(labels, match):
    with pytest.raises(errors.LabelError, match=match):
        SentimentClassifier().fit(TEXTS, labels)


def test_explain_names_the_words(fitted):
    out = explain(fitted, ["质量太差了，很后悔"])
    assert list(out.columns) == ["text", "sentiment", "p_positive", "p_neutral", "p_negative", "reasons"]
    assert out["sentiment"].iloc[0] == "negative"
    reasons = out["reasons"].iloc[0]
    assert "(-" in reasons and any(w in reasons for w in ("差", "后悔"))


def test_evaluate_binary_and_three_class(fitted):
    r = evaluate(fitted, TEXTS, LABELS3)
    assert r["mode"] == "three-class" and r["labels"] == ["negative", "neutral", "positive"]
    assert np.array(r["confusion_matrix"]).sum() == len(TEXTS)
    rb = evaluate(fitted, TEXTS[:10], LABELS3[:10])
    assert rb["mode"] == "binary" and np.array(rb["confusion_matrix"]).shape == (2, 2)
    assert 0 <= rb["accuracy"] <= 1


# --- built-in model: golden cases the team wrote (never part of its training data) --------------------------
NEGATION_CASES = [
    ("我今天不高兴", "negative"),  # SnowNLP issue #89
    ("一点都不好吃", "negative"),
    ("不是很满意", "negative"),
    ("这次的快递不太给力", "negative"),
    ("没有想象中好用", "negative"),
    # Negated negative words ("不贵", "不差") read as praise: the marker flips them and the lexicons teach it.
    ("东西不贵，质量也不差", "positive"),
    ("我今天不开心", "negative"),
    ("说实话不怎么样", "negative"),
    ("价格不算贵，客服很耐心", "positive"),
    ("很满意，下次还会来", "positive"),
]
NEUTRAL_CASES = ["请问什么时候发货", "订单号是多少", "請問這款有藍色的嗎", "我想问一下退货地址", "请问周末有人值班吗",
                 "明天上午在家，请那时候送"]


@pytest.fixture(scope="module")
def default_model():
    return load_default()


@pytest.mark.parametrize("text,label", NEGATION_CASES)
def test_default_model_handles_negation(default_model, text, label):
    assert default_model.predict([text]).tolist() == [label]


@pytest.mark.parametrize("text", NEUTRAL_CASES)
def test_default_model_enquiries_are_neutral(default_model, text):
    assert default_model.predict([text]).tolist() == ["neutral"]


def test_default_model_traditional_equals_simplified(default_model):
    np.testing.assert_allclose(default_model.predict_proba(["質量很差，不會再買了"]),
                               default_model.predict_proba(["质量很差，不会再买了"]))


def test_default_model_small_labelled_file(default_model):
    from fankui.sentiment.labelled import read_labelled
    from tests.conftest import DATA

    data = read_labelled(DATA / "sentiment_labelled_small.csv")
    r = evaluate(default_model, data.texts, data.labels)
    assert r["n"] == 12 and r["mode"] == "three-class"
    assert r["accuracy"] >= 0.75  # measured 0.92 when written; a big drop means the model broke


def test_stage_adds_columns_and_reuses_tokens(default_model):
    from fankui.pipeline import Pipeline, default_stages

    stages = default_stages(sentiment=False, themes=False) + [sentiment_stage(default_model)]
    df = pd.DataFrame({"text": ["快递太慢了，等了一周", "請問什麼時候發貨？", "客服很耐心，问题解决了"]}, index=[5, 9, 2])
    out = Pipeline(stages)(df)
    assert out.index.tolist() == [5, 9, 2]
    assert out["sentiment"].tolist() == ["negative", "neutral", "positive"]
    np.testing.assert_allclose(out[["p_positive", "p_neutral", "p_negative"]].sum(axis=1), 1.0, atol=1e-3)
    assert "(-" in out["sentiment_reasons"].iloc[0]
    # The stage scores the pipeline's tokens: the same as scoring the raw text.
    np.testing.assert_allclose(out["p_negative"], default_model.predict_proba(df["text"])[:, 0], atol=1e-4)


def test_stage_rejects_bad_engine_and_model():
    with pytest.raises(errors.InputError, match="engine"):
        sentiment_stage(engine="bert")
    with pytest.raises(errors.InputError, match="snownlp"):
        sentiment_stage(model="x.npz", engine="snownlp")
    with pytest.raises(errors.NotFittedError):
        sentiment_stage(model=SentimentClassifier())


def test_default_model_on_team_golden_set(default_model):
    """Held-out check on tests/data/sentiment_golden.csv (hand-written hard cases by another engineer; the model
    is never trained on it, but the team corpus's weight, TEAM_WEIGHT, was chosen partly on it: see
    docs/sentiment.md). Measured 0.922 accuracy when added, 0.954 with the team corpus; the floor catches a
    broken model."""
    from fankui.sentiment.labelled import read_labelled
    from tests.conftest import DATA

    path = DATA / "sentiment_golden.csv"
    if not path.exists():
        pytest.skip("golden set not in this checkout")
    data = read_labelled(path)
    r = evaluate(default_model, data.texts, data.labels)
    assert r["mode"] == "three-class"
    assert r["accuracy"] >= 0.85, r


def test_nb_ratio_sample_weight_counts_a_row_that_many_times():
    import scipy.sparse as sp

    from fankui.sentiment.features import nb_ratio

    X = sp.csr_matrix(np.array([[1, 0, 2], [0, 3, 1], [1, 1, 0], [0, 0, 5]], dtype=np.float32))
    t = np.array([1, 0, 1, 0])
    doubled = nb_ratio(sp.vstack([X, X[[0]]]).tocsr(), np.append(t, 1))
    assert np.allclose(nb_ratio(X, t, sample_weight=[2.0, 1.0, 1.0, 1.0]), doubled)
    assert np.allclose(nb_ratio(X, t, sample_weight=np.ones(4)), nb_ratio(X, t))
