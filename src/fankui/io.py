"""Reading and writing tables: CSV/TSV, Excel, JSON Lines and Parquet, with encoding detection.

Everything is read as text (``dtype=str``): ids such as ``00123`` or 18-digit order numbers must not be turned
into numbers. Large files are read in chunks (:func:`iter_table`) so memory does not grow with the file;
outputs go through :class:`TableWriter`, which writes to a temporary file and renames it only when complete.
"""

from __future__ import annotations

import codecs
import csv
import io as _io
import os
import re
import tempfile
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import pandas as pd

from .errors import InputError

__all__ = [
    "FORMATS",
    "table_format",
    "detect_encoding",
    "read_table",
    "iter_table",
    "write_table",
    "TableWriter",
    "TableSource",
    "atomic_output",
    "rejects_path_for",
    "write_table_with_rejects",
    "MISSING_CELL_TEXTS",
    "cell_strings",
]

FORMATS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}
_SUPPORTED = ".csv, .tsv, .txt, .xlsx, .jsonl, .parquet"

# Sniff this much to choose the encoding; a wrong guess is still caught later as a decoding error with its offset.
_SNIFF_BYTES = 1 << 20
_SKIPPED = re.compile(r"Skipping line (\d+): (.*)", re.S)


def table_format(path: str | Path) -> str:
    """The format implied by a file's extension (``csv``, ``excel``, ``jsonl`` or ``parquet``)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".xls":
        raise InputError(
            f"{path}: the old Excel .xls format is not supported.",
            "Open it in Excel or WPS and save it as .xlsx (or as CSV UTF-8).",
        )
    fmt = FORMATS.get(suffix)
    if fmt is None:
        raise InputError(f"{path}: unknown file type {suffix or '(no extension)'!r}.", f"Use one of {_SUPPORTED}.")
    return fmt


def _check_readable(path: Path) -> int:
    if not path.exists():
        raise InputError(f"file not found: {path}", "Check the path (and the current folder).")
    if path.is_dir():
        raise InputError(f"{path} is a folder, not a file.", "Give the exported file itself.")
    size = path.stat().st_size
    if size == 0:
        raise InputError(f"{path} is empty (0 bytes).", "Export the tickets again; the file has no content.")
    return size


def _check_magic(path: Path, fmt: str) -> None:
    """Refuse a file whose content is not what its extension says, naming what it looks like."""
    with open(path, "rb") as fh:
        head = fh.read(8)
    is_zip = head.startswith(b"PK\x03\x04")
    is_parquet = head.startswith(b"PAR1")
    is_ole = head.startswith(b"\xd0\xcf\x11\xe0")  # old binary .xls
    if fmt == "excel" and not is_zip:
        looks = "an old .xls workbook" if is_ole else "text (CSV?)"
        raise InputError(
            f"{path} is not an .xlsx workbook; its content looks like {looks}.",
            "Save it from Excel as .xlsx, or rename it to .csv if it is a CSV export.",
        )
    if fmt == "parquet" and not is_parquet:
        raise InputError(f"{path} is not a Parquet file (it lacks the PAR1 header).", "Check the file or its extension.")
    if fmt in ("csv", "jsonl") and (is_zip or is_parquet or is_ole):
        looks = "an Excel workbook" if (is_zip or is_ole) else "a Parquet file"
        ext = ".xlsx" if is_zip else (".xls" if is_ole else ".parquet")
        raise InputError(
            f"{path} looks like {looks}, not {fmt.upper()} text.",
            f"Rename it to {ext}" + (" after saving it as .xlsx." if is_ole else "."),
        )


def detect_encoding(path: str | Path, sample: bytes | None = None) -> str:
    """Guess a text file's encoding: BOMs first, then strict UTF-8, then GB18030 (a superset of GBK/GB2312).

    Excel's "Unicode text" export is UTF-16 with a BOM; Chinese Windows tools write GBK without one.

    >>> detect_encoding("tickets.csv")  # doctest: +SKIP
    'gb18030'
    """
    if sample is None:
        with open(path, "rb") as fh:
            sample = fh.read(_SNIFF_BYTES)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith(codecs.BOM_UTF16_LE) or sample.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    # UTF-16 without BOM: every other byte of ASCII text is zero.
    if len(sample) >= 4 and sample[1:200:2].count(0) > 0.6 * len(sample[1:200:2]):
        return "utf-16-le"
    for enc in ("utf-8", "gb18030"):
        try:
            # The sample may end in the middle of a character: an incremental decoder tolerates that.
            codecs.getincrementaldecoder(enc)().decode(sample, final=False)
            return enc
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    return best.encoding if best is not None else "utf-8"


def _decode_error(path: Path, encoding: str, user_given: bool) -> InputError:
    """Find the exact byte offset of the first undecodable byte (only on the error path, so speed is moot)."""
    offset = None
    decoder = codecs.getincrementaldecoder(encoding)()
    pos = 0
    with open(path, "rb") as fh:
        while True:
            block = fh.read(1 << 16)
            try:
                decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                # exc.start counts from the start of (pending bytes + block); pending bytes are < 4.
                pending = len(exc.object) - len(block)
                offset = pos - pending + exc.start
                bad = exc.object[exc.start : exc.start + 4]
                break
            if not block:
                break
            pos += len(block)
    where = f" at byte offset {offset} (bytes {bad!r})" if offset is not None else ""
    hint = (
        "Try --encoding gb18030 (Chinese Windows/Excel exports), --encoding utf-8-sig or --encoding utf-16."
        if not user_given or encoding.replace("-", "").lower() not in ("gb18030", "gbk")
        else "Try --encoding utf-8 or --encoding utf-16, or re-export the file as 'CSV UTF-8'."
    )
    return InputError(f"{path} cannot be decoded as {encoding}{where}.", hint)


def _sniff_delimiter(text_sample: str, suffix: str) -> str:
    if suffix == ".tsv":
        return "\t"
    first_lines = "\n".join(text_sample.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(first_lines, delimiters=",\t;|").delimiter
    except csv.Error:
        header = first_lines.split("\n", 1)[0]
        return max(",\t;|", key=header.count) if header else ","


@dataclass
class TableSource:
    """An opened input: its path, format, encoding and size; iterate it with :func:`iter_table`."""

    path: Path
    fmt: str
    encoding: str | None
    size: int
    sheet: str | None = None


def open_source(path: str | Path, *, encoding: str | None = None, sheet: str | int | None = None) -> TableSource:
    """Validate a path and settle its format and encoding (without reading the data)."""
    path = Path(path)
    size = _check_readable(path)
    fmt = table_format(path)
    _check_magic(path, fmt)
    enc = None
    if fmt in ("csv", "jsonl"):
        if encoding:
            try:
                codecs.lookup(encoding)
            except LookupError:
                raise InputError(f"unknown encoding {encoding!r}.", "Use e.g. utf-8, utf-8-sig, gb18030, gbk or utf-16.") from None
            enc = encoding
        else:
            enc = detect_encoding(path)
    return TableSource(path, fmt, enc, size, None if sheet is None else str(sheet))


def _excel_sheet(path: Path, sheet: str | None) -> str | int:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for damaged files
        raise InputError(f"{path} cannot be opened as an Excel workbook ({exc}).", "Re-save it from Excel as .xlsx.") from None
    names = wb.sheetnames
    wb.close()
    if sheet is None:
        if len(names) > 1:
            raise InputError(
                f"{path} has {len(names)} sheets: {', '.join(names)}.",
                f"Choose one with --sheet NAME (e.g. --sheet {names[0]!r}).",
            )
        return 0
    if sheet in names:
        return sheet
    if sheet.isdigit() and int(sheet) < len(names):
        return int(sheet)
    raise InputError(f"sheet {sheet!r} is not in {path}.", f"Sheets: {', '.join(names)}.")


# How an empty cell reads once it has been through str(): spreadsheets export NULL/None, pandas writes nan, NaT
# and <NA>. Every column that must not be empty (text, customer id, date, amount) treats these as empty.
MISSING_CELL_TEXTS = frozenset({"", "nan", "nat", "none", "null", "<na>"})


def cell_strings(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """``(text, missing)``: the cells as stripped strings, and which of them are empty in any usual spelling.

    >>> cell_strings(pd.Series([" A01 ", None, "NULL", "nan", ""]))[1].tolist()
    [False, True, True, True, True]
    """
    text = values.astype(str).str.strip()
    return text, text.str.lower().isin(MISSING_CELL_TEXTS)


def _as_text_frame(df: pd.DataFrame) -> pd.DataFrame:
    """All columns as str with '' for missing, and str column names (JSON/Parquet/Excel give typed values)."""
    out = pd.DataFrame(index=df.index)
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            text = s.dt.strftime("%Y-%m-%d %H:%M:%S").where(s.notna(), "")
        else:
            text = s.astype(object).where(s.notna(), "").map(_cell_text)
        out[str(col)] = text.astype(object)
    return out


def _cell_text(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))  # Excel stores 10023 as 10023.0; an id must come back as "10023"
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    return str(v)


class _CountingReader(_io.RawIOBase):
    """Wraps a binary file so progress can be reported in bytes consumed."""

    def __init__(self, raw):
        self.raw = raw
        self.consumed = 0

    def readable(self):
        return True

    def readinto(self, b):
        n = self.raw.readinto(b)
        self.consumed += n or 0
        return n

    def close(self):
        self.raw.close()
        super().close()


def iter_table(
    source: TableSource | str | Path,
    *,
    chunksize: int = 20_000,
    encoding: str | None = None,
    sheet: str | int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[pd.DataFrame]:
    """Yield the table in chunks of at most ``chunksize`` rows, all values as ``str`` ('' for empty cells).

    Each chunk's index is the row's number in the file minus 2 (header = row 1), so row numbers survive
    chunking. CSV lines with more fields than the header are listed in ``chunk.attrs["bad_lines"]`` as
    ``(row, message)`` pairs instead of being dropped silently.
    ``progress(done_bytes, total_bytes)`` is called after each chunk.

    >>> for chunk in iter_table("tickets.csv", chunksize=50_000):  # doctest: +SKIP
    ...     print(len(chunk))
    """
    if not isinstance(source, TableSource):
        source = open_source(source, encoding=encoding, sheet=sheet)
    path, total = source.path, source.size
    start = 0
    if source.fmt == "excel":
        # Excel caps a sheet at 1,048,576 rows, so reading it whole is bounded; openpyxl cannot stream faster.
        which = _excel_sheet(path, source.sheet)
        df = pd.read_excel(path, sheet_name=which, dtype=object, engine="openpyxl")
        df = _as_text_frame(df)
        if df.columns.size == 0:
            raise InputError(f"{path}: the sheet is empty.", "Choose another sheet with --sheet.")
        for i in range(0, max(len(df), 1), chunksize):
            chunk = df.iloc[i : i + chunksize]
            if progress:
                progress(min(total, int(total * (i + len(chunk)) / max(len(df), 1))), total)
            yield chunk
        return
    if source.fmt == "parquet":
        import pyarrow.parquet as pq

        try:
            pf = pq.ParquetFile(path)
        except Exception as exc:
            raise InputError(f"{path} cannot be read as Parquet ({exc}).", "Check the file.") from None
        rows = pf.metadata.num_rows
        for batch in pf.iter_batches(batch_size=chunksize):
            chunk = _as_text_frame(batch.to_pandas())
            chunk.index = pd.RangeIndex(start, start + len(chunk))
            start += len(chunk)
            if progress:
                progress(int(total * start / max(rows, 1)), total)
            yield chunk
        return

    sep = ","
    if source.fmt == "csv":
        with open(path, "rb") as fh:
            head = codecs.getincrementaldecoder(source.encoding)(errors="replace").decode(fh.read(1 << 16))
        sep = _sniff_delimiter(head.lstrip("\ufeff"), path.suffix.lower())
    raw = _CountingReader(open(path, "rb"))
    binary = _io.BufferedReader(raw, 1 << 16)
    text = binary
    try:
        if source.fmt == "jsonl":
            text = _io.TextIOWrapper(binary, encoding=source.encoding, errors="strict", newline="")
            reader = pd.read_json(text, lines=True, chunksize=chunksize, dtype=False)
        else:
            # The C parser gets the *binary* handle and decodes itself. Given a text handle, pandas re-encodes it
            # through a wrapper that reads n characters, returns n bytes and keeps the rest: with 3-byte Chinese
            # characters that leftover grows with every read, so memory grew with the file (pandas 3.1).
            # Lines with more fields than the header are skipped by the parser with a warning naming the line;
            # we turn those warnings into rejects (chunk.attrs["bad_lines"]) so no row disappears silently.
            reader = pd.read_csv(
                binary, sep=sep, dtype=str, keep_default_na=False, na_filter=False, chunksize=chunksize,
                skip_blank_lines=True, engine="c", on_bad_lines="warn", encoding=source.encoding,
                encoding_errors="strict",
            )
        bad_lines: list[int] = []
        next_line = 2  # spreadsheet numbering: the header is line 1
        while True:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", pd.errors.ParserWarning)
                try:
                    chunk = next(reader)
                except StopIteration:
                    break
            found = []
            for w in caught:
                m = _SKIPPED.match(str(w.message))
                if m:
                    found.append((int(m.group(1)), m.group(2).strip()))
                else:
                    warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
            bad_lines.extend(n for n, _ in found)
            if source.fmt == "jsonl":
                chunk = _as_text_frame(chunk)
                chunk.index = pd.RangeIndex(start, start + len(chunk))
            else:
                # Number the rows as the file does, stepping over the skipped lines.
                rows = []
                bad = set(bad_lines)
                while len(rows) < len(chunk):
                    if next_line not in bad:
                        rows.append(next_line)
                    next_line += 1
                chunk.index = pd.Index([r - 2 for r in rows], dtype="int64")
            chunk.columns = [str(c).lstrip("\ufeff").strip() for c in chunk.columns]
            chunk.attrs["bad_lines"] = found
            start += len(chunk)
            if progress:
                progress(min(raw.consumed, total), total)
            yield chunk
    except UnicodeDecodeError:
        raise _decode_error(path, source.encoding or "utf-8", encoding is not None) from None
    except pd.errors.EmptyDataError:
        raise InputError(f"{path} has no header row or no data.", "Export the file again with a header row.") from None
    except pd.errors.ParserError as exc:
        raise InputError(
            f"{path} is not a well-formed {'CSV' if source.fmt == 'csv' else 'JSON Lines'} file: {exc}".rstrip(),
            "Check the line it names: a quote that is not closed or a row with extra separators."
            + (" For CSV, every line must have the header's number of fields." if source.fmt == "csv" else ""),
        ) from None
    except ValueError as exc:
        if source.fmt == "jsonl":
            raise InputError(f"{path} is not valid JSON Lines ({exc}).", "Each line must be one JSON object.") from None
        raise
    finally:
        text.close()


def read_table(path: str | Path, *, encoding: str | None = None, sheet: str | int | None = None) -> pd.DataFrame:
    """Read a whole table (all values as str). For large files prefer :func:`iter_table`.

    >>> df = read_table("corpora/demo/tickets.csv")  # doctest: +SKIP
    """
    chunks = list(iter_table(path, encoding=encoding, sheet=sheet, chunksize=200_000))
    if not chunks:
        return pd.DataFrame()
    return pd.concat(chunks) if len(chunks) > 1 else chunks[0]


def _serialisable(df: pd.DataFrame, fmt: str) -> pd.DataFrame:
    """Lists (tokens) become space-joined text in CSV/Excel; JSON Lines and Parquet keep real lists."""
    out = df
    for col in df.columns:
        if df[col].dtype == object and len(df) and isinstance(df[col].iloc[0], (list, tuple)):
            if fmt in ("csv", "excel"):
                if out is df:
                    out = df.copy()
                # filter(str.strip, ...) drops whitespace tokens at C speed (this runs once per output row).
                out[col] = [" ".join(filter(str.strip, v)) if isinstance(v, (list, tuple)) else v for v in df[col]]
    return out


def _file_mode() -> int:
    """The permissions ``open()`` would give a new file: 0666 minus the umask.

    mkstemp creates 0600 files; an output renamed into place from one would be unreadable to colleagues who
    could read every other file in the folder.
    """
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


@contextmanager
def atomic_output(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; it replaces ``path`` only if the block finishes.

    On an exception the temporary file is removed and an existing ``path`` is untouched.

    >>> with atomic_output("model.npz") as tmp:  # doctest: +SKIP
    ...     tmp.write_bytes(data)
    """
    path = Path(path)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, _file_mode())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


class TableWriter:
    """Write a table chunk by chunk to a temporary file and move it into place on :meth:`close`.

    An interrupted run leaves no half-written file under the output name. Use as a context manager:
    on an exception the temporary file is removed and the old output (if any) is untouched.

    >>> with TableWriter("out/labelled.csv") as w:  # doctest: +SKIP
    ...     for chunk in chunks:
    ...         w.write(chunk)
    """

    EXCEL_MAX_ROWS = 1_048_575

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.fmt = table_format(self.path)
        self.rows = 0
        self._tmp: Path | None = None
        self._fh = None
        self._parquet = None
        self._excel_parts: list[pd.DataFrame] = []
        self._columns: list[str] | None = None

    def __enter__(self) -> "TableWriter":
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        else:
            self.abort()
        return False

    def _open_tmp(self) -> Path:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        os.close(fd)
        self._tmp = Path(name)
        return self._tmp

    def write(self, df: pd.DataFrame) -> None:
        if self._columns is None:
            self._columns = [str(c) for c in df.columns]
        df = _serialisable(df, self.fmt)
        if self._tmp is None and self.fmt != "excel":
            self._open_tmp()
        if self.fmt == "csv":
            if self._fh is None:
                # utf-8-sig: Excel on Chinese Windows opens BOM-less UTF-8 as GBK and shows mojibake.
                self._fh = open(self._tmp, "w", encoding="utf-8-sig", newline="")
                sep = "\t" if self.path.suffix.lower() == ".tsv" else ","
                self._sep = sep
                df.to_csv(self._fh, index=False, sep=sep, lineterminator="\n")
            else:
                df.to_csv(self._fh, index=False, header=False, sep=self._sep, lineterminator="\n")
        elif self.fmt == "jsonl":
            if self._fh is None:
                self._fh = open(self._tmp, "w", encoding="utf-8", newline="\n")
            if len(df):
                text = df.to_json(orient="records", lines=True, force_ascii=False, date_format="iso")
                self._fh.write(text if text.endswith("\n") else text + "\n")
        elif self.fmt == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(df, preserve_index=False)
            if self._parquet is None:
                self._schema = table.schema
                self._parquet = pq.ParquetWriter(self._tmp, self._schema)
            else:
                # A chunk whose column is all-empty gets type null; cast it to the first chunk's schema.
                table = table.cast(self._schema) if table.schema != self._schema else table
            self._parquet.write_table(table)
        else:
            if self.rows + len(df) > self.EXCEL_MAX_ROWS:
                raise InputError(
                    f"{self.path}: more than {self.EXCEL_MAX_ROWS:,} rows do not fit in an Excel sheet.",
                    "Write .csv, .jsonl or .parquet instead.",
                )
            self._excel_parts.append(df)
        self.rows += len(df)

    def close(self) -> Path:
        if self.fmt == "excel":
            df = pd.concat(self._excel_parts) if self._excel_parts else pd.DataFrame(columns=self._columns or [])
            tmp = self._open_tmp()
            with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
                df.to_excel(xw, index=False)
        elif self._tmp is None:
            # Nothing was written (no rows): still produce a valid file with the header.
            self.write(pd.DataFrame(columns=self._columns or []))
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        if self._parquet is not None:
            self._parquet.close()
            self._parquet = None
        os.chmod(self._tmp, _file_mode())
        os.replace(self._tmp, self.path)
        self._tmp = None
        return self.path

    def abort(self) -> None:
        for closer in (self._fh, self._parquet):
            try:
                if closer is not None:
                    closer.close()
            except Exception:
                pass
        self._fh = self._parquet = None
        if self._tmp is not None and self._tmp.exists():
            self._tmp.unlink()
        self._tmp = None


def write_table(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a whole table atomically, format by extension (.csv/.tsv, .xlsx, .jsonl, .parquet).

    >>> write_table(pd.DataFrame({"a": [1]}), "out/a.csv")  # doctest: +SKIP
    """
    with TableWriter(path) as w:
        w.write(df)
    return Path(path)


def rejects_path_for(output: str | Path) -> Path:
    """``out/labelled.csv`` → ``out/labelled.rejects.csv`` (always CSV: it is read by people, in Excel)."""
    output = Path(output)
    return output.with_name(output.stem + ".rejects.csv")


def write_table_with_rejects(df: pd.DataFrame, rejects: pd.DataFrame, path: str | Path) -> Path | None:
    """Write ``df`` to ``path`` and ``rejects`` next to it; returns the rejects path, or None when there are none.

    A rejects file left by an earlier run is removed, since it would describe rows this run did not reject.
    ``df.attrs`` is not table data and is not written (Parquet would try to store it).
    """
    plain = df.copy(deep=False)
    plain.attrs = {}
    write_table(plain, path)
    rej_path = rejects_path_for(path)
    if len(rejects):
        write_table(rejects, rej_path)
        return rej_path
    if rej_path.exists():
        rej_path.unlink()
    return None
