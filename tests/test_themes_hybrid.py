"""The built-in hybrid: taxonomy scores blended with the shipped theme model, only for the built-in taxonomy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fankui.segment import prepare_texts
from fankui.themes import ThemeTagger, theme_stage
from fankui.themes.hybrid import THRESHOLD, WEIGHT, HybridTagger, load_default_scorer
from tests.conftest import DATA, invoke
from tests.test_themes import GOLDEN

TAXONOMY = """
[[theme]]
name = "物流配送"
keywords = ["快递"]
[[theme]]
name = "口味"
keywords = ["难吃"]
"""


@pytest.fixture(scope="module")
def hybrid() -> HybridTagger:
    scorer = load_default_scorer()
    assert scorer is not None, "src/fankui/data/themes/default.npz is missing: python -m fankui.themes.default"
    return HybridTagger(ThemeTagger(), scorer)


def test_the_stage_uses_the_model_only_with_the_builtin_taxonomy(tmp_path):
    assert isinstance(theme_stage(theme_sentiment=False).tagger, ThemeTagger)  # off by default (speed budget)
    assert isinstance(theme_stage(theme_sentiment=False, builtin_model=True).tagger, HybridTagger)
    own = tmp_path / "t.toml"
    own.write_text(TAXONOMY, encoding="utf-8")
    assert isinstance(theme_stage(taxonomy_path=own, theme_sentiment=False, builtin_model=True).tagger, ThemeTagger)


@pytest.mark.parametrize("text,expected", GOLDEN)
def test_golden_cases_pass_with_the_hybrid(hybrid, text, expected):
    norm, tokens = prepare_texts([text])
    assert set(hybrid.tag_prepared(norm, tokens)[0][0]) == expected


def test_scores_are_the_documented_blend(hybrid):
    texts = ["快递太慢了，包装也破了", "客服说话很冲", "你们能不能出个粉色款？", "话费莫名其妙多了五十块，套餐也被改了"]
    norm, tokens = prepare_texts(texts)
    themes, B, spans, clauses = hybrid.tag_prepared(norm, tokens)
    S = hybrid.tagger.tag_prepared(norm, tokens)[1]
    P = hybrid.scorer.proba_prepared(norm, tokens)
    cols = [list(hybrid.scorer.classes_).index(c) for c in hybrid.classes_]
    weak = (S > 0) & (WEIGHT * S < THRESHOLD)
    np.testing.assert_allclose(B, np.where(weak, WEIGHT * S + (1 - WEIGHT) * P[:, cols], S))
    # Tags are those of the plain weighted mean.
    plain = WEIGHT * S + (1 - WEIGHT) * P[:, cols] >= THRESHOLD - 1e-9
    assert ((B >= THRESHOLD - 1e-9) == plain).all()
    assert (B[2] == 0).all()  # no cue: no score, and the model cannot add a theme (0.4 × p < 0.45)
    assert (1 - WEIGHT) * 1.0 < THRESHOLD
    for row, b in zip(themes, B):
        want = [str(c) for c, v in zip(hybrid.classes_, b) if v >= THRESHOLD - 1e-9] or [hybrid.other]
        assert row == want
    assert [t for t, _ in spans[0]] == themes[0] and clauses[0]
    # A keyword always tags: the model cannot veto it (WEIGHT * 0.8 >= THRESHOLD).
    assert WEIGHT * 0.8 >= THRESHOLD


def test_flag_off_restores_taxonomy_only_output(tmp_path):
    src = DATA / "themes_dev.csv"
    df = pd.read_csv(src).head(60)
    inp = tmp_path / "in.csv"
    pd.DataFrame({"反馈内容": df["text"]}).to_csv(inp, index=False)
    from typer.testing import CliRunner

    runner = CliRunner()
    for name, extra in (("off.csv", []), ("on.csv", ["--builtin-themes-model"])):
        res = invoke(runner, "analyze", inp, "-o", tmp_path / name, "-q", "-j", "1", *extra)
        assert res.exit_code == 0, res.output
    off = pd.read_csv(tmp_path / "off.csv")
    on = pd.read_csv(tmp_path / "on.csv")
    tagger = ThemeTagger()
    assert off["themes"].tolist() == tagger.predict(df["text"].tolist()).tolist()
    scores = [c for c in off.columns if c.startswith("score_")]
    assert len(scores) == 10 and scores == [c for c in on.columns if c.startswith("score_")]
    np.testing.assert_allclose(off[scores].to_numpy(), tagger.predict_proba(df["text"].tolist()).round(3), atol=1e-9)


def test_rebuild_is_byte_identical(tmp_path):
    from fankui.resources import data_path
    from fankui.themes.default import write_default
    from fankui.themes.hybrid import DEFAULT_FILE

    out = write_default(tmp_path / "default.npz")
    assert out.read_bytes() == data_path(DEFAULT_FILE).read_bytes()
