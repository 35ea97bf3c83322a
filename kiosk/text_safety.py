"""Control characters: refused in every text field on the way in, escaped on the way out.

A name, group, reason or place that carries ``ESC ] 52`` (write the clipboard), ``ESC [ 2 J``
(clear the screen), a bidi override (text that reads backwards) or a line separator can rewrite
what an admin sees in a terminal or a spreadsheet. Input is refused (with the line and column
named); text already stored — written by an older release or straight into the database — is
shown with each such character as a visible escape (``\\x1b``), never raw.

"Control" here: Unicode Cc (C0, DEL, C1), Cs (lone surrogates), Zl/Zp (line and paragraph
separators) and Cf (format characters: bidi overrides and isolates, zero-width spaces, the BOM,
soft hyphen …) except the zero-width joiner and non-joiner, which emoji and some scripts need.
The ideographic space U+3000 (used to align two-character Chinese names) is ordinary text.
"""

from __future__ import annotations

import re
import unicodedata

CONTROL_CATEGORIES = frozenset({"Cc", "Cs", "Cf", "Zl", "Zp"})
ALLOWED_FORMAT = frozenset({"\u200c", "\u200d"})  # zero-width non-joiner / joiner



class BinaryToTerminal(ValueError):
    """An XLSX or Word file (a zip) asked onto standard output while that is a terminal: its
    bytes would garble the screen and reach the terminal as control sequences."""

def is_control(ch: str) -> bool:
    return unicodedata.category(ch) in CONTROL_CATEGORIES and ch not in ALLOWED_FORMAT


def has_controls(text: str) -> bool:
    """True if ``text`` holds any control character (cheap for the usual printable text)."""
    if text.isprintable():  # False for every control (and for a few harmless spaces): check those
        return False
    return any(is_control(ch) for ch in text)


def first_control(text: str) -> int | None:
    """The 1-based position of the first control character, or None."""
    if text.isprintable():
        return None
    for i, ch in enumerate(text, 1):
        if is_control(ch):
            return i
    return None


def escape_char(ch: str) -> str:
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def escape_controls(text: str, keep: str = "") -> str:
    """``text`` with every control character (except those in ``keep``) as a visible escape."""
    if text.isprintable():
        return text
    return "".join(escape_char(ch) if is_control(ch) and ch not in keep else ch for ch in text)


def clean_data(data):
    """A JSON-like value (dicts, lists, text) with every text escaped as by
    :func:`escape_controls`: what a document renderer (DOCX, Markdown, HTML) may show as it is."""
    if isinstance(data, str):
        return escape_controls(data)
    if isinstance(data, dict):
        return {key: clean_data(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return type(data)(clean_data(value) for value in data)
    return data


_CR_NOT_BEFORE_LF = re.compile(r"\r(?!\n)")


def clean_document(text: str) -> str:
    """A whole text document (Markdown, HTML, CSV, JSON, a terminal table): line ends and tabs
    stay, every other control character becomes a visible escape (a CR survives only in CRLF)."""
    if text.isprintable():
        return text
    return escape_controls(_CR_NOT_BEFORE_LF.sub("\\\\x0d", text), keep="\n\t\r")


def _json_escape(ch: str) -> str:
    code = ord(ch)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_text(data, indent: int | None = None) -> str:
    """``json.dumps`` (UTF-8 text kept readable) with every control character written as a
    ``\\uXXXX`` escape: the JSON means the same text, and no raw control reaches a terminal."""
    import json  # only JSON output needs it (start-up time of every other command)

    text = json.dumps(data, ensure_ascii=False, indent=indent)
    if text.isprintable():
        return text
    # a raw newline can only be the indent's (json.dumps escapes every C0 inside strings)
    return "".join(_json_escape(ch) if ch != "\n" and is_control(ch) else ch for ch in text)

