"""The built-in theme model of the hybrid (:mod:`fankui.themes.hybrid`): how it is built.

Training data (nothing else), all team-written and labelled to the border rules in docs/themes.md: the four
tuning files ``tests/data/themes_dev.csv``, ``themes_extra.csv``, ``themes_test.csv``, ``themes_holdout.csv``
and the training corpus ``corpora/team_themes/writer*.csv`` (written by engineers who never saw the taxonomy's
cues or the blind sets). Never the blind sets ``themes_holdout2.csv`` to ``themes_holdout6.csv``: they
measure it (a test checks that no blind set is a training file).

Rebuild (maintainers, from a checkout; byte-identical for the same NumPy/SciPy/scikit-learn versions)::

    python -m fankui.themes.default [PATH]     # default PATH: src/fankui/data/themes/default.npz
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import InputError
from ..resources import data_path
from .hybrid import DEFAULT_FILE

# Paths from the repository root, in training order (the order is part of what makes a rebuild exact).
TRAINING_FILES = ("tests/data/themes_dev.csv", "tests/data/themes_extra.csv", "tests/data/themes_test.csv",
                  "tests/data/themes_holdout.csv",
                  *(f"corpora/team_themes/writer{i}.csv" for i in range(1, 11)))
# ThemeClassifier's defaults (C and threshold chosen by its own 3-fold CV); seeded so a rebuild is exact.
DEFAULT_PARAMS = dict(random_state=0, words=False)


def training_dir() -> Path:
    # The labelled files live in the repository (tests/data, corpora/team_themes), not in the installed package.
    return Path(__file__).resolve().parents[3]


def training_data(folder: str | os.PathLike | None = None) -> tuple[list[str], list[str]]:
    """(texts, ``;``-joined themes) of the training files, in file order (``folder``: the repository root)."""
    from ..labelled import read_labelled_columns

    folder = Path(folder) if folder else training_dir()
    texts, labels = [], []
    for name in TRAINING_FILES:
        path = folder / name
        if not path.is_file():
            raise InputError(f"training file {path} not found.",
                             "Rebuild the built-in theme model from a fankui source checkout.")
        cols = read_labelled_columns(path, ["themes"], text_column="text", label_column="themes")
        texts += cols.texts.tolist()
        labels += cols.labels.tolist()
    return texts, labels


def build_default_model(folder: str | os.PathLike | None = None):
    """A fitted :class:`~fankui.themes.ThemeClassifier` on the training files."""
    from .supervised import ThemeClassifier

    texts, labels = training_data(folder)
    return ThemeClassifier(**DEFAULT_PARAMS).fit(texts, labels)


def write_default(path: str | os.PathLike | None = None, folder: str | os.PathLike | None = None) -> Path:
    """Rebuild the built-in theme model and write it (default: the shipped package-data file)."""
    from .persist import save_theme_model

    target = Path(path) if path else data_path(DEFAULT_FILE)
    target.parent.mkdir(parents=True, exist_ok=True)
    return save_theme_model(build_default_model(folder), target)


if __name__ == "__main__":  # python -m fankui.themes.default [PATH]
    import sys

    print(write_default(sys.argv[1] if len(sys.argv) > 1 else None))
