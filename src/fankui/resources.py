"""Where the shipped lexicons and data files live.

The top-level ``lexicons/`` folder is the single source of truth (editable, reviewed like code); the package
reaches it through the symlink ``src/fankui/lexicons`` so an installed copy finds the same files.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def lexicon_path(name: str) -> Path:
    """Path of a shipped lexicon file, e.g. ``lexicon_path("userdict.txt")``."""
    return _PACKAGE / "lexicons" / name


def data_path(name: str) -> Path:
    """Path of a shipped data artefact (models) under ``fankui/data``."""
    return _PACKAGE / "data" / name
