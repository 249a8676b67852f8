"""Ticket intake: map an export's headers onto canonical columns and split valid rows from rejects.

Every input row ends up either in the returned frame or in the rejects frame with its row number and a
reason: nothing is dropped silently. Row numbers are as a spreadsheet shows them (header = row 1, so the first
data row is row 2).

Stage contract — requires: a text column (by alias or ``text_column``); assigns: ``ticket_id``,
``customer_id``, ``created_at`` (datetime64), ``text`` (+ ``channel``, ``rating``, ``product`` when present).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import pandas as pd

from .errors import InputError
from .io import TableSource, cell_strings, iter_table, open_source
from .schema import TICKET_ALIASES, TICKET_OPTIONS, resolve_columns

__all__ = ["TicketColumns", "parse_datetimes", "prepare_tickets", "iter_tickets", "read_tickets", "load_tickets",
           "REJECT_COLUMNS"]

REJECT_COLUMNS = ["row", "reason"]
CANONICAL_ORDER = ["ticket_id", "customer_id", "created_at", "channel", "rating", "product", "text"]

_CN_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?")
_CN_TIME = re.compile(r"(\d{1,2})\s*[时点:]\s*(\d{1,2})\s*分?(?:\s*(\d{1,2})\s*秒?)?")


@dataclass
class TicketColumns:
    """Which input header is which canonical column; ``None`` means 'find it by alias'."""

    text: str | None = None
    ticket_id: str | None = None
    customer_id: str | None = None
    created_at: str | None = None

    def overrides(self) -> dict[str, str | None]:
        return {"text": self.text, "ticket_id": self.ticket_id, "customer_id": self.customer_id,
                "created_at": self.created_at}


def _clean_date_text(s: str) -> str:
    s = s.strip()
    m = _CN_DATE.search(s)
    if m:
        rest = s[m.end():]
        t = _CN_TIME.search(rest)
        time = f" {t.group(1)}:{t.group(2)}:{t.group(3) or '00'}" if t else ""
        return f"{m.group(1)}-{m.group(2)}-{m.group(3)}{time}"
    return s


def parse_datetimes(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse export dates: ISO, ``2026/10/5 14:23``, ``2026年10月5日 14时23分``, Excel serial days, Unix seconds.

    Returns ``(parsed, bad)``: ``parsed`` is datetime64 (NaT for empty cells), ``bad`` marks non-empty cells
    that could not be parsed.

    >>> parse_datetimes(pd.Series(["2026-10-05 14:23:11", "2026年10月5日", "", "明天"]))[1].tolist()
    [False, False, False, True]
    """
    text, empty = cell_strings(values)
    parsed = pd.to_datetime(text.where(~empty), format="ISO8601", errors="coerce")
    todo = parsed.isna() & ~empty
    if todo.any():
        cleaned = text[todo].map(_clean_date_text)
        again = pd.to_datetime(cleaned, format="mixed", errors="coerce", dayfirst=False)
        num = pd.to_numeric(cleaned, errors="coerce")
        # Excel serial day numbers (1900 date system) and Unix timestamps in seconds, in plausible ranges only.
        serial = num.between(20000, 80000)
        again = again.where(~serial, pd.to_datetime("1899-12-30") + pd.to_timedelta(num.where(serial), unit="D"))
        unix = num.between(5e8, 5e9)
        again = again.where(~unix, pd.to_datetime(num.where(unix), unit="s"))
        parsed.loc[todo] = again
    parsed = pd.to_datetime(parsed)
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    bad = parsed.isna() & ~empty
    return parsed, bad


class DuplicateTickets:
    """Remembers (ticket_id, text) pairs across the chunks of one export and flags exact repeats.

    Overlapping exports ("last week" + "this month") repeat tickets verbatim; counting them twice would inflate
    every theme and every customer's complaint count. A repeat of an earlier row's id AND text is rejected
    with the row it repeats; the same id with a different text is kept (exports of conversations have one row
    per message). Only a 64-bit hash and a 32-bit row number are kept per ticket, sorted (12 bytes a ticket:
    24 MB at 2 million rows), the one part of streaming memory that grows with the file.
    """

    def __init__(self) -> None:
        self._hashes = np.empty(0, dtype=np.uint64)
        self._rows = np.empty(0, dtype=np.int32)

    def first_rows(self, ticket_ids: pd.Series, texts: pd.Series, rows: np.ndarray) -> np.ndarray:
        """For each row, the row number it repeats, or 0; remembers the rows that are new."""
        keys = (ticket_ids.astype(str) + "\x1f" + texts.astype(str)).to_numpy(dtype=object)
        h = pd.util.hash_array(keys)
        first = np.zeros(len(h), dtype=np.int64)
        if len(self._hashes):
            pos = np.minimum(np.searchsorted(self._hashes, h), len(self._hashes) - 1)
            earlier = self._hashes[pos] == h
            first[earlier] = self._rows[pos[earlier]]
        # Repeats inside this chunk point at their first occurrence in it.
        codes, _ = pd.factorize(h)
        first_pos = np.unique(codes, return_index=True)[1][codes]  # position of each key's first occurrence
        repeat = (first_pos != np.arange(len(h))) & (first == 0)
        first[repeat] = rows[first_pos[repeat]]
        new = first == 0
        if new.any():
            # Insert the chunk's new keys into the sorted arrays: one new array each, no full-length argsort.
            order = np.argsort(h[new])
            h_new, r_new = h[new][order], rows[new][order].astype(np.int32)
            at = np.searchsorted(self._hashes, h_new)
            self._hashes = np.insert(self._hashes, at, h_new)
            self._rows = np.insert(self._rows, at, r_new)
        return first


def prepare_tickets(chunk: pd.DataFrame, mapping: dict[str, str],
                    duplicates: DuplicateTickets | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rename mapped columns to canonical names and split off rows that cannot be analysed.

    ``chunk``'s index must be the 0-based record number (as :func:`fankui.io.iter_table` gives it).
    Returns ``(tickets, rejects)``; rejects keep all original columns plus ``row`` and ``reason``.
    With ``duplicates`` (one per export) and an id column, exact repeats of an earlier ticket are rejected.
    """
    rename = {actual: canonical for canonical, actual in mapping.items()}
    # An unmapped column that already carries a canonical name would collide; keep it under a suffixed name.
    clashes = {c: f"{c}_original" for c in chunk.columns if c in mapping and c not in rename}
    df = chunk.rename(columns={**clashes, **rename})
    row_no = chunk.index.to_numpy() + 2
    reasons = np.full(len(df), "", dtype=object)

    text = df["text"].astype(str)
    empty = text.str.strip().eq("").to_numpy()
    reasons[empty] = "empty text"

    if "created_at" in df:
        raw_dates = df["created_at"]
        parsed, bad = parse_datetimes(raw_dates)
        bad = bad.to_numpy() & (reasons == "")
        for i in np.flatnonzero(bad):
            reasons[i] = f"unparseable created_at {raw_dates.iloc[i]!r}"
        df["created_at"] = parsed
    else:
        df["created_at"] = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    if "ticket_id" not in df:
        df["ticket_id"] = [f"R{n}" for n in row_no]  # no id column: the row number is the id
    if "customer_id" not in df:
        df["customer_id"] = ""
    df["ticket_id"] = df["ticket_id"].astype(str).str.strip()
    df["customer_id"] = df["customer_id"].astype(str).str.strip()
    if duplicates is not None and "ticket_id" in mapping:
        ok = reasons == ""
        first = np.zeros(len(df), dtype=np.int64)
        first[ok] = duplicates.first_rows(df["ticket_id"][ok], text[ok].str.strip(), row_no[ok])
        for i in np.flatnonzero(first):
            reasons[i] = f"duplicate of row {first[i]} (same ticket_id and text)"
    if "rating" in df:
        df["rating"] = pd.to_numeric(df["rating"].astype(str).str.strip().replace("", np.nan), errors="coerce")

    bad_rows = reasons != ""
    order = [c for c in CANONICAL_ORDER if c in df] + [c for c in df.columns if c not in CANONICAL_ORDER]
    good = df.loc[~bad_rows, order]
    rejects = chunk.loc[bad_rows].copy()
    rejects.insert(0, "reason", reasons[bad_rows])
    rejects.insert(0, "row", row_no[bad_rows])
    malformed = chunk.attrs.get("bad_lines") or []
    if malformed:
        extra = pd.DataFrame({"row": [n for n, _ in malformed],
                              "reason": [f"malformed line: {msg}" for _, msg in malformed]})
        rejects = pd.concat([rejects, extra], ignore_index=True).fillna("")
        rejects = rejects.sort_values("row", kind="stable").reset_index(drop=True)
    return good, rejects


@dataclass
class TicketStream:
    """An opened ticket file: its column mapping and an iterator of (tickets, rejects) chunk pairs."""

    source: TableSource
    mapping: dict[str, str]
    chunks: Iterator[tuple[pd.DataFrame, pd.DataFrame]] = field(repr=False)


def iter_tickets(
    path: str | Path,
    *,
    columns: TicketColumns | None = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
    chunksize: int = 20_000,
    progress: Callable[[int, int], None] | None = None,
) -> TicketStream:
    """Open a ticket export and stream it as ``(tickets, rejects)`` chunk pairs.

    The column mapping is settled on the first chunk so that a wrong header fails before any work is done.
    """
    source = open_source(path, encoding=encoding, sheet=sheet)
    raw = iter_table(source, chunksize=chunksize, progress=progress)
    try:
        first = next(raw)
    except StopIteration:
        raise InputError(f"{path} has no rows.", "Export the tickets again.") from None
    mapping = resolve_columns(first.columns, TICKET_ALIASES, (columns or TicketColumns()).overrides(),
                              required=["text"], options=TICKET_OPTIONS)

    def gen():
        seen = DuplicateTickets()
        yield prepare_tickets(first, mapping, seen)
        for chunk in raw:
            yield prepare_tickets(chunk, mapping, seen)

    return TicketStream(source, mapping, gen())


def read_tickets(source, *, columns: TicketColumns | None = None, encoding: str | None = None,
                 sheet: str | int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read a whole ticket export (path or DataFrame) into ``(tickets, rejects)``."""
    if isinstance(source, pd.DataFrame):
        # A frame from load_tickets carries its rejects in attrs. pandas compares attrs when it combines frames
        # and cannot compare DataFrames, so work on a view without them and keep the earlier rejects.
        earlier = source.attrs.get("rejects")
        source = source.copy(deep=False)
        source.attrs = {}
        frame = source.reset_index(drop=True).astype(object).where(source.notna().to_numpy(), "")
        mapping = resolve_columns(frame.columns, TICKET_ALIASES, (columns or TicketColumns()).overrides(),
                                  required=["text"], options=TICKET_OPTIONS)
        good, rejects = prepare_tickets(frame.astype(str), mapping, DuplicateTickets())
        if isinstance(earlier, pd.DataFrame) and len(earlier):
            rejects = pd.concat([earlier, rejects], ignore_index=True)
        return good, rejects
    stream = iter_tickets(source, columns=columns, encoding=encoding, sheet=sheet, chunksize=200_000)
    goods, rejects = zip(*stream.chunks)
    return pd.concat(goods), pd.concat(rejects)


def load_tickets(source, *, text_column: str | None = None, id_column: str | None = None,
                 customer_column: str | None = None, date_column: str | None = None,
                 encoding: str | None = None, sheet: str | int | None = None) -> pd.DataFrame:
    """Load tickets (a path or a DataFrame) with canonical columns; rejected rows are in ``df.attrs["rejects"]``.

    >>> df = load_tickets("corpora/demo/tickets.csv")  # doctest: +SKIP
    >>> df.columns[:4].tolist()  # doctest: +SKIP
    ['ticket_id', 'customer_id', 'created_at', 'channel']
    """
    cols = TicketColumns(text=text_column, ticket_id=id_column, customer_id=customer_column, created_at=date_column)
    good, rejects = read_tickets(source, columns=cols, encoding=encoding, sheet=sheet)
    good.attrs["rejects"] = rejects
    return good
