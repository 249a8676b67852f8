"""Theme discovery (determinism, what gets clustered, CLI) and keywords per theme / period."""

from __future__ import annotations

import pandas as pd
import pytest

from fankui.errors import SchemaError
from fankui.themes import ThemeTagger, discover_themes, parse_taxonomy, top_keywords
from tests.conftest import DEMO, invoke

# Tickets the built-in taxonomy has no theme for: store opening hours, job applications, product wishes.
UNEXPLAINED = (
    ["门店几点开门", "门店周末营业时间是几点", "你们门店营业时间改了吗", "门店晚上几点关门", "周日门店开门吗"]
    + ["你们招聘实习生吗", "想应聘你们的销售岗位", "招聘信息在哪里看", "应聘需要什么条件", "还招聘兼职吗"]
    + ["希望出粉色款", "能不能出个粉色的", "粉色款什么时候出", "有没有粉色款", "出粉色款吧"]
)
EXPLAINED = ["快递太慢了", "质量太差了", "退款还没到账", "App一直闪退"]


@pytest.fixture(scope="module")
def tickets() -> pd.DataFrame:
    texts = UNEXPLAINED + EXPLAINED
    return pd.DataFrame({"ticket_id": [f"T{i:03d}" for i in range(len(texts))], "text": texts})


def test_discovery_is_deterministic_for_a_seed(tickets):
    a = discover_themes(tickets, n_clusters=3, seed=7)
    b = discover_themes(tickets, n_clusters=3, seed=7)
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns) == ["candidate", "size", "share", "suggested_name", "keywords", "examples", "example_ids"]


def test_discovery_clusters_only_unexplained_tickets_into_their_topics(tickets):
    cand = discover_themes(tickets, n_clusters=3, seed=0)
    assert cand["size"].sum() == len(UNEXPLAINED)  # the explained tickets are left out
    assert cand["candidate"].tolist() == [1, 2, 3]
    kw = " ".join(cand["keywords"])
    for word in ("门店", "粉色", "招聘"):
        assert word in kw
    # Each candidate's examples come from one topic.
    for examples, keywords in zip(cand["examples"], cand["keywords"]):
        top = keywords.split("、")[0]
        assert sum(top in e for e in examples.split(" | ")) >= 2
    ids = {i for row in cand["example_ids"] for i in row.split(";")}
    assert ids <= set(tickets["ticket_id"])


def test_discovery_with_user_taxonomy_explaining_more(tickets):
    tax = parse_taxonomy('[[theme]]\nname = "门店"\nkeywords = ["门店"]\n')
    cand = discover_themes(tickets, ThemeTagger(tax), n_clusters=2, seed=0)
    assert "门店" not in " ".join(cand["keywords"])


def test_discovery_with_too_few_tickets_returns_empty_table():
    assert discover_themes(["快递太慢了", "门店几点开门"]).empty


def test_discover_cli(runner, tmp_path, tickets):
    src = tmp_path / "t.csv"
    tickets.rename(columns={"text": "反馈内容", "ticket_id": "工单编号"}).to_csv(src, index=False)
    out = tmp_path / "cand.csv"
    res = invoke(runner, "discover", src, "-o", out, "--clusters", "3", "--seed", "1")
    assert res.exit_code == 0, res.output
    assert "19 tickets, 15 in 3 candidate theme(s)" in res.output
    first = pd.read_csv(out)
    res = invoke(runner, "discover", src, "-o", out, "--clusters", "3", "--seed", "1", "-q")
    pd.testing.assert_frame_equal(first, pd.read_csv(out))


def test_discover_cli_on_demo_and_unknown_text_column(runner, tmp_path):
    out = tmp_path / "cand.csv"
    res = invoke(runner, "discover", DEMO / "tickets.csv", "-o", out, "-q")
    assert res.exit_code == 0, res.output
    assert len(pd.read_csv(out)) >= 2
    res = invoke(runner, "discover", DEMO / "tickets.csv", "-o", out, "--text-column", "正文")
    assert res.exit_code == 2 and "column '正文' (given with --text-column) is not in the file." in res.output


# -- keywords ----------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def labelled() -> pd.DataFrame:
    return pd.DataFrame({
        "tokens": [["快递", "太慢"], ["快递", "丢件"], ["快递", "太慢", "了"], ["质量", "太差"], ["屏幕", "质量", "太差"],
                   ["电池", "质量"]],
        "themes": ["物流配送", "物流配送", "物流配送;产品质量", "产品质量", "产品质量", "产品质量"],
        "created_at": pd.to_datetime(["2026-10-01", "2026-10-02", "2026-11-03", "2026-11-04", "2026-10-05", "2026-11-06"]),
    })


def test_top_keywords_per_theme(labelled):
    kw = top_keywords(labelled, by="themes", top_n=2)
    assert list(kw.columns) == ["theme", "keyword", "score", "tickets", "group_size"]
    assert kw[kw["theme"] == "物流配送"]["keyword"].tolist() == ["快递", "太慢"]
    assert kw[kw["theme"] == "产品质量"]["keyword"].iloc[0] == "质量"
    assert kw[kw["theme"] == "产品质量"]["group_size"].iloc[0] == 4


def test_top_keywords_per_period_and_per_theme_and_period(labelled):
    kw = top_keywords(labelled, by=None, period="M", top_n=1)
    assert kw["period"].tolist() == ["2026-10", "2026-11"]
    both = top_keywords(labelled, by="themes", period="M", top_n=3, min_tickets=1)
    assert set(zip(both["theme"], both["period"])) == {("物流配送", "2026-10"), ("物流配送", "2026-11"),
                                                     ("产品质量", "2026-10"), ("产品质量", "2026-11")}


def test_top_keywords_from_csv_tokens_and_errors(labelled):
    as_csv = labelled.assign(tokens=labelled["tokens"].map(" ".join))
    pd.testing.assert_frame_equal(top_keywords(as_csv), top_keywords(labelled))
    with pytest.raises(SchemaError, match="column 'themes' not found"):
        top_keywords(labelled.drop(columns="themes"))
    with pytest.raises(SchemaError, match="'when' not found"):
        top_keywords(labelled, period="W", date_column="when")
