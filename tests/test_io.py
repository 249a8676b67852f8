"""Intake: encodings, formats, header aliases, rejects accounting, atomic writes."""

from __future__ import annotations

import pandas as pd
import pytest

from fankui.errors import InputError, SchemaError
from fankui.io import TableWriter, atomic_output, detect_encoding, iter_table, read_table, write_table
from fankui.schema import TICKET_ALIASES, resolve_columns
from fankui.tickets import load_tickets, parse_datetimes, read_tickets


@pytest.mark.parametrize("encoding, expected", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030"), ("gbk", "gb18030"),
    ("utf-16", "utf-16"),
])
def test_each_encoding_is_detected_and_read(tmp_path, tickets_frame, encoding, expected):
    path = tmp_path / "t.csv"
    sep = "\t" if encoding == "utf-16" else ","  # Excel's "Unicode text" export is UTF-16 + tabs
    tickets_frame.to_csv(path, index=False, encoding=encoding, sep=sep)
    assert detect_encoding(path) == expected
    df = read_table(path)
    assert df["反馈内容"].tolist() == tickets_frame["反馈内容"].tolist()
    assert list(df.columns) == list(tickets_frame.columns)


def test_encoding_override(tmp_path, tickets_frame):
    path = tmp_path / "t.csv"
    tickets_frame.to_csv(path, index=False, encoding="gbk")
    assert read_table(path, encoding="gbk")["反馈内容"].iloc[0] == "快递太慢了，等了一周还没到"


@pytest.mark.parametrize("ext", ["csv", "tsv", "xlsx", "jsonl", "parquet"])
def test_each_format_round_trips(tmp_path, tickets_frame, ext):
    path = tmp_path / f"t.{ext}"
    write_table(tickets_frame, path)
    back = read_table(path)
    pd.testing.assert_frame_equal(back.reset_index(drop=True), tickets_frame.astype(object), check_dtype=False)


def test_ids_stay_text(tmp_path):
    path = tmp_path / "ids.csv"
    path.write_text("客户ID,内容\n00123,好\n", encoding="utf-8")
    assert read_table(path)["客户ID"].tolist() == ["00123"]


def test_excel_numbers_come_back_as_ids(tmp_path):
    path = tmp_path / "n.xlsx"
    pd.DataFrame({"客户ID": [10023, 10024], "内容": ["好", "差"]}).to_excel(path, index=False)
    assert read_table(path)["客户ID"].tolist() == ["10023", "10024"]


def test_chunks_keep_record_numbers(tmp_path):
    path = tmp_path / "big.csv"
    pd.DataFrame({"text": [f"第{i}条" for i in range(250)]}).to_csv(path, index=False)
    chunks = list(iter_table(path, chunksize=100))
    assert [len(c) for c in chunks] == [100, 100, 50]
    assert chunks[2].index[0] == 200


@pytest.mark.parametrize("header, canonical", [
    ("工单编号", "ticket_id"), ("工单号", "ticket_id"), ("Ticket_ID", "ticket_id"), ("ticket id", "ticket_id"),
    ("客户ID", "customer_id"), ("会员编号", "customer_id"), ("customer_id", "customer_id"), ("用户ID", "customer_id"),
    ("创建时间", "created_at"), ("提交时间", "created_at"), ("created_at", "created_at"),
    ("反馈内容", "text"), ("投诉内容", "text"), ("内容", "text"), ("描述", "text"), ("text", "text"),
    ("ＴＥＸＴ", "text"), ("问题描述", "text"), ("渠道", "channel"), ("评分", "rating"),
])
def test_header_aliases(header, canonical):
    assert resolve_columns([header, "其他列"], TICKET_ALIASES)[canonical] == header


def test_override_beats_alias():
    mapping = resolve_columns(["内容", "备注"], TICKET_ALIASES, {"text": "备注"}, required=["text"])
    assert mapping["text"] == "备注"


def test_missing_text_column_lists_columns():
    with pytest.raises(SchemaError) as err:
        resolve_columns(["工单号", "备注"], TICKET_ALIASES, required=["text"], options={"text": "--text-column"})
    assert "Columns found: 工单号, 备注" in err.value.message
    assert "--text-column" in err.value.hint


def test_rejects_account_for_every_row(tickets_frame):
    good, rejects = read_tickets(tickets_frame)
    assert len(good) + len(rejects) == len(tickets_frame)
    assert rejects[["row", "reason"]].values.tolist() == [
        [5, "empty text"],
        [6, "unparseable created_at 'not a date'"],
    ]
    assert good["ticket_id"].tolist() == ["T001", "T002", "T003", "T006"]
    assert str(good["created_at"].dtype).startswith("datetime64")
    assert good["created_at"].iloc[2] == pd.Timestamp("2026-10-03 11:05")
    # the original text is kept unchanged
    assert good["text"].iloc[1] == "請問什麼時候發貨？"


def test_load_tickets_from_path(tmp_path, tickets_frame):
    path = tmp_path / "t.csv"
    tickets_frame.to_csv(path, index=False, encoding="gb18030")
    df = load_tickets(path)
    assert list(df.columns[:4]) == ["ticket_id", "customer_id", "created_at", "text"]
    assert len(df) == 4 and len(df.attrs["rejects"]) == 2


def test_missing_id_column_uses_row_numbers():
    good, _ = read_tickets(pd.DataFrame({"内容": ["好", "差"]}))
    assert good["ticket_id"].tolist() == ["R2", "R3"]


def test_parse_datetimes_formats():
    parsed, bad = parse_datetimes(pd.Series(["2026-10-05T14:23:11", "2026/10/5 14:23", "2026年10月5日 14时23分",
                                             "46000", "", "下周"]))
    assert bad.tolist() == [False, False, False, False, False, True]
    assert parsed.iloc[2] == pd.Timestamp("2026-10-05 14:23")
    assert parsed.iloc[3] == pd.Timestamp("2025-12-09")  # Excel serial day
    assert pd.isna(parsed.iloc[4])


# --- bad files -------------------------------------------------------------------------------------------

def test_missing_file():
    with pytest.raises(InputError, match="file not found"):
        read_table("/nonexistent/tickets.csv")


def test_empty_file(tmp_path):
    (tmp_path / "e.csv").write_bytes(b"")
    with pytest.raises(InputError, match=r"is empty \(0 bytes\)"):
        read_table(tmp_path / "e.csv")


def test_excel_renamed_to_csv(tmp_path, tickets_frame):
    tickets_frame.to_excel(tmp_path / "t.xlsx", index=False)
    (tmp_path / "t.xlsx").rename(tmp_path / "t.csv")
    with pytest.raises(InputError, match="looks like an Excel workbook"):
        read_table(tmp_path / "t.csv")


def test_csv_renamed_to_xlsx(tmp_path, tickets_frame):
    tickets_frame.to_csv(tmp_path / "t.xlsx", index=False)
    with pytest.raises(InputError, match=r"is not an \.xlsx workbook; its content looks like text"):
        read_table(tmp_path / "t.xlsx")


def test_undecodable_bytes_name_offset(tmp_path):
    path = tmp_path / "bad.csv"
    good = "内容\n好评\n".encode("utf-8")
    path.write_bytes(good + b"\xff\xfe\xfa\n")
    with pytest.raises(InputError) as err:
        read_table(path, encoding="utf-8")
    assert f"at byte offset {len(good)}" in err.value.message
    assert "--encoding gb18030" in err.value.hint


def test_several_sheets_need_sheet_option(tmp_path, tickets_frame):
    path = tmp_path / "two.xlsx"
    with pd.ExcelWriter(path) as xw:
        tickets_frame.to_excel(xw, sheet_name="十月", index=False)
        tickets_frame.head(2).to_excel(xw, sheet_name="九月", index=False)
    with pytest.raises(InputError, match="has 2 sheets: 十月, 九月"):
        read_table(path)
    assert len(read_table(path, sheet="九月")) == 2
    assert len(read_table(path, sheet="0")) == 6


def test_unknown_extension(tmp_path):
    (tmp_path / "x.doc").write_text("内容", encoding="utf-8")
    with pytest.raises(InputError, match="unknown file type '.doc'"):
        read_table(tmp_path / "x.doc")


# --- atomic writing ------------------------------------------------------------------------------------

def test_interrupted_write_leaves_old_output(tmp_path):
    path = tmp_path / "out.csv"
    write_table(pd.DataFrame({"a": ["old"]}), path)
    with pytest.raises(RuntimeError):
        with TableWriter(path) as w:
            w.write(pd.DataFrame({"a": ["new"]}))
            raise RuntimeError("killed halfway")
    assert read_table(path)["a"].tolist() == ["old"]
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no temporary file left behind


@pytest.mark.parametrize("ext", ["csv", "jsonl", "parquet", "xlsx"])
def test_chunked_writer_formats(tmp_path, ext):
    path = tmp_path / f"o.{ext}"
    with TableWriter(path) as w:
        w.write(pd.DataFrame({"a": ["1", "2"], "tokens": [["物流", "慢"], ["好"]]}))
        w.write(pd.DataFrame({"a": ["3"], "tokens": [["退款"]]}))
    back = read_table(path)
    assert back["a"].tolist() == ["1", "2", "3"]


def test_malformed_csv_lines_become_rejects(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("工单号,内容\nT1,物流慢\nT2,多了,一列\nT3,\nT4,好评\n", encoding="utf-8")
    good, rejects = read_tickets(path)
    assert good["ticket_id"].tolist() == ["T1", "T4"]
    assert rejects["row"].tolist() == [3, 4]
    assert rejects["reason"].tolist() == ["malformed line: expected 2 fields, saw 3", "empty text"]


@pytest.mark.parametrize("ext", [".csv", ".jsonl", ".parquet", ".xlsx"])
def test_outputs_get_ordinary_permissions(tmp_path, ext):
    # Temporary files are private (0600); the renamed output must be as readable as any file open() creates.
    import os

    mask = os.umask(0o022)
    try:
        out = write_table(pd.DataFrame({"a": ["1"]}), tmp_path / f"o{ext}")
    finally:
        os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o644


def test_atomic_output_keeps_old_file_on_error(tmp_path):
    target = tmp_path / "model.npz"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_output(target) as tmp:
            tmp.write_bytes(b"half")
            raise RuntimeError("interrupted")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]
    with atomic_output(target) as tmp:
        tmp.write_bytes(b"new")
    assert target.read_bytes() == b"new"



def test_reading_chunks_does_not_accumulate_memory(tmp_path):
    # Regression: handing pandas a text handle made it keep a leftover buffer that grew with every read of
    # multi-byte (Chinese) text, so peak memory grew with the file even though we read in chunks
    # (measured: 6.7 MB for a 3 MB file, 58 MB for a 32 MB one; now about 4 MB for both).
    import tracemalloc

    text = "快递太慢了，客服态度也很差，申请退款三天还没到账"

    def peak_while_reading(rows: int) -> int:
        path = tmp_path / f"t{rows}.csv"
        pd.DataFrame({"工单编号": [f"T{i}" for i in range(rows)], "反馈内容": text}).to_csv(
            path, index=False, encoding="utf-8-sig")
        tracemalloc.start()
        try:
            base = tracemalloc.get_traced_memory()[0]
            for chunk in iter_table(path, chunksize=2_000):
                del chunk
            return tracemalloc.get_traced_memory()[1] - base
        finally:
            tracemalloc.stop()

    small, large = peak_while_reading(20_000), peak_while_reading(160_000)
    assert large < 1.5 * small, (small, large)


def test_missing_column_hint_names_a_free_date_like_column():
    from fankui.errors import SchemaError
    from fankui.schema import resolve_columns
    from fankui.customers.orders import ORDER_ALIASES

    with pytest.raises(SchemaError) as err:
        resolve_columns(["客户ID", "备注", "提交时间", "投诉内容"], ORDER_ALIASES, required=["customer_id", "ordered_at"],
                        options={"ordered_at": "--order-date-column"})
    assert "--order-date-column '提交时间'" in err.value.hint
