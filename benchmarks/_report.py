"""Write one benchmark's section into docs/benchmarks.md without touching the others.

Each benchmark script owns the block between ``<!-- BEGIN name -->`` and ``<!-- END name -->``; running
one script replaces its block (or appends it) and leaves the rest of the file as it was.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
HEADER = (
    "# Benchmarks\n\n"
    "Written by the scripts in `benchmarks/` (never by hand). Each section says when, on what machine and with\n"
    "which command its figures were measured. Corpora are read from `$FANKUI_CORPORA` (default `../shared/corpora`)\n"
    "and are never copied into the repository. Machines are shared and noisy: compare the ratios measured side by\n"
    "side in one run, not absolute times across sections.\n"
)


def corpora_dir() -> Path | None:
    """The shared corpora folder, or None (benchmarks then skip with a message)."""
    path = Path(os.environ.get("FANKUI_CORPORA", ROOT.parent / "shared" / "corpora"))
    return path if path.is_dir() else None


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu}){mem}, Python {platform.python_version()}"


def git_rev() -> str:
    """HEAD's short hash, with "+uncommitted" when code the figures depend on differs from HEAD.

    Only src/, benchmarks/, lexicons/ and pyproject.toml count: docs/benchmarks.md itself is always dirty here.
    """
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                             text=True).stdout.strip() or "?"
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src", "benchmarks", "lexicons",
                                "pyproject.toml"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    except OSError:
        return "?"
    return rev + ("+uncommitted" if dirty else "")


def write_section(name: str, title: str, body: str, command: str | None = None) -> None:
    """Replace (or add) the section ``name`` of docs/benchmarks.md."""
    command = command or "python " + " ".join([Path(sys.argv[0]).as_posix()] + sys.argv[1:])
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    block = (
        f"<!-- BEGIN {name} -->\n## {title}\n\n"
        f"- date: {stamp}; commit: {git_rev()}\n- machine: {machine()}\n- command: `{command}`\n\n"
        f"{body.rstrip()}\n<!-- END {name} -->\n"
    )
    DOC.parent.mkdir(parents=True, exist_ok=True)
    # Several benchmarks may finish at once; without the lock two read-modify-writes lose one section.
    import fcntl

    with open(DOC.parent / ".benchmarks.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        text = DOC.read_text(encoding="utf-8") if DOC.exists() else HEADER
        begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
        if begin in text and end in text:
            head, rest = text.split(begin, 1)
            _, tail = rest.split(end, 1)
            text = head + block.rstrip("\n") + tail
        else:
            text = text.rstrip("\n") + "\n\n" + block
        tmp = DOC.with_suffix(f".md.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(DOC)

def markdown_table(header: list[str], rows: list[list]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out) + "\n"
