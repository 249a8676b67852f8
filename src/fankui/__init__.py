"""fankui (反馈): Chinese customer-feedback analytics.

    >>> import fankui
    >>> tickets = fankui.load_tickets("corpora/demo/tickets.csv")   # doctest: +SKIP
    >>> labelled = fankui.analyze(tickets)                           # doctest: +SKIP

Importing fankui has no side effects and is cheap: the names below are resolved on first use, and jieba,
OpenCC and models load lazily.
"""

from __future__ import annotations

from ._lazy import lazy_exports

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    "load_tickets": "fankui.tickets",
    "read_tickets": "fankui.tickets",
    "normalize": "fankui.text",
    "normalize_text": "fankui.text",
    "mask_pii": "fankui.text",
    "tokenize": "fankui.segment",
    "content_words": "fankui.segment",
    "add_user_dict": "fankui.segment",
    "read_table": "fankui.io",
    "write_table": "fankui.io",
    "analyze": "fankui.pipeline",
    "analyze_file": "fankui.pipeline",
    "Pipeline": "fankui.pipeline",
    "default_stages": "fankui.pipeline",
    "SentimentClassifier": "fankui.sentiment",
    "ThemeTagger": "fankui.themes",
    "ThemeClassifier": "fankui.themes",
    "discover_themes": "fankui.themes",
    "top_keywords": "fankui.themes",
    "load_orders": "fankui.customers",
    "build_customers": "fankui.customers",
    "FankuiError": "fankui.errors",
    "InputError": "fankui.errors",
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
