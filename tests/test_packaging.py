"""The wheel must carry every file the package reads at run time (an earlier wheel shipped no lexicons, so an
installed fankui could not even segment). Building a wheel needs network for build isolation, so this checks the
package-data patterns of pyproject.toml against the files themselves, the way setuptools matches them."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "src" / "fankui"


def test_package_data_patterns_cover_every_runtime_file():
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"]["fankui"]
    covered = {p.resolve() for pat in patterns for p in PKG.glob(pat) if p.is_file()}
    needed = [p for folder in ("data", "lexicons", "team_sentiment") for p in (PKG / folder).rglob("*")
              if p.is_file() and "__pycache__" not in p.parts]
    assert needed, "the package data folders are empty: are the symlinks src/fankui/lexicons, team_sentiment there?"
    missing = [str(p.relative_to(PKG)) for p in needed if p.resolve() not in covered]
    assert not missing, f"not shipped in the wheel: {missing}"
    for must in ("lexicons/userdict.txt", "lexicons/themes.toml", "data/sentiment/default.npz",
                 "team_sentiment/reviews.csv"):
        assert (PKG / must).resolve() in covered, must
