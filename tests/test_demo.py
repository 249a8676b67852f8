"""The demo run end to end: what `make demo` does, on the bundled corpus, checked for lost rows and labels."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.conftest import DEMO, invoke


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory):
    from typer.testing import CliRunner

    out = tmp_path_factory.mktemp("demo") / "out"
    result = invoke(CliRunner(), "demo", "--out", out, "-q")
    assert result.exit_code == 0, result.output
    return out


def test_demo_labels_every_ticket(demo_out):
    source = pd.read_csv(DEMO / "tickets.csv", encoding="utf-8-sig", dtype=str)
    labelled = pd.read_csv(demo_out / "tickets_labelled.csv", encoding="utf-8-sig", dtype=str)
    rejects = demo_out / "tickets_labelled.rejects.csv"
    n_rejected = len(pd.read_csv(rejects, encoding="utf-8-sig")) if rejects.exists() else 0
    # Nothing lost: every source row is labelled or rejected with a reason.
    assert len(labelled) + n_rejected == len(source)
    assert set(labelled["ticket_id"]) <= set(source["工单编号"])
    # The original text is kept unchanged next to the normalised one.
    merged = labelled.merge(source, left_on="ticket_id", right_on="工单编号")
    assert (merged["text"] == merged["反馈内容"]).all()


def test_demo_sentiment_columns_are_complete(demo_out):
    labelled = pd.read_csv(demo_out / "tickets_labelled.csv", encoding="utf-8-sig")
    assert set(labelled["sentiment"]) <= {"positive", "neutral", "negative"}
    probs = labelled[["p_positive", "p_neutral", "p_negative"]].sum(axis=1)
    assert ((probs - 1).abs() < 1e-3).all()
    # A complaint corpus: complaints must dominate, and every class must occur on 400 varied tickets.
    counts = labelled["sentiment"].value_counts()
    assert counts.idxmax() == "negative"
    assert set(counts.index) == {"positive", "neutral", "negative"}


def test_demo_refuses_missing_corpus(runner, tmp_path):
    result = invoke(runner, "demo", "--out", tmp_path / "o", "--corpus", tmp_path / "nowhere")
    assert result.exit_code == 2
    assert "demo corpus not found" in result.output
