"""Shared fixtures. Tests use only data the repository holds (never ../shared)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "corpora" / "demo"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def tickets_frame() -> pd.DataFrame:
    """A small export with Chinese headers, as a helpdesk would write it."""
    return pd.DataFrame(
        {
            "工单编号": ["T001", "T002", "T003", "T004", "T005", "T006"],
            "客户ID": ["C1", "C2", "C1", "C3", "C4", "C5"],
            "创建时间": ["2026-10-01 09:00:00", "2026/10/02 10:30", "2026年10月3日 11时05分", "2026-10-04",
                      "not a date", "2026-10-06 08:00:00"],
            "反馈内容": ["快递太慢了，等了一周还没到", "請問什麼時候發貨？", "客服态度很好，问题解决了",
                      "   ", "APP一直闪退", "ｉＰｈｏｎｅ充电器坏了，电话13812345678"],
        }
    )


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def invoke(runner: CliRunner, *args: str):
    from fankui.cli import app

    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
