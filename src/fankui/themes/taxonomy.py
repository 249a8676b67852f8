"""The theme taxonomy: an editable TOML file of themes, each with keywords, weak cues, exclusions and a description.

File format (``lexicons/themes.toml`` is the built-in one; ``--themes FILE`` replaces it)::

    other = "其他"            # label for a ticket that touches no theme (optional)
    threshold = 0.5           # a theme is tagged when its score reaches this (optional)

    off_topic = ["谈合作"]     # words that make the whole ticket 其他 (business enquiries); optional

    [negation]                # cues that deny a mention ("不是质量问题", "包装没问题"); optional
    before = ["不是", "并非"]
    after = ["没问题", "无关"]

    [[theme]]
    name = "物流配送"
    description = "shipping and delivery"
    keywords = ["快递", "物流", "没发货", "客服+快递公司"]   # one hit tags the theme; "A+B" = both in one clause
    weak = ["等了", "还没到"]                              # two weak cues (or one with a keyword) tag it
    exclude = ["物流专业"]                                 # phrases that contain a keyword but do not mean the theme
    not_with = ["提现"]                                    # words that void the theme's cues in their own clause
    threshold = 0.5                                        # optional, per theme

Read with the standard library's ``tomllib``; every mistake (bad syntax, duplicate names, empty keywords,
unknown keys) is an :class:`~fankui.errors.InputError` that names the file, the line and the fix.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..resources import lexicon_path

__all__ = ["Theme", "Taxonomy", "load_taxonomy", "parse_taxonomy", "default_taxonomy_path", "OTHER"]

OTHER = "其他"
DEFAULT_THRESHOLD = 0.5
STRONG_WEIGHT = 0.8
WEAK_WEIGHT = 0.35
_THEME_KEYS = {"name", "description", "keywords", "weak", "exclude", "not_with", "threshold"}
_TOP_KEYS = {"other", "threshold", "negation", "theme", "version", "strong_weight", "weak_weight", "off_topic"}
_NEG_DEFAULT_BEFORE = ("不是", "并非", "并不是", "不关", "不怪", "无关")
_NEG_DEFAULT_AFTER = ("没问题", "没有问题", "没毛病", "无关", "没关系", "不是问题")


@dataclass(frozen=True)
class Theme:
    """One theme: its name, keywords (strong cues), weak cues, exclusions and a description.

    ``not_with``: words that void every cue of this theme in the clause they appear in — the clause is about
    something else ("纸箱一压就瘪": 瘪 describes the box, not the product; "提现还没到": money, not a parcel).
    """

    name: str
    keywords: tuple[str, ...]
    weak: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    description: str = ""
    threshold: float | None = None
    not_with: tuple[str, ...] = ()


@dataclass(frozen=True)
class Taxonomy:
    """An ordered set of themes plus the settings of the zero-shot tagger.

    >>> tax = parse_taxonomy('[[theme]]\\nname = "物流配送"\\nkeywords = ["快递"]\\n')
    >>> tax.names
    ('物流配送',)
    """

    themes: tuple[Theme, ...]
    other: str = OTHER
    threshold: float = DEFAULT_THRESHOLD
    strong_weight: float = STRONG_WEIGHT
    weak_weight: float = WEAK_WEIGHT
    negation_before: tuple[str, ...] = _NEG_DEFAULT_BEFORE
    negation_after: tuple[str, ...] = _NEG_DEFAULT_AFTER
    # Words that mark a ticket as not a customer's complaint or question at all (a supplier or a job seeker
    # writing in): every theme is voided in the whole text, because their keywords (物流, 包装) are the
    # writer's trade, not the topic.
    off_topic: tuple[str, ...] = ()
    source: str = field(default="<string>", compare=False)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.themes)

    def theme(self, name: str) -> Theme:
        for t in self.themes:
            if t.name == name:
                return t
        raise KeyError(name)


def default_taxonomy_path() -> Path:
    """The built-in taxonomy file (``lexicons/themes.toml``)."""
    return lexicon_path("themes.toml")


def load_taxonomy(path: str | os.PathLike | None = None) -> Taxonomy:
    """Read a taxonomy TOML file (None: the built-in one), validated.

    >>> tax = load_taxonomy()                    # doctest: +SKIP
    >>> tax = load_taxonomy("my_themes.toml")    # doctest: +SKIP
    """
    p = default_taxonomy_path() if path is None else Path(path)
    if not p.is_file():
        raise InputError(f"theme taxonomy file not found: {p}",
                         "Give a TOML file of [[theme]] tables (see docs/themes.md), or leave --themes out for the built-in one.")
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"theme taxonomy {p} is not UTF-8 (undecodable byte at offset {exc.start}).",
                         "Save the file as UTF-8.") from None
    return parse_taxonomy(text, source=str(p))


def parse_taxonomy(text: str, source: str = "<string>") -> Taxonomy:
    """Parse and validate taxonomy TOML text (see the module docstring for the format)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = str(exc)
        if "line" not in where:
            n = len(text.splitlines())
            where += (f"; the file ends inside an unclosed list, string or table: look for a missing ] or \" "
                      f"above line {n}")
        raise InputError(f"theme taxonomy {source} is not valid TOML: {where}.",
                         "Fix the line named above; strings need double quotes, lists square brackets, "
                         "e.g. keywords = [\"快递\", \"物流\"].") from None
    lines = _ThemeLines(text)
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise InputError(f"theme taxonomy {source}: unknown top-level key(s) {unknown} (line {lines.top_key(unknown[0])}).",
                         f"Allowed top-level keys: {sorted(_TOP_KEYS)}; themes go in [[theme]] tables.")
    raw_themes = data.get("theme", [])
    if not isinstance(raw_themes, list) or not raw_themes:
        raise InputError(f"theme taxonomy {source} defines no themes.",
                         "Add at least one [[theme]] table with a name and keywords (see docs/themes.md).")
    other = _str(data.get("other", OTHER), "other", source, lines.top_key("other"))
    threshold = _num(data.get("threshold", DEFAULT_THRESHOLD), "threshold", source, lines.top_key("threshold"))
    strong = _num(data.get("strong_weight", STRONG_WEIGHT), "strong_weight", source, lines.top_key("strong_weight"))
    weak_w = _num(data.get("weak_weight", WEAK_WEIGHT), "weak_weight", source, lines.top_key("weak_weight"))
    neg = data.get("negation", {})
    if not isinstance(neg, dict):
        raise InputError(f"theme taxonomy {source}: 'negation' must be a table (line {lines.top_key('negation')}).",
                         "Write it as [negation] with before = [...] and after = [...].")
    neg_before = _words(neg.get("before", list(_NEG_DEFAULT_BEFORE)), "negation.before", source, lines.top_key("negation"))
    neg_after = _words(neg.get("after", list(_NEG_DEFAULT_AFTER)), "negation.after", source, lines.top_key("negation"))
    off_topic = _words(data.get("off_topic", []), "off_topic", source, lines.top_key("off_topic"))
    if any("+" in w for w in off_topic):
        raise InputError(f"theme taxonomy {source}: 'off_topic' entries are plain words (line {lines.top_key('off_topic')}).",
                         "Write each word on its own; 'A+B' is only meaningful in keywords and weak.")

    themes: list[Theme] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(raw_themes):
        line = lines.theme(i)
        where = f"theme taxonomy {source}, [[theme]] #{i + 1} (line {line})"
        extra = sorted(set(raw) - _THEME_KEYS)
        if extra:
            raise InputError(f"{where}: unknown key(s) {extra}.", f"Allowed keys in a theme: {sorted(_THEME_KEYS)}.")
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            raise InputError(f"{where}: the theme has no name.", 'Add name = "物流配送" (any non-empty text).')
        name = name.strip()
        if ";" in name or ":" in name:
            raise InputError(f"{where}: theme name {name!r} contains ';' or ':'.",
                             "Those characters separate themes in the output; choose another name.")
        if name in seen:
            raise InputError(f"{where}: duplicate theme name {name!r} (first defined at line {seen[name]}).",
                             "Rename one of them or merge their keywords into one theme.")
        if name == other:
            raise InputError(f"{where}: a theme may not be called {other!r}, the label for tickets that match no theme.",
                             f"Rename the theme, or set other = \"...\" at the top of the file.")
        seen[name] = line
        kw = _words(raw.get("keywords", []), "keywords", source, lines.key_in_theme(i, "keywords"))
        weak = _words(raw.get("weak", []), "weak", source, lines.key_in_theme(i, "weak"))
        if not kw and not weak:
            raise InputError(f"{where}: theme {name!r} has empty keywords.",
                             'Give at least one keyword, e.g. keywords = ["快递", "物流"].')
        excl = _words(raw.get("exclude", []), "exclude", source, lines.key_in_theme(i, "exclude"))
        not_with = _words(raw.get("not_with", []), "not_with", source, lines.key_in_theme(i, "not_with"))
        if any("+" in w for w in not_with):
            raise InputError(f"{where}: 'not_with' entries are plain words; theme {name!r} has one with '+'.",
                             "Write each word on its own; 'A+B' is only meaningful in keywords and weak.")
        th = raw.get("threshold")
        if th is not None:
            th = _num(th, "threshold", source, lines.key_in_theme(i, "threshold"))
        desc = raw.get("description", "")
        if not isinstance(desc, str):
            raise InputError(f"{where}: description must be text.", 'E.g. description = "shipping and delivery".')
        themes.append(Theme(name, kw, weak, excl, desc.strip(), th, not_with))
    return Taxonomy(tuple(themes), other, threshold, strong, weak_w, neg_before, neg_after, off_topic, source)


def _str(value, key, source, line) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"theme taxonomy {source}: {key} must be non-empty text (line {line}).", f'E.g. {key} = "其他".')
    return value.strip()


def _num(value, key, source, line) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
        raise InputError(f"theme taxonomy {source}: {key} must be a number in (0, 1], got {value!r} (line {line}).",
                         f"E.g. {key} = 0.5.")
    return float(value)


def _words(value, key, source, line) -> tuple[str, ...]:
    from ..text import normalize_text

    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"theme taxonomy {source}: {key} must be a list of strings (line {line}).",
                         f'E.g. {key} = ["快递", "物流"].')
    out = []
    for v in value:
        # Keywords are matched against normalised text (simplified, half-width, lower case): normalise them alike.
        parts = [normalize_text(p).strip().lower() for p in v.split("+")]
        if any(not p for p in parts):
            raise InputError(f"theme taxonomy {source}: empty entry {v!r} in {key} (line {line}).",
                             "Remove the empty string (or the stray '+').")
        out.append("+".join(parts))
    return tuple(dict.fromkeys(out))


class _ThemeLines:
    """Line numbers for messages: tomllib reports syntax errors' lines but not where a valid value sits."""

    _HEADER = re.compile(r"^\s*\[\[\s*theme\s*\]\]")

    def __init__(self, text: str):
        self.lines = text.splitlines()
        self.headers = [i + 1 for i, line in enumerate(self.lines) if self._HEADER.match(line)]

    def theme(self, i: int) -> int:
        return self.headers[i] if i < len(self.headers) else 0

    def key_in_theme(self, i: int, key: str) -> int:
        start = self.theme(i)
        end = self.headers[i + 1] if i + 1 < len(self.headers) else len(self.lines) + 1
        pat = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for n in range(start, end - 1):
            if pat.match(self.lines[n]):
                return n + 1
        return start

    def top_key(self, key: str) -> int:
        pat = re.compile(rf"^\s*(\[\s*)?{re.escape(key)}\s*[=\]]")
        for n, line in enumerate(self.lines):
            if pat.match(line):
                return n + 1
        return 1
