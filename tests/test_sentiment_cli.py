"""fankui train / fankui evaluate: exit codes, messages, JSON."""

from __future__ import annotations

import json

import pandas as pd

from tests.conftest import DATA, invoke

SMALL = DATA / "sentiment_labelled_small.csv"


def test_evaluate_json_on_small_file(runner):
    res = invoke(runner, "evaluate", SMALL, "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["n"] == 12 and out["labels"] == ["negative", "neutral", "positive"]
    assert sum(map(sum, out["confusion_matrix"])) == 12
    assert 0 <= out["accuracy"] <= 1 and 0 <= out["macro_f1"] <= 1


def test_evaluate_text_report(runner):
    res = invoke(runner, "evaluate", SMALL)
    assert res.exit_code == 0
    assert "accuracy:" in res.stdout and "macro-F1:" in res.stdout and "confusion matrix" in res.stdout


def test_train_then_evaluate_and_analyze_with_model(runner, tmp_path):
    model = tmp_path / "m.npz"
    res = invoke(runner, "train", SMALL, "-o", model, "--text-column", "评价内容", "--label-column", "情感", "--c", "4")
    assert res.exit_code == 0, res.output
    assert model.is_file()
    res = invoke(runner, "evaluate", SMALL, "--model", model, "--json")
    assert res.exit_code == 0
    assert json.loads(res.stdout)["accuracy"] >= 0.9  # its own training data
    tickets = tmp_path / "t.csv"
    pd.DataFrame({"反馈内容": ["快递太慢了", "请问可以开发票吗"]}).to_csv(tickets, index=False)
    res = invoke(runner, "analyze", tickets, "-o", tmp_path / "o.csv", "--model", model, "--no-themes-tagging")
    assert res.exit_code == 0, res.output
    out = pd.read_csv(tmp_path / "o.csv")
    assert {"sentiment", "p_positive", "p_neutral", "p_negative", "sentiment_reasons"} <= set(out.columns)


def test_train_bad_labels_exit_2_with_message(runner, tmp_path):
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"text": ["好", "差", "一般"], "label": ["好评", "差评", "还行吧"]}).to_csv(bad, index=False)
    res = invoke(runner, "train", bad, "-o", tmp_path / "m.npz")
    assert res.exit_code == 2
    assert "Error: label column 'label'" in res.stderr and "还行吧" in res.stderr
    one = tmp_path / "one.csv"
    pd.DataFrame({"text": ["好", "很好"], "label": [1, 1]}).to_csv(one, index=False)
    res = invoke(runner, "train", one, "-o", tmp_path / "m.npz")
    assert res.exit_code == 2 and "only one class" in res.stderr
    assert not (tmp_path / "m.npz").exists()


def test_train_missing_column_names_the_option(runner, tmp_path):
    res = invoke(runner, "train", SMALL, "-o", tmp_path / "m.npz", "--label-column", "score")
    assert res.exit_code == 2 and "--label-column" in res.stderr


def test_evaluate_bad_model_file(runner, tmp_path):
    bad = tmp_path / "m.npz"
    bad.write_text("hello")
    res = invoke(runner, "evaluate", SMALL, "--model", bad)
    assert res.exit_code == 2 and "not a fankui sentiment model" in res.stderr


def test_help_has_examples(runner):
    for cmd in ("train", "evaluate"):
        res = invoke(runner, cmd, "--help")
        assert res.exit_code == 0 and "Example:" in res.stdout


def test_engine_snownlp_for_comparison(runner, tmp_path):
    """--engine snownlp fills the same columns (no reasons); --model cannot be combined with it."""
    tickets = tmp_path / "t.csv"
    pd.DataFrame({"反馈内容": ["质量很好，非常满意", "太差了，退货"]}).to_csv(tickets, index=False)
    res = invoke(runner, "analyze", tickets, "-o", tmp_path / "o.csv", "--engine", "snownlp", "--no-themes-tagging")
    assert res.exit_code == 0, res.output
    out = pd.read_csv(tmp_path / "o.csv", keep_default_na=False)
    assert set(out["sentiment"]) <= {"positive", "neutral", "negative"}
    assert (out[["p_positive", "p_neutral", "p_negative"]].sum(axis=1) - 1).abs().max() < 1e-3
    assert out["sentiment_reasons"].tolist() == ["", ""]
    res = invoke(runner, "evaluate", SMALL, "--engine", "snownlp", "--json")
    assert res.exit_code == 0 and json.loads(res.stdout)["n"] == 12
    res = invoke(runner, "analyze", tickets, "-o", tmp_path / "o.csv", "--engine", "snownlp", "--model", SMALL)
    assert res.exit_code == 2 and "snownlp" in res.stderr
