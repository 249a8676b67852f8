"""Complaint themes: an editable taxonomy, zero-shot and supervised tagging, discovery, sentiment per theme.

    >>> from fankui.themes import ThemeTagger, ThemeClassifier, discover_themes, top_keywords
    >>> ThemeTagger().predict(["快递太慢了，包装也破了"])            # doctest: +SKIP
    array(['物流配送;包装'], dtype=object)
"""

from __future__ import annotations

from .aspect import aspect_sentiment, split_clauses
from .discover import discover_themes
from .keywords import top_keywords
from .metrics import multilabel_f1, split_labels
from .taxonomy import OTHER, Taxonomy, Theme, default_taxonomy_path, load_taxonomy, parse_taxonomy
from .persist import load_theme_model, save_theme_model
from .stage import ThemeStage, theme_stage
from .supervised import ThemeClassifier
from .zeroshot import ThemeTagger

__all__ = [
    "OTHER",
    "Taxonomy",
    "Theme",
    "ThemeClassifier",
    "ThemeStage",
    "ThemeTagger",
    "aspect_sentiment",
    "default_taxonomy_path",
    "discover_themes",
    "load_taxonomy",
    "load_theme_model",
    "multilabel_f1",
    "parse_taxonomy",
    "save_theme_model",
    "split_clauses",
    "split_labels",
    "theme_stage",
    "top_keywords",
]
