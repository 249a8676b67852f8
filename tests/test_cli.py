"""The CLI: exit codes and the exact messages users see, rejects accounting, help texts."""

from __future__ import annotations

import pandas as pd
import pytest

from fankui.io import read_table
from tests.conftest import invoke

NO_MODELS = ["--no-sentiment", "--no-themes-tagging"]


def test_analyze_writes_output_and_rejects(runner, tmp_path, tickets_frame):
    src = tmp_path / "工单.csv"
    tickets_frame.to_csv(src, index=False, encoding="gb18030")
    out = tmp_path / "out" / "labelled.csv"
    result = invoke(runner, "analyze", src, "-o", out, *NO_MODELS)
    assert result.exit_code == 0, result.stderr
    assert f"read 6, written 4, rejected 2 → {out}" in result.stderr
    labelled = read_table(out)
    rejects = read_table(out.with_name("labelled.rejects.csv"))
    assert len(labelled) + len(rejects) == len(tickets_frame)
    assert set(labelled["ticket_id"]) | set(rejects["工单编号"]) == set(tickets_frame["工单编号"])
    assert rejects["reason"].tolist() == ["empty text", "unparseable created_at 'not a date'"]
    assert labelled.loc[labelled.ticket_id == "T002", "text_norm"].item() == "请问什么时候发货?"
    assert labelled.loc[labelled.ticket_id == "T002", "text"].item() == "請問什麼時候發貨？"


@pytest.mark.parametrize("ext", ["xlsx", "jsonl", "parquet", "tsv"])
def test_analyze_output_formats(runner, tmp_path, tickets_frame, ext):
    src = tmp_path / "t.csv"
    tickets_frame.to_csv(src, index=False)
    out = tmp_path / f"o.{ext}"
    result = invoke(runner, "analyze", src, "-o", out, "-q", *NO_MODELS)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""  # --quiet
    assert len(read_table(out)) == 4


def test_analyze_streams_in_chunks(runner, tmp_path):
    src = tmp_path / "big.csv"
    n = 1234
    pd.DataFrame({"工单号": [f"T{i}" for i in range(n)],
                  "内容": ["" if i % 100 == 0 else f"第{i}单物流太慢" for i in range(n)]}).to_csv(src, index=False)
    out = tmp_path / "o.jsonl"
    result = invoke(runner, "analyze", src, "-o", out, "--chunk-size", "100", *NO_MODELS)
    assert result.exit_code == 0, result.stderr
    assert "read 1234, written 1221, rejected 13" in result.stderr
    assert read_table(out)["ticket_id"].tolist()[:3] == ["T1", "T2", "T3"]


def test_stale_rejects_file_is_removed(runner, tmp_path):
    src = tmp_path / "t.csv"
    src.write_text("内容\n好\n", encoding="utf-8")
    stale = tmp_path / "o.rejects.csv"
    stale.write_text("row,reason\n2,old\n", encoding="utf-8")
    assert invoke(runner, "analyze", src, "-o", tmp_path / "o.csv", *NO_MODELS).exit_code == 0
    assert not stale.exists()


# --- bad input: exit code 2 and a message that says what is wrong and how to fix it --------------------

def _error(result) -> str:
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr
    return result.stderr


def test_missing_file(runner, tmp_path):
    err = _error(invoke(runner, "analyze", tmp_path / "nope.csv", "-o", tmp_path / "o.csv"))
    assert err == f"Error: file not found: {tmp_path / 'nope.csv'}\nCheck the path (and the current folder).\n"


def test_empty_file(runner, tmp_path):
    (tmp_path / "e.csv").write_bytes(b"")
    err = _error(invoke(runner, "analyze", tmp_path / "e.csv", "-o", tmp_path / "o.csv"))
    assert err.startswith(f"Error: {tmp_path / 'e.csv'} is empty (0 bytes).")


def test_header_only_file(runner, tmp_path):
    (tmp_path / "h.csv").write_text("工单号,内容\n", encoding="utf-8")
    result = invoke(runner, "analyze", tmp_path / "h.csv", "-o", tmp_path / "o.csv", *NO_MODELS)
    assert result.exit_code == 0 and "read 0, written 0, rejected 0" in result.stderr


def test_wrong_extension(runner, tmp_path, tickets_frame):
    tickets_frame.to_excel(tmp_path / "t.xlsx", index=False)
    (tmp_path / "t.xlsx").rename(tmp_path / "t.csv")
    err = _error(invoke(runner, "analyze", tmp_path / "t.csv", "-o", tmp_path / "o.csv"))
    assert "looks like an Excel workbook, not CSV text." in err and "Rename it to .xlsx." in err


def test_undecodable_bytes(runner, tmp_path):
    src = tmp_path / "t.csv"
    head = "内容\n好评\n".encode("utf-8")
    src.write_bytes(head + "差评".encode("gbk") + b"\n")
    err = _error(invoke(runner, "analyze", src, "-o", tmp_path / "o.csv", "--encoding", "utf-8"))
    assert f"cannot be decoded as utf-8 at byte offset {len(head)}" in err
    assert "Try --encoding gb18030" in err


def test_no_text_column(runner, tmp_path):
    src = tmp_path / "t.csv"
    src.write_text("编号,备注,金额\n1,物流慢,3\n", encoding="utf-8")
    err = _error(invoke(runner, "analyze", src, "-o", tmp_path / "o.csv"))
    assert "no column looks like 'text'. Columns found: 编号, 备注, 金额." in err
    assert "--text-column" in err


def test_text_column_option_fixes_it(runner, tmp_path):
    src = tmp_path / "t.csv"
    src.write_text("编号,备注,金额\n1,物流慢,3\n", encoding="utf-8")
    result = invoke(runner, "analyze", src, "-o", tmp_path / "o.csv", "--text-column", "备注", *NO_MODELS)
    assert result.exit_code == 0, result.stderr


def test_text_column_option_unknown(runner, tmp_path):
    src = tmp_path / "t.csv"
    src.write_text("编号,备注\n1,物流慢\n", encoding="utf-8")
    err = _error(invoke(runner, "analyze", src, "-o", tmp_path / "o.csv", "--text-column", "内容"))
    assert "column '内容' (given with --text-column) is not in the file." in err and "Columns found: 编号, 备注." in err


def test_output_equal_to_input_is_refused(runner, tmp_path, tickets_frame):
    src = tmp_path / "t.csv"
    tickets_frame.to_csv(src, index=False)
    before = src.read_bytes()
    err = _error(invoke(runner, "analyze", src, "-o", src))
    assert "is the input file; refusing to overwrite" in err
    assert src.read_bytes() == before


def test_several_sheets(runner, tmp_path, tickets_frame):
    path = tmp_path / "two.xlsx"
    with pd.ExcelWriter(path) as xw:
        tickets_frame.to_excel(xw, sheet_name="十月", index=False)
        tickets_frame.to_excel(xw, sheet_name="九月", index=False)
    err = _error(invoke(runner, "analyze", path, "-o", tmp_path / "o.csv"))
    assert "has 2 sheets: 十月, 九月." in err and "--sheet" in err
    ok = invoke(runner, "analyze", path, "-o", tmp_path / "o.csv", "--sheet", "九月", *NO_MODELS)
    assert ok.exit_code == 0


def test_bad_output_extension(runner, tmp_path, tickets_frame):
    src = tmp_path / "t.csv"
    tickets_frame.to_csv(src, index=False)
    err = _error(invoke(runner, "analyze", src, "-o", tmp_path / "o.docx"))
    assert "unknown file type '.docx'" in err


def test_unknown_encoding(runner, tmp_path, tickets_frame):
    src = tmp_path / "t.csv"
    tickets_frame.to_csv(src, index=False)
    err = _error(invoke(runner, "analyze", src, "-o", tmp_path / "o.csv", "--encoding", "big-five"))
    assert "unknown encoding 'big-five'" in err


# --- help ----------------------------------------------------------------------------------------------

def _commands():
    from fankui.cli import app

    return sorted(c.name or c.callback.__name__ for c in app.registered_commands)


def test_every_command_has_help_with_an_example(runner):
    commands = _commands()
    assert "analyze" in commands and "demo" in commands
    for name in commands:
        result = invoke(runner, name, "--help")
        assert result.exit_code == 0, name
        assert "Example:" in result.stdout and "fankui " in result.stdout, name


def test_top_level_help(runner):
    result = invoke(runner, "--help")
    assert result.exit_code == 0 and "analyze" in result.stdout
