"""Canonical column names and the Chinese/English headers that map onto them.

Helpdesk and CRM exports name the same thing many ways (工单编号, 工单号, Ticket ID...). Headers are compared after
NFKC, lower-casing and removing spaces, underscores and hyphens, so "Ticket_ID", "ticket id" and "ＴＩＣＫＥＴＩＤ"
all match ``ticketid``. A user option (``--text-column`` ...) always wins over the aliases.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable, Mapping

from .errors import SchemaError

__all__ = ["TICKET_ALIASES", "TICKET_OPTIONS", "header_key", "resolve_columns"]

TICKET_ALIASES: dict[str, list[str]] = {
    "ticket_id": ["ticket_id", "ticket", "id", "工单编号", "工单号", "工单id", "投诉编号", "投诉单号", "反馈编号",
                  "反馈id", "编号", "序号", "case_id", "case", "记录id"],
    "customer_id": ["customer_id", "customer", "user_id", "member_id", "client_id", "客户id", "客户编号", "客户号",
                    "会员id", "会员编号", "会员号", "用户id", "用户编号", "买家id", "买家昵称", "客户"],
    "created_at": ["created_at", "created", "create_time", "date", "time", "timestamp", "submitted_at", "创建时间",
                   "提交时间", "反馈时间", "投诉时间", "工单时间", "受理时间", "日期", "时间", "发生时间"],
    "text": ["text", "content", "feedback", "comment", "review", "message", "description", "body", "反馈内容",
             "投诉内容", "内容", "描述", "问题描述", "工单内容", "留言", "评价内容", "评价", "客户反馈", "意见",
             "文本", "详情"],
    "channel": ["channel", "source", "渠道", "来源", "反馈渠道", "受理渠道"],
    "rating": ["rating", "score", "stars", "star", "评分", "满意度评分", "星级", "打分"],
    "product": ["product", "sku", "item", "产品", "商品", "商品名称", "产品名称"],
}

# Which CLI option overrides which canonical column (used in messages so they name the fix).
TICKET_OPTIONS = {
    "ticket_id": "--id-column",
    "customer_id": "--customer-column",
    "created_at": "--date-column",
    "text": "--text-column",
}

_STRIP = re.compile(r"[\s_\-./:：（）()\[\]【】]+")


def header_key(name: object) -> str:
    """The comparison key of a header: NFKC, lower case, no spaces/underscores/brackets."""
    text = unicodedata.normalize("NFKC", str(name)).lower()
    return _STRIP.sub("", text)


def resolve_columns(
    columns: Iterable[str],
    aliases: Mapping[str, list[str]],
    overrides: Mapping[str, str | None] | None = None,
    required: Iterable[str] = (),
    options: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Map canonical names onto the actual headers of a file.

    Returns ``{canonical: actual_header}`` for every canonical column found. An override names the header
    exactly (or by its normalised key); a required column that is not found raises :class:`SchemaError`
    listing the columns the file has and the option that picks one.

    >>> resolve_columns(["工单号", "反馈内容"], TICKET_ALIASES, required=["text"])
    {'ticket_id': '工单号', 'text': '反馈内容'}
    """
    columns = [str(c) for c in columns]
    by_key: dict[str, str] = {}
    for col in columns:
        by_key.setdefault(header_key(col), col)
    overrides = {k: v for k, v in (overrides or {}).items() if v}
    options = options or {}
    found: dict[str, str] = {}
    used: set[str] = set()
    for canonical, wanted in overrides.items():
        actual = wanted if wanted in columns else by_key.get(header_key(wanted))
        if actual is None:
            opt = options.get(canonical, canonical)
            raise SchemaError(
                f"column {wanted!r} (given with {opt}) is not in the file.",
                f"Columns found: {', '.join(columns) or '(none)'}.",
            )
        found[canonical] = actual
        used.add(actual)
    for canonical, names in aliases.items():
        if canonical in found:
            continue
        for alias in names:
            actual = by_key.get(header_key(alias))
            if actual is not None and actual not in used:
                found[canonical] = actual
                used.add(actual)
                break
    missing = [c for c in required if c not in found]
    if missing:
        c = missing[0]
        opt = options.get(c, f"the {c} column option")
        raise SchemaError(
            f"no column looks like {c!r}. Columns found: {', '.join(columns) or '(none)'}.",
            f"Name the column with {opt} COLUMN (e.g. {opt} {_example_column(c, columns, used)!r}).",
        )
    return found


_DATE_HINTS = ("时间", "日期", "date", "time", "_at")


def _example_column(canonical: str, columns: list[str], used: set[str]) -> str:
    """A plausible column for the hint: not already taken by another field, date-like for a date field."""
    free = [c for c in columns if c not in used] or columns
    if not free:
        return "反馈内容"
    if canonical.endswith("_at"):
        dated = [c for c in free if any(h in c.lower() for h in _DATE_HINTS)]
        if dated:
            return dated[0]
    return free[0]
