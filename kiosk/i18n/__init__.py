"""The one translation table (zh and en) and the current language.

Every string shown to a person goes through :func:`t`. The table is assembled from one catalogue
module per area (core, ui, badges, reports, sync) so features can grow their own strings without
editing each other's; a key defined twice is an error when the table is assembled.

The core catalogue (results, reasons, CLI lines) is loaded at import; the others are loaded and
merged the first time a key is missing from it, so ``kiosk signin`` (bench/scans.py counts its
start-up) never loads the screens' or reports' strings.
"""

from __future__ import annotations

import os
import string
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

from kiosk.i18n import catalog_core

LANGUAGES = ("zh", "en")
_CATALOGS = ["catalog_core", "catalog_ui", "catalog_host", "catalog_badges", "catalog_reports",
             "catalog_sync", "catalog_records", "catalog_ops", "catalog_cards"]
_CATALOGS.append("catalog_admin")  # (its own line: the list above is everyone's to extend)
_CATALOGS.append("catalog_fleet")
_CATALOGS.append("catalog_trust_ui")
_CATALOGS.append("catalog_trust_data")
_CATALOGS.append("catalog_help")


def _assemble() -> dict[str, tuple[str, str]]:
    import importlib

    table: dict[str, tuple[str, str]] = {}
    for name in _CATALOGS:
        try:
            module = importlib.import_module(f"kiosk.i18n.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"kiosk.i18n.{name}":
                continue
            raise
        for key, pair in module.MESSAGES.items():
            if key in table:
                raise RuntimeError(f"translation key {key!r} defined twice")
            table[key] = pair
    return table


class _Table(dict):
    """key → (zh, en): the core catalogue, completed with every catalogue at the first miss."""

    complete = False

    def __missing__(self, key: str) -> tuple[str, str]:
        if not self.complete:
            self.update(_assemble())
            self.complete = True
            if key in self:
                return self[key]
        raise KeyError(key)

    def get(self, key: str, default=None):  # type: ignore[override]
        try:
            return self[key]
        except KeyError:
            return default


TABLE: Mapping[str, tuple[str, str]] = _Table(catalog_core.MESSAGES)
assert catalog_core.MESSAGES  # the core catalogue always exists
_language = "zh"
_printed = False
# a printed Chinese document's punctuation for the half-width ,:;() of the terminal-friendly catalogue
FULL_WIDTH = str.maketrans({",": "\uff0c", ":": "\uff1a", ";": "\uff1b", "(": "\uff08",
                             ")": "\uff09"})


def language_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """``KIOSK_LANG``, else the language of ``LC_ALL``/``LANG``, else zh.

    Only the language prefix is read; the locale need not be installed on this machine.
    """
    environ = os.environ if environ is None else environ
    explicit = (environ.get("KIOSK_LANG") or "").strip().lower()
    if explicit:
        return normalise(explicit)
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = (environ.get(var) or "").strip().lower()
        if value.startswith("en"):
            return "en"
        if value.startswith("zh"):
            return "zh"
    return "zh"


def normalise(lang: str) -> str:
    lang = lang.strip().lower().replace("_", "-")
    if lang.startswith("en"):
        return "en"
    return "zh"


def set_language(lang: str) -> None:
    global _language
    _language = normalise(lang)


def current_language() -> str:
    return _language


def t(key: str, /, lang: str | None = None, **values: object) -> str:
    """The text for ``key`` in ``lang`` (default: the current language), formatted with values."""
    try:
        pair = TABLE[key]
    except KeyError:
        return key
    chosen = lang or _language
    text = pair[1] if chosen == "en" else pair[0]
    if _printed and chosen == "zh":
        text = printed(text)
    if values:
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError):
            return text
    return text


@contextmanager
def printed_punctuation() -> Iterator[None]:
    """While a Word document is composed: the catalogue's Chinese texts carry a printed
    document's full-width punctuation (\uff0c\uff1a\uff1b\uff08\uff09). Only the templates change; the
    values put into them (names, departments, titles) stay exactly as stored."""
    global _printed
    before, _printed = _printed, True
    try:
        yield
    finally:
        _printed = before


def printed(template: str) -> str:
    """``template`` with full-width punctuation in its literal text only: the ``{field:spec}``
    parts are kept as they are, so formatting still works."""
    out = []
    for literal, field, spec, conversion in string.Formatter().parse(template):
        out.append(literal.replace("{", "{{").replace("}", "}}").translate(FULL_WIDTH))
        if field is not None:
            out.append("{" + field + (f"!{conversion}" if conversion else "")
                       + (f":{spec}" if spec else "") + "}")
    return "".join(out)


class Words(str):
    """Text said now and shown again later: as a ``str`` it is the text in today's language;
    :meth:`again` renders it anew in the language current then (the console's status line
    re-renders its last message after F9 instead of keeping the old language's words)."""

    _render: Callable[[], str]

    def __new__(cls, render: Callable[[], str]) -> Words:
        text = super().__new__(cls, render())
        text._render = render
        return text

    def again(self) -> str:
        return self._render()


def words(key: str, /, **values: object) -> Words:
    """``t(key, **values)`` that can be rendered again in another language (see :class:`Words`)."""
    return Words(lambda: t(key, **values))


def again(text: str) -> str:
    """``text`` in the current language if it is :class:`Words`, else as it is."""
    return text.again() if isinstance(text, Words) else text
