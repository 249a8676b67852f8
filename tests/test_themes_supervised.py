"""Supervised themes: estimator contract, single- and multi-label training, safe save/load, train-themes CLI."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from fankui.errors import InputError, LabelError, ModelError
from fankui.themes import ThemeClassifier, load_theme_model, save_theme_model, theme_stage
from fankui.themes.persist import FORMAT
from tests.conftest import DATA, invoke

SINGLE = [
    ("快递三天还没到", "物流"), ("物流太慢了", "物流"), ("快递员送错地址", "物流"), ("发货太慢等了一周", "物流"),
    ("包裹一直没有物流信息", "物流"), ("快递丢件了", "物流"),
    ("质量太差用两天就坏", "质量"), ("做工粗糙有毛刺", "质量"), ("屏幕有坏点", "质量"), ("电池不耐用", "质量"),
    ("用了一周就坏了", "质量"), ("质量不行掉漆", "质量"),
    ("价格太贵了", "价格"), ("比别家贵一百", "价格"), ("刚买就降价", "价格"), ("运费比东西还贵", "价格"),
    ("价格不便宜", "价格"), ("这个价格不值", "价格"),
]


@pytest.fixture(scope="module")
def dev() -> pd.DataFrame:
    return pd.read_csv(DATA / "themes_dev.csv")


@pytest.fixture(scope="module")
def multi_model(dev) -> ThemeClassifier:
    return ThemeClassifier().fit(dev["text"], dev["themes"])


def test_single_label_training_and_prediction():
    texts, labels = zip(*SINGLE)
    clf = ThemeClassifier(C=10).fit(list(texts), list(labels))
    assert not clf.multilabel_
    assert list(clf.classes_) == ["价格", "物流", "质量"]
    pred = clf.predict(["快递还没到", "质量太差", "价格太贵"])
    assert pred.tolist() == ["物流", "质量", "价格"]
    proba = clf.predict_proba(["快递还没到"])
    assert proba.shape == (1, 3) and np.allclose(proba.sum(axis=1), 1.0)


def test_multilabel_training_learns_several_themes(multi_model, dev):
    assert multi_model.multilabel_
    assert "物流配送" in multi_model.classes_ and "其他" in multi_model.classes_
    from fankui.themes.supervised import C_GRID, THRESHOLD_GRID

    assert multi_model.threshold_ in THRESHOLD_GRID and multi_model.C_ in C_GRID
    # On its own training data a multi-label model must recover most multi-theme rows.
    pred = multi_model.predict(dev["text"])
    multi_rows = dev["themes"].str.contains(";")
    got = [set(p.split(";")) == set(g.split(";")) for p, g in zip(pred[multi_rows], dev["themes"][multi_rows])]
    assert np.mean(got) > 0.5
    assert all(p for p in pred)  # min_labels=1: every row gets a theme


def test_estimator_contract(multi_model):
    params = multi_model.get_params()
    twin = clone(multi_model)
    assert twin.get_params() == params and not hasattr(twin, "coef_")
    with pytest.raises(Exception) as exc:
        twin.predict(["快递"])
    assert "not fitted" in str(exc.value)
    texts = ["快递太慢了", "退款还没到账"]
    assert multi_model.predict(texts).tolist() == multi_model.predict(pd.Series(texts)).tolist()
    back = pickle.loads(pickle.dumps(multi_model))
    assert np.allclose(back.predict_proba(texts), multi_model.predict_proba(texts))


def test_label_errors():
    with pytest.raises(LabelError, match="at least two"):
        ThemeClassifier().fit(["a", "b"], ["物流", "物流"])
    with pytest.raises(LabelError, match="1 row\\(s\\) have no theme"):
        ThemeClassifier().fit(["快递", "质量", "价格"], ["物流", "", "价格"])
    with pytest.raises(LabelError, match="2 texts but 1"):
        ThemeClassifier().fit(["快递", "质量"], ["物流"])


def test_save_load_round_trip_is_safe(multi_model, tmp_path):
    path = save_theme_model(multi_model, tmp_path / "themes.npz")
    with np.load(path, allow_pickle=False) as data:  # loads without pickle
        assert "coef" in data.files
    back = load_theme_model(path)
    texts = ["快递太慢了，包装也破了", "优惠券用不了"]
    assert np.allclose(back.predict_proba(texts), multi_model.predict_proba(texts), atol=1e-5)
    assert back.predict(texts).tolist() == multi_model.predict(texts).tolist()
    assert back.threshold_ == multi_model.threshold_ and back.C_ == multi_model.C_
    assert back.get_params() == multi_model.get_params()


def test_load_errors(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_theme_model(tmp_path / "none.npz")
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip")
    with pytest.raises(ModelError, match="not a fankui theme model"):
        load_theme_model(junk)
    from fankui.sentiment import SentimentClassifier, save_model

    sent = save_model(SentimentClassifier(C=1.0).fit(["很好", "太差", "满意", "失望"], [1, 0, 1, 0]), tmp_path / "s.npz")
    with pytest.raises(ModelError) as exc:
        load_theme_model(sent)
    assert "sentiment model" in exc.value.hint
    assert FORMAT == "fankui-themes"


def test_stage_with_supervised_model(multi_model):
    stage = theme_stage(model_path=multi_model)
    assert stage.assigns[0] == "themes" and f"score_{multi_model.classes_[0]}" in stage.assigns
    from fankui.pipeline import Pipeline
    from fankui.segment import SegmentStage
    from fankui.text import NormalizeStage

    out = Pipeline([NormalizeStage(), SegmentStage(), stage])(pd.DataFrame({"text": ["物流很快但是质量太差"]}))
    themes = out.loc[0, "themes"].split(";")
    assert themes and all(t in multi_model.classes_ for t in themes)
    sent = dict(p.split(":") for p in out.loc[0, "theme_sentiment"].split(";"))
    assert set(sent) == set(themes)


# -- CLI -------------------------------------------------------------------------------------------------------

def test_train_themes_cli_multi_label_then_analyze(runner, tmp_path):
    model = tmp_path / "m.npz"
    res = invoke(runner, "train-themes", DATA / "themes_dev.csv", "-o", model)
    assert res.exit_code == 0, res.output
    assert "152 texts, 11 themes (multi-label" in res.output
    src = tmp_path / "t.csv"
    pd.DataFrame({"反馈内容": ["快递太慢了", "优惠券用不了"]}).to_csv(src, index=False)
    out = tmp_path / "o.csv"
    res = invoke(runner, "analyze", src, "-o", out, "--themes-model", model, "-q")
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out)
    assert "score_物流配送" in df.columns and df["themes"].notna().all()


def test_train_themes_cli_single_label_with_named_columns(runner, tmp_path):
    texts, labels = zip(*SINGLE)
    src = tmp_path / "l.csv"
    pd.DataFrame({"内容": texts, "类型": labels}).to_csv(src, index=False)
    res = invoke(runner, "train-themes", src, "-o", tmp_path / "m.npz", "--text-column", "内容", "--label-column", "类型")
    assert res.exit_code == 0, res.output
    assert "single-label" in res.output


def test_train_themes_cli_unknown_label_column(runner, tmp_path):
    res = invoke(runner, "train-themes", DATA / "themes_dev.csv", "-o", tmp_path / "m.npz", "--label-column", "主题")
    assert res.exit_code == 2
    assert "column '主题' (given with --label-column) is not in the file." in res.output
    assert "Columns found: text, themes." in res.output


def test_train_themes_cli_rows_without_label(runner, tmp_path):
    src = tmp_path / "l.csv"
    pd.DataFrame({"text": ["快递慢", "质量差", "太贵"], "themes": ["物流", "", "价格"]}).to_csv(src, index=False)
    res = invoke(runner, "train-themes", src, "-o", tmp_path / "m.npz")
    assert res.exit_code == 2
    assert "1 row(s)" in res.output and "no theme" in res.output and "其他" in res.output


def test_train_themes_cli_bad_threshold_and_missing_folder(runner, tmp_path):
    res = invoke(runner, "train-themes", DATA / "themes_dev.csv", "-o", tmp_path / "m.npz", "--threshold", "2")
    assert res.exit_code == 2 and "--threshold must be a number between 0 and 1" in res.output
    res = invoke(runner, "train-themes", DATA / "themes_dev.csv", "-o", tmp_path / "no" / "m.npz")
    assert res.exit_code == 2 and "does not exist" in res.output


def test_analyze_cli_rejects_sentiment_model_as_theme_model(runner, tmp_path):
    from fankui.sentiment import SentimentClassifier, save_model

    sent = save_model(SentimentClassifier(C=1.0).fit(["很好", "太差", "满意", "失望"], [1, 0, 1, 0]), tmp_path / "s.npz")
    src = tmp_path / "t.csv"
    pd.DataFrame({"反馈内容": ["快递太慢了"]}).to_csv(src, index=False)
    res = invoke(runner, "analyze", src, "-o", tmp_path / "o.csv", "--themes-model", sent)
    assert res.exit_code == 2
    assert "not a fankui theme model" in res.output and "--model" in res.output


def test_help_has_examples(runner):
    for cmd in ("train-themes", "discover"):
        res = invoke(runner, cmd, "--help")
        assert res.exit_code == 0 and "Example:" in res.output


def test_character_only_model_learns_and_round_trips(dev, tmp_path):
    # words=False: no jieba-word block, so scoring skips the per-token pass (the built-in model's choice).
    clf = ThemeClassifier(words=False).fit(dev["text"], dev["themes"])
    names = clf.featurizer_.feature_names()
    assert names and all(n.startswith("c:") for n in names)
    texts = ["快递三天了还没到", "登录一直提示密码错误"]
    pred = clf.predict(texts).tolist()
    assert "物流配送" in pred[0].split(";") and "账户支付" in pred[1].split(";")
    back = load_theme_model(save_theme_model(clf, tmp_path / "chars.npz"))
    assert back.get_params()["words"] is False
    assert np.allclose(back.predict_proba(texts), clf.predict_proba(texts), atol=1e-5)
