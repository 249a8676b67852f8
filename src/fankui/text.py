"""Text normalisation for analysis, and masking of personal data for anything that leaves the toolkit.

``normalize_text`` produces the form every later stage analyses (``text_norm``); the original ``text`` column is
never changed. ``mask_pii`` is applied wherever text is shown outside (reports, examples).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import pandas as pd

__all__ = ["normalize_text", "to_simplified", "mask_pii", "normalize", "PII_PATTERNS"]

_WS = re.compile(r"\s+")
# Characters that NFKC leaves alone but that only get in the way of analysis: zero-width spaces/joiners,
# BOMs pasted into cells, soft hyphens.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


@lru_cache(maxsize=1)
def _t2s():
    # OpenCC is loaded lazily: importing fankui must stay cheap and side-effect free.
    import opencc

    # tw2sp rather than plain t2s: it also maps Taiwan/HK vocabulary onto mainland words (螢幕→屏幕, 軟體→软件,
    # 記憶體→内存), so Traditional tickets hit the same lexicon entries and features as Simplified ones.
    return opencc.OpenCC("tw2sp")


def to_simplified(text: str) -> str:
    """Traditional → Simplified Chinese (mainland vocabulary) with OpenCC's phrase-level dictionaries.

    >>> to_simplified("請問這個產品什麼時候發貨")
    '请问这个产品什么时候发货'
    """
    return _t2s().convert(text)


def normalize_text(text: str) -> str:
    """The analysis form of a ticket: NFKC (full-width → half-width), simplified, whitespace collapsed.

    >>> normalize_text("　ｉＰｈｏｎｅ１５　螢幕  閃退！！")
    'iPhone15 屏幕 闪退!!'
    """
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    text = _WS.sub(" ", text).strip()
    return to_simplified(text) if text else text


# Order matters: the longer, more specific numbers (ID cards, bank cards) are masked before phone numbers,
# which would otherwise eat the middle of an 18-digit ID.
PII_PATTERNS: list[tuple[str, re.Pattern[str], str]] = [
    ("email", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"), "[邮箱]"),
    ("id_card", re.compile(r"(?<!\d)[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?!\d)"), "[身份证号]"),
    ("bank_card", re.compile(r"(?<!\d)(?:62|4\d|5[1-5])\d{2}(?:[ -]?\d{4}){2,3}(?:[ -]?\d{1,3})?(?!\d)"), "[银行卡号]"),
    ("mobile", re.compile(r"(?<!\d)(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?!\d)"), "[手机号]"),
    ("landline", re.compile(r"(?<!\d)(?:\(?0\d{2,3}\)?[ -]?)\d{7,8}(?!\d)"), "[电话]"),
]


def mask_pii(text: str) -> str:
    """Mask mobile/landline numbers, ID-card numbers, e-mail addresses and bank-card numbers.

    >>> mask_pii("我的手机13812345678，邮箱 a.b@qq.com")
    '我的手机[手机号]，邮箱 [邮箱]'
    """
    if not isinstance(text, str):
        return text
    for _, pattern, token in PII_PATTERNS:
        text = pattern.sub(token, text)
    return text


def normalize(df: pd.DataFrame, text_col: str = "text", out_col: str = "text_norm") -> pd.DataFrame:
    """DataFrame in, DataFrame out: add ``out_col`` with the normalised text; the original column is kept.

    >>> normalize(pd.DataFrame({"text": ["網購很方便"]}))["text_norm"].tolist()
    ['网购很方便']
    """
    out = df.copy()
    out[out_col] = [normalize_text(t) for t in df[text_col].tolist()]
    return out


class NormalizeStage:
    """Pipeline stage: ``text`` → ``text_norm`` (the original ``text`` is never changed)."""

    name = "normalize"
    requires = ("text",)
    assigns = ("text_norm",)

    def __call__(self, df: pd.DataFrame) -> pd.DataFrame:
        return normalize(df, "text", "text_norm")
