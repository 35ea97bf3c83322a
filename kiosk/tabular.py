"""Reading CSV (UTF-8, UTF-8 with BOM, GBK) and XLSX files into a header and rows of text.

Imports are all-or-nothing, so this layer only reads; validation happens in the importers,
which report every problem with its line number before anything is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_LINE_CHARS = 10_000


class TableError(ValueError):
    """The file cannot be read as a table; ``key`` and ``values`` form the translated message."""

    def __init__(self, key: str, **values) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def read_table(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """(header, [(line number, cells)]) with blank lines skipped and cells stripped."""
    if not path.exists() or not path.is_file():
        raise TableError("cli.file_not_found", path=str(path))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        rows = _read_xlsx(path)
    elif suffix in (".csv", ".txt", ".tsv", ""):
        rows = _read_csv(path)
    else:
        raise TableError("import.bad_format", value=suffix)
    rows = [(n, cells) for n, cells in rows if any(c.strip() for c in cells)]
    if not rows:
        raise TableError("import.no_header")
    (_, header), body = rows[0], rows[1:]
    return [h.strip().lstrip("\ufeff") for h in header], body


def decode(data: bytes) -> str:
    """UTF-8 (BOM or not), else GBK (GB18030, its superset); else an encoding error naming
    the first line that neither can read."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableError("import.bad_encoding_line", line=_first_bad_line(data))


def _first_bad_line(data: bytes) -> int:
    for number, line in enumerate(data.split(b"\n"), 1):
        for encoding in ("utf-8", "gb18030"):
            try:
                line.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            return number
    return 1


def _read_csv(path: Path) -> list[tuple[int, list[str]]]:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise TableError("cli.file_unreadable", path=str(path))
        text = decode(path.read_bytes())
    except OSError:
        raise TableError("cli.file_unreadable", path=str(path)) from None
    if "\x00" in text:
        raise TableError("import.bad_encoding")
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        for cells in reader:
            line = reader.line_num
            if sum(len(c) for c in cells) > MAX_LINE_CHARS:
                raise TableError("import.line_error", line=line, message="import.line_too_long")
            rows.append((line, [c.strip() for c in cells]))
    except csv.Error as exc:
        # the csv module refuses a field over its limit (131,072 chars) before we can measure it
        message = "import.line_too_long" if "field larger" in str(exc) else "import.bad_csv"
        raise TableError("import.line_error", line=reader.line_num, message=message) from None
    return rows


def _read_xlsx(path: Path) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a damaged file
        raise TableError("import.bad_xlsx") from None
    try:
        sheet = book.worksheets[0]
        rows = []
        for n, values in enumerate(sheet.iter_rows(values_only=True), 1):
            rows.append((n, [_cell_text(v) for v in values]))
        return rows
    finally:
        book.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value).strip()


def column_index(header: list[str], aliases: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Map canonical column names to positions, accepting zh or en headers (case-insensitive)."""
    lowered = [h.strip().lower() for h in header]
    found = {}
    for canonical, names in aliases.items():
        for name in names:
            if name.lower() in lowered:
                found[canonical] = lowered.index(name.lower())
                break
    return found


def cell(cells: list[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return cells[index].strip()
