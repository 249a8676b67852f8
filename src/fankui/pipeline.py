"""Chains the stages over ticket chunks. No analysis logic lives here; only order, checks and plumbing.

A stage is any object with ``name``, ``requires`` and ``assigns`` (tuples of column names) that maps a
DataFrame chunk to the same rows with the ``assigns`` columns added (spaCy's component contract). Stages see one
chunk at a time, so a file of millions of rows is processed in bounded memory; anything that must see the whole
data (fitting a model) is an explicit, separate step.
"""

from __future__ import annotations

import gc
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Protocol, Sequence, runtime_checkable

import pandas as pd

from .errors import InputError, ProcessingError
from .io import TableWriter, rejects_path_for, table_format
from .segment import SegmentStage
from .text import NormalizeStage
from .tickets import TicketColumns, iter_tickets, read_tickets

__all__ = ["Stage", "Pipeline", "default_stages", "analyze", "analyze_file", "AnalyzeResult", "rejects_path_for"]


# Young-generation size for the cycle collector while stages run (CPython's default is 700 allocations).
GC_YOUNG_THRESHOLD = 50_000


@contextmanager
def _fewer_gc_passes():
    """Let the cycle collector run less often while a chunk goes through the stages.

    Why: the stages allocate millions of short-lived, acyclic containers (token lists, tuples, rows). With the
    default threshold the collector runs every 700 of them and re-walks every tracked object each time: about
    10% of a chunk's time with the taxonomy, 16% with the built-in theme model (waimai_10k, measured in-process).
    Reference counting frees these objects anyway; the collector only finds cycles, and it still runs, just
    less often. The previous threshold is restored afterwards.
    """
    old = gc.get_threshold()
    gc.set_threshold(max(old[0], GC_YOUNG_THRESHOLD), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


@runtime_checkable
class Stage(Protocol):
    name: str
    requires: tuple[str, ...]
    assigns: tuple[str, ...]

    def __call__(self, df: pd.DataFrame) -> pd.DataFrame: ...


class Pipeline:
    """An ordered list of stages, checked once against the columns the input provides.

    >>> pipe = Pipeline(default_stages(sentiment=False, themes=False))
    >>> pipe(pd.DataFrame({"text": ["物流太慢"]}))["tokens"].tolist()
    [['物流', '太慢']]
    """

    def __init__(self, stages: Sequence[Stage]):
        self.stages = list(stages)
        self._checked: frozenset[str] | None = None

    def check(self, columns: Iterable[str]) -> None:
        have = set(columns)
        for stage in self.stages:
            missing = [c for c in stage.requires if c not in have]
            if missing:
                raise ProcessingError(f"stage {stage.name!r} needs column(s) {missing} that no earlier stage provides.")
            have.update(stage.assigns)

    def __call__(self, df: pd.DataFrame) -> pd.DataFrame:
        key = frozenset(df.columns)
        if self._checked != key:
            self.check(df.columns)
            self._checked = key
        with _fewer_gc_passes():
            for stage in self.stages:
                out = stage(df)
                if len(out) != len(df) or not out.index.equals(df.index):
                    raise ProcessingError(f"stage {stage.name!r} changed the rows of its input; "
                                          "stages must keep every row.")
                df = out
        return df

    @property
    def assigns(self) -> list[str]:
        return [c for s in self.stages for c in s.assigns]


def default_stages(
    *,
    sentiment: bool = True,
    model: str | os.PathLike | None = None,
    engine: str = "fankui",
    themes: bool = True,
    themes_file: str | os.PathLike | None = None,
    themes_model: str | os.PathLike | None = None,
    themes_builtin_model: bool = True,
) -> list[Stage]:
    """The standard chain: normalise → segment → sentiment → themes (each later stage optional)."""
    stages: list[Stage] = [NormalizeStage(), SegmentStage()]
    sentiment_model = None
    if sentiment:
        from .sentiment import sentiment_stage

        stage = sentiment_stage(model=model, engine=engine)
        # The theme stage scores each theme's clause with the same classifier (None → built-in model).
        sentiment_model = getattr(stage, "model", None)
        stages.append(stage)
    if themes:
        from .themes import theme_stage

        stages.append(theme_stage(taxonomy_path=themes_file, model_path=themes_model, sentiment_model=sentiment_model,
                                  builtin_model=themes_builtin_model))
    return stages


def analyze(tickets: pd.DataFrame, stages: Sequence[Stage] | None = None, *, columns: TicketColumns | None = None
            ) -> pd.DataFrame:
    """DataFrame in, DataFrame out: canonical columns plus everything the stages add.

    Rows that cannot be analysed (empty text, bad date) are in ``result.attrs["rejects"]``.

    >>> out = analyze(pd.DataFrame({"反馈内容": ["快递太慢了"]}))  # doctest: +SKIP
    """
    good, rejects = read_tickets(tickets, columns=columns)
    out = Pipeline(stages if stages is not None else default_stages())(good)
    out.attrs["rejects"] = rejects
    return out


_PARALLEL_MIN_BYTES = 4 << 20
_WORKER_PIPE: Pipeline | None = None


def _worker_init(pipe: Pipeline | None) -> None:
    global _WORKER_PIPE
    if pipe is not None:  # spawn: the pipeline arrives pickled; fork: it is inherited
        _WORKER_PIPE = pipe


def _worker_run(df: pd.DataFrame) -> pd.DataFrame:
    assert _WORKER_PIPE is not None
    return _WORKER_PIPE(df)


def _run_chunks(pipe: Pipeline, chunks, jobs: int):
    """Yield ``(good, rejects, processed)`` per chunk, in input order, processing in ``jobs`` processes.

    At most ``2 * jobs`` chunks are in flight, so memory stays bounded however long the input is.
    """
    if jobs <= 1:
        for good, rejects in chunks:
            yield good, rejects, (pipe(good) if len(good) else None)
        return
    import multiprocessing
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    global _WORKER_PIPE
    methods = multiprocessing.get_all_start_methods()
    method = "fork" if "fork" in methods else "spawn"
    # Warm the stages (dictionaries, models) once in the parent so forked workers inherit them ready-made.
    pipe(pd.DataFrame({"text": ["预热"]}).pipe(lambda d: read_tickets(d)[0]))
    _WORKER_PIPE = pipe
    ctx = multiprocessing.get_context(method)
    init_arg = None if method == "fork" else pipe
    pending: deque = deque()
    with ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_worker_init, initargs=(init_arg,)) as pool:
        for good, rejects in chunks:
            pending.append((good, rejects, pool.submit(_worker_run, good) if len(good) else None))
            while len(pending) >= 2 * jobs:
                g, r, fut = pending.popleft()
                yield g, r, (fut.result() if fut is not None else None)
        while pending:
            g, r, fut = pending.popleft()
            yield g, r, (fut.result() if fut is not None else None)


@dataclass
class AnalyzeResult:
    read: int
    written: int
    rejected: int
    output: Path
    rejects_path: Path | None
    mapping: dict[str, str]


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def analyze_file(
    input_path: str | os.PathLike,
    output_path: str | os.PathLike,
    *,
    stages: Sequence[Stage] | None = None,
    columns: TicketColumns | None = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
    chunksize: int = 20_000,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> AnalyzeResult:
    """Stream a ticket export through the stages into ``output_path`` (format by extension), chunk by chunk.

    Rejected rows go to ``<output stem>.rejects.csv`` with their row number and reason. Both files are written
    atomically. Returns the counts: ``read == written + rejected`` always holds.

    ``jobs`` worker processes share the chunks (``None``: one for small files, else one per core); the output
    is identical whatever ``jobs`` is, in input order.
    """
    input_path, output_path = Path(input_path), Path(output_path)
    table_format(output_path)  # fail on a bad output extension before reading anything
    if _same_file(input_path, output_path):
        raise InputError(
            f"the output {output_path} is the input file; refusing to overwrite the original export.",
            "Choose another output name with -o, e.g. -o labelled.csv.",
        )
    stream = iter_tickets(input_path, columns=columns, encoding=encoding, sheet=sheet, chunksize=chunksize,
                          progress=progress)
    pipe = Pipeline(stages if stages is not None else default_stages())
    if jobs is None:
        # Worker processes pay off only when there are several chunks to share out.
        jobs = 1 if stream.source.size < _PARALLEL_MIN_BYTES else min(os.cpu_count() or 1, 8)
    rej_path = rejects_path_for(output_path)
    read = written = rejected = 0
    reject_writer = None
    with TableWriter(output_path) as writer:
        try:
            for good, rejects, out in _run_chunks(pipe, stream.chunks, jobs):
                read += len(good) + len(rejects)
                if out is not None:
                    writer.write(out)
                    written += len(out)
                if len(rejects):
                    if reject_writer is None:
                        reject_writer = TableWriter(rej_path)
                    reject_writer.write(rejects)
                    rejected += len(rejects)
            if written == 0 and writer.rows == 0:
                # Keep the output a valid table with the columns a run would have produced.
                cols = list(dict.fromkeys([*stream.mapping, *pipe.assigns]))
                writer.write(pd.DataFrame(columns=cols))
        except BaseException:
            if reject_writer is not None:
                reject_writer.abort()
            raise
    if reject_writer is not None:
        reject_writer.close()
    elif rej_path.exists():
        rej_path.unlink()  # a rejects file from an earlier run would describe rows this run did not reject
    assert read == written + rejected
    return AnalyzeResult(read, written, rejected, output_path, rej_path if rejected else None, stream.mapping)
