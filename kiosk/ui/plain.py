"""Data is text, never markup: the text widgets every screen of the kiosk uses.

Textual parses a plain ``str`` as content markup almost everywhere (``Static``, ``Label``, option
prompts, table cells, button labels, border titles, notifications). A roster name ``王[/]五``
then raises ``MarkupError`` and ends the app; ``[@click=app.quit]退出[/]`` becomes a clickable
quit; ``[on leave]`` silently vanishes. So nothing in ``kiosk/ui`` shows a string through
Textual's markup parser: the widgets here are Textual's own with markup switched off, and
:func:`plain` makes a literal :class:`~textual.content.Content` for the few places (border
titles, option prompts) that take one. Our translated strings carry no markup either, so the
rule has no exception; tests/ui/test_text_not_markup.py enforces the imports.

Control characters that reach a screen (older data, a centre written by another tool) are shown
as visible escapes (``\\x1b``, kiosk.text_safety) rather than sent to the terminal, where ESC
would start an escape sequence — the same rule as every export and terminal listing.
"""

from __future__ import annotations

from rich.text import Text
from textual import widgets
from textual.content import Content

from kiosk.text_safety import escape_controls

__all__ = ["Button", "DataTable", "Label", "OptionList", "Static", "clean", "plain"]

def clean(value: object) -> str:
    """``value`` as a string with every control character but LF shown as a visible escape."""
    return escape_controls(str(value), keep="\n")


def plain(value: object) -> Content:
    """Literal content for anything that would otherwise parse a ``str`` as markup."""
    return Content(clean(value))


def _literal(content):
    """What a text widget shows: str literal (never parsed), rich Text with controls replaced."""
    if isinstance(content, str):
        return clean(content)
    if isinstance(content, Text) and content.plain != clean(content.plain):
        return Text(clean(content.plain), style=content.style, justify=content.justify)
    return content


class Static(widgets.Static):
    """Textual's Static with ``markup=False``: a str from data is shown exactly as it is."""

    def __init__(self, content="", *, markup: bool = False, **kwargs) -> None:
        super().__init__(_literal(content), markup=markup, **kwargs)

    def update(self, content="", *, layout: bool = True) -> None:
        super().update(_literal(content), layout=layout)


class Label(widgets.Label):
    """Textual's Label with ``markup=False``."""

    def __init__(self, content="", *, markup: bool = False, **kwargs) -> None:
        super().__init__(_literal(content), markup=markup, **kwargs)

    def update(self, content="", *, layout: bool = True) -> None:
        super().update(_literal(content), layout=layout)


class OptionList(widgets.OptionList):
    """Textual's OptionList with ``markup=False``: option prompts given as str are literal."""

    def __init__(self, *content, markup: bool = False, **kwargs) -> None:
        super().__init__(*content, markup=markup, **kwargs)


class Button(widgets.Button):
    """Textual's Button whose label is literal text."""

    def __init__(self, label=None, variant="default", **kwargs) -> None:
        super().__init__(plain(label) if isinstance(label, str) else label, variant, **kwargs)

    def validate_label(self, label) -> Content:
        return plain(label) if isinstance(label, str) else super().validate_label(label)


def _cell(value):
    return Text(clean(value)) if isinstance(value, str) else _literal(value)


class DataTable(widgets.DataTable):
    """Textual's DataTable whose str cells and column labels are literal text."""

    def add_column(self, label, *, width=None, key=None, default=None):
        return super().add_column(_cell(label), width=width, key=key, default=default)

    def add_row(self, *cells, height=1, key=None, label=None):
        return super().add_row(*(_cell(c) for c in cells), height=height, key=key,
                               label=None if label is None else _cell(label))

    def update_cell(self, row_key, column_key, value, *, update_width: bool = False) -> None:
        super().update_cell(row_key, column_key, _cell(value), update_width=update_width)
