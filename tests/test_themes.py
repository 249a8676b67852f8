"""Theme taxonomy validation, zero-shot tagging golden cases, sentiment per theme, the pipeline stage, analyze CLI."""

from __future__ import annotations

import pandas as pd
import pytest

from fankui.errors import InputError
from fankui.themes import (OTHER, ThemeTagger, aspect_sentiment, load_taxonomy, multilabel_f1, parse_taxonomy,
                           split_clauses, theme_stage)
from fankui.themes.taxonomy import default_taxonomy_path

from tests.conftest import DATA, invoke

MINI = """\
other = "其他"

[[theme]]
name = "配送"
description = "delivery"
keywords = ["快递", "物流"]

[[theme]]
name = "质量"
keywords = ["质量", "坏了"]
weak = ["做工"]
"""


@pytest.fixture(scope="module")
def tagger() -> ThemeTagger:
    return ThemeTagger()


# -- taxonomy file validation -----------------------------------------------------------------------------------

def test_builtin_taxonomy_has_the_ten_themes():
    tax = load_taxonomy()
    assert set(tax.names) >= {"物流配送", "产品质量", "价格费用", "服务态度", "售后退换", "账户支付", "功能使用", "包装",
                              "营销活动", "隐私安全"}
    assert tax.other == OTHER
    assert all(t.description for t in tax.themes)
    assert default_taxonomy_path().name == "themes.toml"


def test_duplicate_theme_name_names_both_lines():
    text = MINI + '\n[[theme]]\nname = "配送"\nkeywords = ["送货"]\n'
    with pytest.raises(InputError) as exc:
        parse_taxonomy(text, source="t.toml")
    msg = exc.value.message
    assert "duplicate theme name '配送'" in msg
    assert "(line 13)" in msg and "first defined at line 3" in msg
    assert "Rename one" in exc.value.hint


def test_empty_keywords_is_an_error_with_the_line():
    text = MINI + '\n[[theme]]\nname = "包装"\nkeywords = []\n'
    with pytest.raises(InputError) as exc:
        parse_taxonomy(text, source="t.toml")
    assert "theme '包装' has empty keywords" in exc.value.message
    assert "(line 13)" in exc.value.message


def test_empty_string_keyword_is_an_error():
    with pytest.raises(InputError, match=r"empty entry '' in keywords \(line 3\)"):
        parse_taxonomy('[[theme]]\nname = "a"\nkeywords = ["快递", ""]\n')


def test_bad_toml_syntax_names_the_line():
    text = '[[theme]]\nname = "配送"\nkeywords = ["快递", "物流"\n'
    with pytest.raises(InputError) as exc:
        parse_taxonomy(text, source="bad.toml")
    assert "bad.toml is not valid TOML" in exc.value.message
    assert "ends inside an unclosed list" in exc.value.message and "line 3" in exc.value.message
    assert "double quotes" in exc.value.hint


def test_unquoted_string_syntax_error_has_line_number():
    with pytest.raises(InputError, match=r"line 2"):
        parse_taxonomy("[[theme]]\nname = 配送\n")


def test_unknown_key_in_theme_is_rejected():
    with pytest.raises(InputError, match=r"unknown key\(s\) \['keywrods'\]"):
        parse_taxonomy('[[theme]]\nname = "a"\nkeywrods = ["x"]\n')


def test_theme_named_like_other_or_with_separator_is_rejected():
    with pytest.raises(InputError, match="may not be called '其他'"):
        parse_taxonomy('[[theme]]\nname = "其他"\nkeywords = ["x"]\n')
    with pytest.raises(InputError, match="contains ';'"):
        parse_taxonomy('[[theme]]\nname = "a;b"\nkeywords = ["x"]\n')


def test_no_themes_and_bad_threshold():
    with pytest.raises(InputError, match="defines no themes"):
        parse_taxonomy('other = "其他"\n')
    with pytest.raises(InputError, match=r"threshold must be a number in \(0, 1\]"):
        parse_taxonomy('threshold = 2\n[[theme]]\nname = "a"\nkeywords = ["x"]\n')


def test_missing_and_non_utf8_files(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_taxonomy(tmp_path / "none.toml")
    bad = tmp_path / "gbk.toml"
    bad.write_bytes('[[theme]]\nname = "配送"\nkeywords = ["快递"]\n'.encode("gbk"))
    with pytest.raises(InputError, match="not UTF-8"):
        load_taxonomy(bad)


def test_keywords_are_normalised_like_the_text():
    from fankui.text import normalize_text

    tax = parse_taxonomy('[[theme]]\nname = "账号"\nkeywords = ["帳號", "ＡＰＰ"]\n')
    assert tax.themes[0].keywords == (normalize_text("帳號"), "app")


# -- zero-shot tagging -------------------------------------------------------------------------------------------

GOLDEN = [
    ("快递太慢了，包装也破了", {"物流配送", "包装"}),
    ("客服态度极差，退款申请被驳回", {"服务态度", "售后退换"}),
    ("优惠券用不了，付款的时候一直报错", {"营销活动", "账户支付", "功能使用"}),
    ("App一直闪退", {"功能使用"}),
    ("有人冒充你们的客服打电话骗我转账", {"隐私安全"}),
    ("屏幕用了一个月就出现坏点", {"产品质量"}),
    ("你们能不能出个粉色款？", {OTHER}),
    ("快遞一直沒到，帳號也登不上", {"物流配送", "账户支付"}),  # Traditional input
    # Industries beyond online shops: the taxonomy is written for them, not for one test file.
    ("话费莫名其妙多了五十块，套餐也被改了", {"价格费用"}),               # telecom bill
    ("充了648，钻石一直没到账", {"账户支付"}),                           # game top-up
    ("游戏更新后一直闪退", {"功能使用"}),
    ("柜台只开一个窗口，排队一个多小时", {"服务态度"}),                   # bank counter
    ("理赔材料交了一个月还没有结果", {"售后退换"}),                       # insurance claim
    ("物业费又涨价了", {"价格费用"}),                                     # property management
    ("课程内容和宣传的完全不符", {"产品质量"}),                           # education
    # not_with: the damage belongs to the box, the missing money is not a parcel.
    ("纸箱太薄了，一压就瘪", {"包装"}),
    ("提现到银行卡三天了还没到", {"账户支付"}),
    # A weak cue nested in a longer one (到的时候 in 收到的时候) is not a second cue.
    ("收到的时候外包装就破了", {"包装"}),
    # The border rules of docs/themes.md (the conventions every labelled theme file follows).
    ("送外卖的小哥态度特别差，还骂人", {"物流配送", "服务态度"}),        # rude courier: both
    ("快递费比商品还贵", {"价格费用"}),                                   # a delivery fee is a price
    ("酒店房间的卫生太差了，床单上有头发", {"产品质量"}),                 # a service's core is its product
    ("家里宽带网速特别慢，晚上经常断", {"产品质量"}),
    ("退款申请通过好几天了，什么时候能退回来", {"售后退换"}),             # refunds are after-sales ...
    ("显示退款成功了，可银行卡里一直没有这笔钱", {"售后退换", "账户支付"}),  # ... unless the card lacks it
    ("我的积分怎么突然清零了", {"营销活动"}),                             # loyalty schemes
    ("同一笔订单被扣了两次款", {"价格费用", "账户支付"}),                 # money taken through a payment
    ("怎么关闭自动续费", {"账户支付"}),
    ("机票改签要收两百的手续费", {"价格费用", "售后退换"}),
    ("请问店里的wifi密码是多少", {OTHER}),                                # keyword traps stay 其他
    ("我们公司做物流运输的，想跟你们谈合作", {OTHER}),
    ("有人冒充客服打电话说要给我退款", {"隐私安全"}),                     # scams are privacy only
    ("健身房教练一直缠着我买私教课，不买不让走", {"服务态度", "营销活动"}),  # pushy selling in person
    ("店员说今天有活动", {"营销活动"}),                                   # naming staff is not an attitude
]


@pytest.mark.parametrize("text,expected", GOLDEN)
def test_multilabel_golden_cases(tagger, text, expected):
    assert set(tagger.predict([text])[0].split(";")) == expected


def test_segmentation_aware_match_ignores_words_cut_in_half():
    # 客服 as a substring of "顾客|服务中心" is not a customer-service mention; 快递 inside the word 快递员 is a
    # delivery one.
    tax = parse_taxonomy('[[theme]]\nname = "客服"\nkeywords = ["客服"]\n[[theme]]\nname = "物流"\nkeywords = ["快递"]\n')
    t = ThemeTagger(tax)
    assert t.predict(["顾客服务中心在哪"])[0] == OTHER
    assert "客服" in "顾客服务中心在哪"  # plain substring search would have matched
    assert t.predict(["客服很耐心"])[0] == "客服"
    assert t.predict(["快递员很负责"])[0] == "物流"


def test_weak_cues_need_a_pair_and_scores_are_per_theme(tagger):
    tax = parse_taxonomy(MINI)
    t = ThemeTagger(tax)
    proba = t.predict_proba(["做工一般", "质量不行，做工也差", "没问题"])
    assert proba.shape == (3, 2)
    assert list(t.classes_) == ["配送", "质量"]
    assert proba[0, 1] == pytest.approx(0.35)          # one weak cue: below the threshold
    assert proba[1, 1] == pytest.approx(1 - 0.2 * 0.65)  # keyword + weak cue
    assert t.predict(["做工一般"])[0] == OTHER
    assert proba[2].max() == 0


def test_negated_mention_weighs_a_quarter(tagger):
    assert "产品质量" not in tagger.predict(["不是质量问题，是快递太慢"])[0]
    assert "产品质量" in tagger.predict(["质量问题很严重"])[0]
    row = tagger.explain("包装没问题，就是发货太慢")
    assert row.loc[row["theme"] == "包装", "denied"].all()


def test_explain_lists_the_cues(tagger):
    ex = tagger.explain("快递太慢了，包装也破了")
    assert list(ex.columns) == ["theme", "cue", "kind", "denied", "clause", "weight"]
    assert {"快递", "包装"} <= set(ex["cue"])
    assert ex.loc[ex["cue"] == "包装", "clause"].iloc[0] != ex.loc[ex["cue"] == "快递", "clause"].iloc[0]


def test_long_cues_match_across_word_boundaries_short_ones_do_not():
    # jieba splits 申请|退款, so the 3-character cue 申请退 straddles two words: it still counts. A 2-character
    # cue that cuts words in half (客服 in 顾客|服务) still does not.
    tax = parse_taxonomy('[[theme]]\nname = "售后"\nkeywords = ["申请退"]\n[[theme]]\nname = "客服"\nkeywords = ["客服"]\n')
    t = ThemeTagger(tax)
    assert t.predict(["申请退款被拒"])[0] == "售后"
    assert t.predict(["顾客服务中心在哪"])[0] == OTHER


def test_nested_weak_cue_counts_once():
    tax = parse_taxonomy('[[theme]]\nname = "配送"\nkeywords = ["快递"]\nweak = ["收到的时候", "到的时候"]\n')
    t = ThemeTagger(tax)
    assert t.predict_proba(["收到的时候已经坏了"])[0, 0] == pytest.approx(0.35)
    assert t.predict(["收到的时候已经坏了"])[0] == OTHER


def test_not_with_voids_a_theme_in_its_clause_only():
    tax = parse_taxonomy('[[theme]]\nname = "质量"\nkeywords = ["变形"]\nnot_with = ["纸箱"]\n')
    t = ThemeTagger(tax)
    assert t.predict(["纸箱压得变形了"])[0] == OTHER
    assert t.predict(["纸箱破了，杯子也变形了"])[0] == "质量"  # another clause: the product itself
    with pytest.raises(InputError, match="plain words"):
        parse_taxonomy('[[theme]]\nname = "a"\nkeywords = ["x"]\nnot_with = ["a+b"]\n')


def test_off_topic_words_make_the_whole_ticket_other():
    tax = parse_taxonomy('off_topic = ["谈合作"]\n[[theme]]\nname = "物流配送"\nkeywords = ["物流"]\n')
    t = ThemeTagger(tax)
    assert t.predict(["我们是做物流的，想跟你们谈合作", "物流太慢"]).tolist() == [OTHER, "物流配送"]
    with pytest.raises(InputError, match="off_topic"):
        parse_taxonomy('off_topic = ["谈+合作"]\n[[theme]]\nname = "x"\nkeywords = ["a"]\n')


def test_exclusions_and_cooccurrence():
    tax = parse_taxonomy('[[theme]]\nname = "态度"\nkeywords = ["客服+态度"]\n'
                         '[[theme]]\nname = "价格"\nkeywords = ["贵"]\nexclude = ["贵公司"]\n')
    t = ThemeTagger(tax)
    assert t.predict(["客服的态度很差"])[0] == "态度"
    assert t.predict(["客服回复了，态度。"])[0] == OTHER  # parts in different clauses
    assert t.predict(["贵公司的产品"])[0] == OTHER
    assert t.predict(["这也太贵了"])[0] == "价格"


def test_user_taxonomy_replaces_the_default(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('other = "未归类"\n[[theme]]\nname = "门店"\nkeywords = ["门店", "店员"]\n', encoding="utf-8")
    t = ThemeTagger(path)
    assert list(t.classes_) == ["门店"]
    assert t.predict(["门店店员很热情", "快递太慢"]).tolist() == ["门店", "未归类"]
    stage = theme_stage(taxonomy_path=path, sentiment_model=None, theme_sentiment=False)
    assert stage.assigns == ("themes", "score_门店")


@pytest.mark.parametrize("name,floor", [("themes_dev.csv", 0.88), ("themes_extra.csv", 0.88),
                                        ("themes_test.csv", 0.88), ("themes_holdout.csv", 0.80)])
def test_tagger_on_team_tuning_files_is_sane(tagger, name, floor):
    # A regression guard on the files the taxonomy was tuned on. All four are tuning data now: themes_test.csv
    # was retired after five looks, themes_holdout.csv after its one blind measurement (0.722); the next blind
    # set is measured by bench_themes, never here. The holdout's floor is lower: two thirds of it were tuned on.
    df = pd.read_csv(DATA / name)
    score = multilabel_f1(df["themes"], tagger.predict(df["text"]))
    assert score["micro_f1"] > floor


def test_list_and_series_inputs_agree(tagger):
    texts = ["快递太慢", "质量太差"]
    assert tagger.predict(texts).tolist() == tagger.predict(pd.Series(texts)).tolist()
    with pytest.raises(InputError, match="single string"):
        tagger.predict("快递太慢")


# -- sentiment per theme -----------------------------------------------------------------------------------------

def test_clauses_split_at_punctuation_and_contrast():
    cl = split_clauses(["物流", "很快", "但是", "质量", "太差", "，", "客服", "还行"])
    assert [(c.tok_start, c.tok_end) for c in cl] == [(0, 2), (3, 5), (6, 8)]
    assert [(c.start, c.end) for c in cl] == [(0, 4), (6, 10), (11, 15)]


@pytest.mark.parametrize("text,expected", [
    ("物流很快但是质量太差", {"物流配送": "positive", "产品质量": "negative"}),
    ("包装很精美，可是价格太贵了", {"包装": "positive", "价格费用": "negative"}),
    ("客服态度很好，不过退款到现在还没到账", {"服务态度": "positive", "售后退换": "negative"}),
])
def test_aspect_sentiment_golden_cases(tagger, text, expected):
    assert aspect_sentiment([text], tagger)[0] == expected


# -- pipeline stage and CLI -------------------------------------------------------------------------------------

def test_stage_contract_and_columns():
    from fankui.pipeline import Pipeline, default_stages

    stages = default_stages()
    stage = stages[-1]
    assert stage.name == "themes" and stage.requires == ("text_norm", "tokens")
    assert stage.assigns[0] == "themes" and stage.assigns[-1] == "theme_sentiment"
    assert "score_物流配送" in stage.assigns
    df = pd.DataFrame({"text": ["物流很快但是质量太差", "你好", ""]})
    from fankui.tickets import read_tickets

    good, _ = read_tickets(df)
    out = Pipeline(stages)(good)
    assert out.loc[0, "themes"] == "物流配送;产品质量"
    assert out.loc[0, "theme_sentiment"] == "物流配送:positive;产品质量:negative"
    assert out.loc[1, "themes"] == OTHER and out.loc[1, "theme_sentiment"] == ""
    # By default the score is the hybrid's blend; with the taxonomy alone it is the taxonomy's (a keyword: 0.8).
    from fankui.themes.hybrid import THRESHOLD

    assert THRESHOLD <= out.loc[0, "score_物流配送"] <= 1.0
    off = Pipeline(default_stages(themes_builtin_model=False))(good)
    assert off.loc[0, "score_物流配送"] == pytest.approx(0.8)


def test_stage_keeps_rows_on_empty_chunk():
    stage = theme_stage(theme_sentiment=False)
    out = stage(pd.DataFrame({"text_norm": pd.Series([], dtype=object), "tokens": pd.Series([], dtype=object)}))
    assert len(out) == 0 and "themes" in out.columns


def test_theme_stage_rejects_both_taxonomy_and_model(tmp_path):
    with pytest.raises(InputError, match="cannot be used together"):
        theme_stage(taxonomy_path=tmp_path / "a.toml", model_path=tmp_path / "b.npz")


def test_analyze_cli_with_user_taxonomy(runner, tmp_path):
    src = tmp_path / "t.csv"
    pd.DataFrame({"反馈内容": ["门店店员很热情", "快递太慢了"]}).to_csv(src, index=False)
    tax = tmp_path / "mine.toml"
    tax.write_text('[[theme]]\nname = "门店"\nkeywords = ["门店"]\n', encoding="utf-8")
    out = tmp_path / "out.csv"
    res = invoke(runner, "analyze", src, "-o", out, "--themes", tax, "-q")
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out)
    assert df["themes"].tolist() == ["门店", "其他"]
    assert "score_门店" in df.columns and "score_物流配送" not in df.columns
    assert df["theme_sentiment"].tolist()[0] == "门店:positive"


def test_analyze_cli_bad_taxonomy_is_a_clear_error(runner, tmp_path):
    src = tmp_path / "t.csv"
    pd.DataFrame({"反馈内容": ["快递太慢了"]}).to_csv(src, index=False)
    tax = tmp_path / "bad.toml"
    tax.write_text('[[theme]]\nname = "a"\nkeywords = []\n', encoding="utf-8")
    res = invoke(runner, "analyze", src, "-o", tmp_path / "o.csv", "--themes", tax)
    assert res.exit_code == 2
    assert "theme 'a' has empty keywords" in res.output and "line 1" in res.output
    assert "Traceback" not in res.output


def test_analyze_cli_without_themes(runner, tmp_path):
    src = tmp_path / "t.csv"
    pd.DataFrame({"反馈内容": ["快递太慢了"]}).to_csv(src, index=False)
    out = tmp_path / "o.csv"
    res = invoke(runner, "analyze", src, "-o", out, "--no-themes-tagging", "-q")
    assert res.exit_code == 0
    assert "themes" not in pd.read_csv(out).columns


def test_cue_scan_finds_overlapping_cues_by_start_then_longest_first():
    from fankui.themes.zeroshot import _automaton, _scan

    auto = _automaton(["快递", "快递员", "递", "员工"])
    assert _scan(auto, "快递员工") == [(0, "快递员"), (0, "快递"), (1, "递"), (2, "员工")]
    assert _scan(auto, "没有") == [] and _automaton([]) is None
