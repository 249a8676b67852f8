"""Every error a user can cause, in one place.

Each error carries a message that says what is wrong *and* how to fix it (the option or file to change).
The CLI turns :class:`FankuiError` into that message and its ``exit_code``; nothing in the library prints
or exits. Model: spaCy's ``errors.py`` and sqlite-utils' CLI messages.
"""

from __future__ import annotations


class FankuiError(Exception):
    """Base class. ``exit_code`` is what the CLI exits with: 2 for bad input or usage, 1 for processing."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None):
        self.message = message
        self.hint = hint
        super().__init__(message if hint is None else f"{message}\n{hint}")


class InputError(FankuiError):
    """The input file or an option is wrong: missing, empty, undecodable, wrong format, bad value."""

    exit_code = 2


class SchemaError(InputError):
    """A required column is missing or cannot be identified."""


class LabelError(InputError):
    """Training labels that cannot be used (unknown spellings, a single class)."""


class ModelError(FankuiError):
    """A model file that cannot be loaded or does not fit the data (bad format, wrong version)."""

    exit_code = 2


class NotFittedError(FankuiError):
    """A model used before ``fit``."""


class ProcessingError(FankuiError):
    """Something failed while processing input that looked valid."""

    exit_code = 1
