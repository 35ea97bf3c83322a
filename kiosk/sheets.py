"""Writing CSV (UTF-8 with BOM, for Excel) and XLSX safely.

CSV: any text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a CR is prefixed with an
apostrophe so a spreadsheet shows it as text instead of running it as a formula (CSV has no other
way to say "text"). XLSX: every text cell is a string cell holding the exact text — ``=1+1`` is
the text ``=1+1``, never a formula, and no apostrophe shows; one that a spreadsheet would read as
a formula when retyped also carries Excel's hidden "quote prefix" flag. Numbers stay numbers.
Control characters in text become visible escapes (``\x1b``) in both (see kiosk.text_safety).
"""

from __future__ import annotations

import csv
import io
import os
import sys
from collections.abc import Iterable
from pathlib import Path

from kiosk.text_safety import BinaryToTerminal, escape_controls

DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Text that a spreadsheet could read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(DANGEROUS_START):
        return "'" + value
    return value


def safe_cell(value):
    """A value ready for a CSV or XLSX cell: None → empty, bool → true/false, text neutralised."""
    return _cell(value)


def xlsx_cell(value):
    """A value for an XLSX cell: the exact text with control characters escaped (an XLSX file
    cannot hold them; openpyxl refuses them), no apostrophe — :func:`xlsx_append` makes it a text
    cell, so it is never a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    return escape_controls(value) if isinstance(value, str) else value


def xlsx_append(sheet, values: list) -> None:
    """Append one row; every text cell is a string cell (``=1+1`` stays the text ``=1+1``)."""
    sheet.append([xlsx_cell(v) for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.data_type != "s":  # openpyxl took "=…" as a formula
            cell.data_type = "s"
        if isinstance(cell.value, str) and cell.value.startswith(DANGEROUS_START):
            cell.quotePrefix = True  # Excel's own invisible "this is text" mark


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    return escape_controls(neutralise(value)) if isinstance(value, str) else value


def open_output(out: str, binary: bool = False):
    """``-`` is standard output; otherwise a file written atomically by the caller's close."""
    if out == "-":
        return sys.stdout.buffer if binary else sys.stdout
    return None


def csv_bytes(headers: list[str], rows: Iterable[list]) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([_cell(h) for h in headers])
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def csv_sections_bytes(sections: Iterable[tuple[str, list[str], list[list]]]) -> bytes:
    """Several titled tables in one CSV (BOM): a title row, the header row, the rows, a blank row."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    for i, (title, headers, rows) in enumerate(sections):
        if i:
            writer.writerow([])
        writer.writerow([_cell(title)])
        writer.writerow([_cell(h) for h in headers])
        for row in rows:
            writer.writerow([_cell(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def write_bytes(out: str, data: bytes) -> None:
    """Write to ``out`` (``-`` = stdout) via a temporary file, so a failure leaves no half file.

    An existing path that is not a regular file (``/dev/full``, a FIFO, a terminal) is written in
    place: replacing it with the temporary file would "succeed" while destroying the device node.
    Every failure — including one only seen at flush or close — raises :class:`OSError`.
    """
    if out == "-":
        if data[:4] == b"PK\x03\x04" and sys.stdout.isatty():
            raise BinaryToTerminal(out)
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    path = Path(out)
    if path.exists() and not path.is_file() and not path.is_dir():
        with open(path, "wb") as handle:
            handle.write(data)
        return
    path.parent.mkdir(parents=True, exist_ok=True) if str(path.parent) not in ("", ".") else None
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def xlsx_bytes(sheets: list[tuple[str, list[str], list[list]]], *,
               widths: dict[str, list[int]] | None = None) -> bytes:
    """One workbook; each sheet ``(title, headers, rows)`` with a frozen, bold header row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for title, headers, rows in sheets:
        sheet = book.create_sheet(title[:31])
        xlsx_append(sheet, headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            xlsx_append(sheet, row)
        sheet.freeze_panes = "A2"
        for i, w in enumerate(_column_widths(headers, rows), 1):
            sheet.column_dimensions[_letter(i)].width = w
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _column_widths(headers: list[str], rows: list[list]) -> list[int]:
    from kiosk.cli.tables import width

    widths = [width(str(h)) for h in headers]
    for row in rows[:2000]:
        widths = [max(w, width(str(v)) if v is not None else 0) for w, v in
                  zip(widths, row, strict=False)]
    return [min(max(w + 2, 6), 60) for w in widths]


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)
