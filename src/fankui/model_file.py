"""The one file format of fitted models (sentiment, themes): a ``.npz`` of plain arrays plus UTF-8 JSON.

Nothing is unpickled: ``numpy.load(..., allow_pickle=False)`` reads plain arrays, and vocabulary and parameters
travel as JSON in the ``meta`` array. A model file from a stranger can therefore at worst be wrong, never run
code. Each model kind says what its ``meta`` and arrays hold (:mod:`fankui.sentiment.persist`,
:mod:`fankui.themes.persist`); this module only writes, reads and checks the container, the same way for all.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import numpy as np

from .errors import InputError, ModelError
from .io import atomic_output

__all__ = ["write_model_file", "read_model_file", "library_versions"]

# The libraries whose numerics decide a fitted model's last digits (solver, BLAS, sparse kernels).
_NUMERIC_LIBRARIES = ("numpy", "scipy", "scikit-learn")


def library_versions() -> dict[str, str]:
    """Versions of the numeric libraries, recorded in every model file as ``built_with``.

    A rebuild of a built-in model is byte-identical only with the same versions; the record says which.
    """
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in _NUMERIC_LIBRARIES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:  # scikit-learn is not needed to score, only to fit
            out[name] = "absent"
    return out


# Everything a damaged, truncated or foreign file can raise while numpy and json read it.
_READ_ERRORS = (zipfile.BadZipFile, ValueError, KeyError, OSError, UnicodeDecodeError, json.JSONDecodeError, EOFError)


def write_model_file(path: str | os.PathLike, meta: dict, arrays: dict[str, np.ndarray], *, what: str) -> Path:
    """Write ``meta`` (JSON-able; key order is kept, so rebuilds are byte-identical) and ``arrays`` atomically.

    ``what`` names the model in messages ("model", "theme model").
    """
    path = Path(path)
    if not path.parent.exists():
        raise InputError(f"cannot write the {what} to {path}: folder {path.parent} does not exist.",
                         "Create the folder first or choose another path with -o.")
    meta = {**meta, "built_with": library_versions()}
    payload = {"meta": np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8), **arrays}
    with atomic_output(path) as tmp, open(tmp, "wb") as fh:
        np.savez_compressed(fh, **payload)
    return path


def read_model_file(path: str | os.PathLike, *, fmt: str, version: int, arrays: tuple[str, ...], what: str,
                    hint: str, missing_hint: str | None = None,
                    other_formats: dict[str, str] | None = None) -> tuple[dict, dict[str, np.ndarray]]:
    """``(meta, arrays)`` of a file written by :func:`write_model_file` for format ``fmt``, checked.

    A missing file, a file that is not such a model, another model kind (``other_formats`` maps its format to
    a hint, e.g. "pass it with --model") and a file from a newer fankui each get their own clear error.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{what} file not found: {path}", missing_hint or hint)
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(bytes(data["meta"]).decode("utf-8"))
            # The format is checked before the arrays are read: another model kind lacks some of them, and its
            # user deserves "that is a theme model", not a missing-array error.
            if not isinstance(meta, dict) or meta.get("format") != fmt:
                found = meta.get("format") if isinstance(meta, dict) else None
                raise ModelError(f"{path} is not a fankui {what} (format {found!r}).",
                                 (other_formats or {}).get(found, hint))
            if meta.get("version", 0) > version:
                raise ModelError(f"{path} was written by a newer fankui ({what} format {meta['version']}, this one "
                                 f"reads {version}).", "Upgrade fankui, or retrain the model with this version.")
            out = {k: np.array(data[k]) for k in arrays}
    except _READ_ERRORS as exc:
        raise ModelError(f"{path} is not a fankui {what} ({type(exc).__name__}: {exc}).", hint) from None
    return meta, out
