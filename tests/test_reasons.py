"""Sentiment reasons read as words: character n-grams are shown as the word they sit in, lone function
characters and numbers are not shown."""

from __future__ import annotations

import re
from itertools import accumulate

import pytest

from fankui.segment import tokenize
from fankui.sentiment import explain, load_default
from fankui.sentiment.explain import _FUNCTION_CHARS, _whole_word

TEXTS = [
    "花了三千块买的空气净化器，噪音大得像拖拉机。",
    "下单时选了“不需要纸质发票”，结果还是寄了一张，还收了邮费。",
    "快递员要我先确认收货才给东西，我拒绝他就不给，这合理吗？",
    "购物车里的东西过一晚上就涨价了，是看人下菜吗？",
    "垃圾，退钱",
    "谢谢快递小哥，提前打电话确认，送货很准时。",
    "订单123456789需要修改收货地址",
]


def _whole(fragment: str, text: str) -> str:
    tokens = tokenize(text)
    return _whole_word(fragment, "".join(tokens), tokens, list(accumulate(map(len, tokens))))


def test_fragment_is_shown_as_its_word():
    assert _whole("拖", "噪音大得像拖拉机") == "拖拉机"
    assert _whole("拉机", "噪音大得像拖拉机") == "拖拉机"
    assert _whole("拖拉机", "噪音大得像拖拉机") == "拖拉机"   # already a word
    assert _whole("很快", "送货很快") in ("很快",)          # across or equal to tokens: unchanged
    assert _whole("慢", "物流太慢了") in ("慢", "太慢")      # whatever jieba makes of it, it is in the text
    assert _whole("xyz", "物流太慢了") == "xyz"              # not found: left alone


@pytest.fixture(scope="module")
def reasons():
    return explain(load_default(estimator=False), TEXTS, top=3)["reasons"].tolist()


def test_no_lone_function_characters_or_numbers(reasons):
    phrases = [p for r in reasons for p in re.findall(r"(\S+?)\([~+-]", r)]
    assert phrases, "every text here should have reasons"
    assert not [p for p in phrases if len(p) == 1 and p in _FUNCTION_CHARS | set("了吗的就我")]
    assert not [p for p in phrases if p.isdigit()]


def test_reasons_are_pieces_of_the_text(reasons):
    # Every phrase is in its text (lexicon hits joined by "·" and negated words written "不~X" are checked per part).
    for text, r in zip(TEXTS, reasons):
        for phrase in re.findall(r"(\S+?)\([~+-]", r):
            for part in re.split(r"[·~]", phrase):
                assert part in text, (part, text)


def test_tractor_is_a_word_not_two_characters(reasons):
    first = reasons[0]
    assert "拖(" not in first and "拉(" not in first
