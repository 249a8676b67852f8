"""Complaint themes: an editable taxonomy, zero-shot and supervised tagging, discovery, sentiment per theme.

    >>> from fankui.themes import ThemeTagger, ThemeClassifier, discover_themes, top_keywords
    >>> ThemeTagger().predict(["快递太慢了，包装也破了"])            # doctest: +SKIP
    array(['物流配送;包装'], dtype=object)

Names resolve lazily: the pipeline's theme stage needs neither scikit-learn nor SciPy's statistics (about a
second of start-up), which only the supervised model and discovery import.
"""

from __future__ import annotations

from .._lazy import lazy_exports

# public name -> submodule that defines it
_EXPORTS = {
    "OTHER": "taxonomy",
    "Taxonomy": "taxonomy",
    "Theme": "taxonomy",
    "default_taxonomy_path": "taxonomy",
    "load_taxonomy": "taxonomy",
    "parse_taxonomy": "taxonomy",
    "ThemeTagger": "zeroshot",
    "ThemeClassifier": "supervised",
    "ThemeStage": "stage",
    "theme_stage": "stage",
    "aspect_sentiment": "aspect",
    "split_clauses": "aspect",
    "discover_themes": "discover",
    "top_keywords": "keywords",
    "multilabel_f1": "metrics",
    "split_labels": "metrics",
    "load_theme_model": "persist",
    "save_theme_model": "persist",
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
