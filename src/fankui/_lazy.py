"""Public names that resolve on first use, so ``import fankui`` stays cheap and free of side effects.

Scoring (``fankui analyze``) must not pay for scikit-learn, SciPy or SQLAlchemy, which only fitting, discovery and
the customers stage need; each package lists its public names and the module that defines them.
"""

from __future__ import annotations

import importlib
import sys
from typing import Callable


def lazy_exports(package: str, exports: dict[str, str]) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """Return the ``__getattr__`` and ``__dir__`` for ``package``; module names without ``fankui`` are relative.

    >>> __getattr__, __dir__ = lazy_exports(__name__, {"tokenize": "fankui.segment"})  # doctest: +SKIP
    """

    def __getattr__(name: str):
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        path = module if module.split(".")[0] == "fankui" else f"{package}.{module}"
        value = getattr(importlib.import_module(path), name)
        vars(sys.modules[package])[name] = value  # later lookups skip __getattr__
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(exports))

    return __getattr__, __dir__
