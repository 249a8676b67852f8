"""Shared plumbing of the CLI commands: error translation, progress bars, options that recur.

The CLI is a thin layer: each command parses options, calls one library function and writes its output.
Library errors become a one-paragraph message on stderr and an exit code; never a traceback for a user
mistake.
"""

from __future__ import annotations

import functools
import sys
from typing import Callable, TypeVar

import typer

from ..errors import FankuiError, InputError

F = TypeVar("F", bound=Callable)


def fail(message: str, hint: str | None = None, code: int = 2) -> "typer.Exit":
    """Print ``Error: message`` (and the hint) on stderr and return the Exit to raise."""
    typer.echo(f"Error: {message}", err=True)
    if hint:
        typer.echo(hint, err=True)
    return typer.Exit(code)


def handle_errors(func: F) -> F:
    """Turn FankuiError (and a few OS errors users cause) into a message and an exit code."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except FankuiError as exc:
            raise fail(exc.message, exc.hint, exc.exit_code) from None
        except KeyboardInterrupt:
            raise fail("interrupted; no output was written (outputs are written atomically).", code=130) from None
        except PermissionError as exc:
            raise fail(f"permission denied: {exc.filename}", "Check that you may read the input and write the output folder.") from None

    return wrapper  # type: ignore[return-value]


def echo(message: str, quiet: bool = False) -> None:
    """Status lines go to stderr so stdout stays clean for data (`-o -`) and JSON."""
    if not quiet:
        typer.echo(message, err=True)


def stderr_is_tty() -> bool:
    return sys.stderr.isatty()


class progress_bar:
    """A byte- or row-based progress bar on stderr, shown only on a terminal and not with --quiet.

    Used as a context manager whose value is a ``progress(done, total)`` callback for the library.
    """

    def __init__(self, label: str, quiet: bool = False):
        self.label = label
        self.quiet = quiet
        self._bar = None
        self._done = 0

    def __enter__(self):
        return self if not self.quiet and stderr_is_tty() else None

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            self._bar = typer.progressbar(length=max(total, 1), label=self.label, file=sys.stderr,
                                          show_percent=True, show_eta=True)
            self._bar.__enter__()
        self._bar.update(max(done - self._done, 0))
        self._done = done

    def __exit__(self, *exc):
        if self._bar is not None:
            self._bar.__exit__(*exc)
        return False


def number_or_auto(value: str, option: str, *, low: float = 0.0, high: float | None = None, example: str = "1"
                   ) -> float | str:
    """Parse an option that takes ``auto`` or a number in (low, high); a bad value is a usage error (exit 2)."""
    if value == "auto":
        return "auto"
    try:
        number = float(value)
        if not (number > low and (high is None or number < high)):
            raise ValueError
    except ValueError:
        what = "a positive number" if high is None and low == 0 else f"a number between {low:g} and {high:g}"
        raise InputError(f"{option} must be {what} or 'auto', not {value!r}.",
                         f"E.g. {option} {example} or {option} auto.") from None
    return number
