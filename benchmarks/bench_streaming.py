"""Peak memory of `fankui analyze` against input length: it must not grow with the file.

Generates ticket files of N and 10·N rows from the demo corpus texts (repeated, with fresh ids), runs the CLI
on each in a child process and reads the child's peak RSS. Needs only the repository (no shared corpora).

    python benchmarks/bench_streaming.py [--rows 20000] [--no-models]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import ROOT, markdown_table, write_section  # noqa: E402


def make_file(path: Path, rows: int) -> None:
    demo = pd.read_csv(ROOT / "corpora" / "demo" / "tickets.csv", encoding="utf-8-sig", dtype=str)
    texts = demo["反馈内容"].fillna("").tolist()
    reps = rows // len(texts) + 1
    df = pd.DataFrame({
        "工单编号": [f"B{i:09d}" for i in range(rows)],
        "客户ID": [f"C{i % 50000}" for i in range(rows)],
        "创建时间": "2026-10-01 10:00:00",
        "反馈内容": (texts * reps)[:rows],
    })
    df.to_csv(path, index=False, encoding="utf-8-sig")


def run(src: Path, out: Path, extra: list[str]) -> tuple[float, float]:
    # -j 1: the peak of one process is the figure that must not grow (workers would each hold a chunk).
    cmd = [sys.executable, "-m", "fankui.cli", "analyze", str(src), "-o", str(out), "-q", "-j", "1", *extra]
    code = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:]); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(p.returncode)")
    start = time.perf_counter()
    res = subprocess.run([sys.executable, "-c", code, *cmd], capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - start
    return int(res.stdout.strip().splitlines()[-1]) / 1024, elapsed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--no-models", action="store_true", help="normalise + segment only")
    args = ap.parse_args()
    extra = ["--no-sentiment", "--no-themes-tagging"] if args.no_models else []
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in (args.rows, args.rows * 10):
            src = Path(tmp) / f"t{n}.csv"
            make_file(src, n)
            mb = src.stat().st_size / 1e6
            rss, secs = run(src, Path(tmp) / f"o{n}.csv", extra)
            rows.append([f"{n:,}", f"{mb:.1f}", f"{rss:.0f}", f"{secs:.1f}", f"{n / secs:,.0f}"])
            print(rows[-1], flush=True)
    stages = "normalise + segment" if args.no_models else "all default stages"
    body = (f"`fankui analyze` ({stages}) on generated files of N and 10·N rows, default chunk size 20,000; "
            "peak RSS of the child process.\n\n"
            + markdown_table(["rows", "input MB", "peak RSS MB", "seconds", "rows/s"], rows)
            + f"\nRatio of peak RSS (10·N / N): {float(rows[1][2]) / float(rows[0][2]):.2f} "
            "(1.0 = memory does not grow with the file).\n")
    write_section("streaming" + ("-nomodels" if args.no_models else ""), f"Streaming memory ({stages})", body)


if __name__ == "__main__":
    main()
