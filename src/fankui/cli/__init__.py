"""The ``fankui`` command line: one module per command, each a thin layer over the library.

Commands register themselves on :data:`app` when their module is imported below.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="fankui",
    help="反馈 fankui — Chinese customer-feedback analytics: sentiment, complaint themes, customer segments.\n\n"
    "Example:  fankui analyze tickets.csv -o labelled.csv",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

# Each import registers its command(s) on `app`. Keep one line per command module.
from . import analyze  # noqa: E402,F401
from . import demo  # noqa: E402,F401
from . import train  # noqa: E402,F401
from . import evaluate  # noqa: E402,F401
from . import customers  # noqa: E402,F401
from . import themes  # noqa: E402,F401
from . import discover  # noqa: E402,F401


def main() -> None:  # console-script entry point
    app()
