import pandas as pd
import pytest

from fankui.text import mask_pii, normalize, normalize_text, to_simplified


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("ＡＰＰ　闪退！！", "APP 闪退!!"),  # full-width letters, ideographic space, punctuation
        ("請問什麼時候發貨", "请问什么时候发货"),  # traditional -> simplified
        ("螢幕壞了，軟體也打不開", "屏幕坏了,软件也打不开"),  # Taiwan vocabulary -> mainland words
        ("  多个   空格\n换行\t制表 ", "多个 空格 换行 制表"),
        ("零宽\u200b字符\ufeff", "零宽字符"),
        ("", ""),
    ],
)
def test_normalize_text(raw, expected):
    assert normalize_text(raw) == expected


def test_normalize_non_string_is_empty():
    assert normalize_text(None) == ""  # type: ignore[arg-type]
    assert normalize_text(float("nan")) == ""  # type: ignore[arg-type]


def test_normalize_keeps_original_column():
    df = pd.DataFrame({"text": ["網購很方便"]})
    out = normalize(df)
    assert out["text"].tolist() == ["網購很方便"]
    assert out["text_norm"].tolist() == ["网购很方便"]
    assert "text_norm" not in df  # input frame untouched


def test_to_simplified_leaves_simplified_alone():
    s = "我的软件出问题了，信息和内存都正常"
    assert to_simplified(s) == s


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("电话13812345678请回电", "电话[手机号]请回电"),
        ("手机 +86 138-1234-5678", "手机 [手机号]"),
        ("座机010-88886666", "座机[电话]"),
        ("身份证110101199003071234号", "身份证[身份证号]号"),
        ("身份证11010119900307123X", "身份证[身份证号]"),
        ("邮箱 zhang.san@example.com 联系", "邮箱 [邮箱] 联系"),
        ("卡号6222 0212 3456 7890 123", "卡号[银行卡号]"),
        ("卡号6222021234567890", "卡号[银行卡号]"),
    ],
)
def test_mask_pii(raw, expected):
    assert mask_pii(raw) == expected


def test_mask_pii_leaves_ordinary_numbers():
    for s in ["订单金额 299 元", "型号 X200", "2026-10-05 14:23", "等了 3 天"]:
        assert mask_pii(s) == s
