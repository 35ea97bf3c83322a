"""Reading CSV (UTF-8, UTF-8 with BOM, GBK) and XLSX files into a header and rows of text.

Imports are all-or-nothing, so this layer only reads; validation happens in the importers,
which report every problem with its line number before anything is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

MAX_FILE_BYTES = 50 * 1024 * 1024  # a CSV file, or an XLSX file's contents once unzipped
MAX_LINE_CHARS = 10_000
LINE_END = re.compile(rb"\r\n|\r|\n")


class TableError(ValueError):
    """The file cannot be read as a table; ``key`` and ``values`` form the translated message.

    ``problems`` (for a file read to its end) lists every bad line as ``(line, key, values)``.
    """

    def __init__(self, key: str, problems: list[tuple[int, str, dict]] = (), **values) -> None:
        super().__init__(key)
        self.key = key
        self.values = values
        self.problems = list(problems)


class UnreadableRow(list):
    """A row whose cells are not read: longer than :data:`MAX_LINE_CHARS`, or holding a formula
    whose result was never saved. It keeps only its problems (``(key, values)``), so an import
    names them together with every other line's (:func:`split_unreadable_rows`)."""

    def __init__(self, problems: list[tuple[str, dict]]) -> None:
        super().__init__()
        self.problems = problems


def split_unreadable_rows(body: list[tuple[int, list[str]]]
                          ) -> tuple[list[tuple[int, list[str]]], list[tuple[int, str]]]:
    """The rows to read, and ``(line, message)`` for each problem of the rows left out."""
    from kiosk.i18n import t

    rows = [(n, cells) for n, cells in body if not isinstance(cells, UnreadableRow)]
    problems = [(n, t(key, **values)) for n, cells in body if isinstance(cells, UnreadableRow)
                for key, values in cells.problems]
    return rows, problems


class FormulaWithoutValue(str):
    """An XLSX cell holding a formula whose result was never saved (reads as empty text)."""


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
    rows = [(n, cells) for n, cells in rows if isinstance(cells, UnreadableRow)
            or any(c.strip() or isinstance(c, FormulaWithoutValue) for c in cells)]
    if not rows:
        raise TableError("import.no_header")
    (first, header), body = rows[0], rows[1:]
    if isinstance(header, UnreadableRow):
        raise TableError("import.line_error", line=first, message="import.line_too_long")
    header = [h.strip().lstrip("\ufeff") for h in header]
    formulas = [(first, "import.formula_without_value", {"line": first, "column": _column_name(
        header, i)}) for i, c in enumerate(header) if isinstance(c, FormulaWithoutValue)]
    if formulas:  # a formula in the header: no column can be read
        raise TableError("import.formula_without_value", formulas)
    return header, [(n, _formula_row(header, cells)) for n, cells in body]


def _formula_row(header: list[str], cells: list[str]) -> list[str]:
    """The row, or an :class:`UnreadableRow` naming each column whose formula has no value."""
    if isinstance(cells, UnreadableRow):
        return cells
    columns = [_column_name(header, i) for i, c in enumerate(cells)
               if isinstance(c, FormulaWithoutValue)]
    return UnreadableRow([("import.formula_cell", {"column": c}) for c in columns]) if columns \
        else cells


def _column_name(header: list[str], index: int) -> str:
    """The header's name for a column (or its spreadsheet letter when the header cell is empty)."""
    if index < len(header) and header[index]:
        return header[index]
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def decode(data: bytes) -> str:
    """UTF-8 (BOM or not), else GBK (GB18030, its superset); else an encoding error naming
    the first line that is not in the file's encoding.

    A file is one encoding: its first line with non-ASCII text decides which. A file that mixes
    them (a GBK line pasted into a UTF-8 file) is refused at that line, never read as mojibake.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    bad = _first_bad_line(data)
    if bad is None:
        return data.decode("gb18030")
    raise TableError("import.bad_encoding_line", line=bad)


def _first_bad_line(data: bytes) -> int | None:
    """The first line (CR, LF or CRLF ends) not in the encoding of the file's first non-ASCII
    line, or None if every line is GBK (the file is not UTF-8: the caller tried that first)."""
    encoding = None
    for number, line in enumerate(LINE_END.split(data), 1):
        if line.isascii():
            continue
        utf8 = _decodes(line, "utf-8")
        if encoding is None:
            encoding = "utf-8" if utf8 else "gb18030"
            if encoding == "gb18030" and not _decodes(line, "gb18030"):
                return number
        elif encoding == "utf-8" and not utf8:
            return number
        elif encoding == "gb18030" and (utf8 or not _decodes(line, "gb18030")):
            return number  # a UTF-8 line in a GBK file (valid UTF-8 is almost never GBK text)
    return None


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _read_csv(path: Path) -> list[tuple[int, list[str]]]:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise TableError("cli.file_unreadable", path=str(path))
        text = decode(path.read_bytes())
    except OSError:
        raise TableError("cli.file_unreadable", path=str(path)) from None
    return csv_rows(text)


def csv_rows(text: str) -> list[tuple[int, list[str]]]:
    """The records of a decoded CSV text, each with the number of its own first line; a record
    over :data:`MAX_LINE_CHARS` is an :class:`UnreadableRow` and the reading goes on."""
    if _looks_binary(text):
        raise TableError("import.bad_encoding")
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    # newline="": the reader sees CR, LF and CRLF line ends alike (and CRs inside quotes intact)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    line = 1  # a record's own (first) line, also for one that spans lines inside quotes
    limit = csv.field_size_limit(len(text) + 1)  # (the whole file is in memory already, bounded)
    try:
        for cells in reader:
            too_long = sum(len(c) for c in cells) > MAX_LINE_CHARS
            rows.append((line, UnreadableRow([("import.line_too_long", {})]) if too_long
                         else [c.strip() for c in cells]))
            line = reader.line_num + 1
    except csv.Error:
        raise TableError("import.line_error", line=line, message="import.bad_csv") from None
    finally:
        csv.field_size_limit(limit)
    return rows


def _looks_binary(text: str) -> bool:
    """A file that is no text table at all (a UTF-16 export, a spreadsheet saved as .csv): NULs
    in its first line or in many places. A stray NUL in one cell is that line's problem, which
    the import names with its line and column."""
    first = text.split("\n", 1)[0]
    return "\x00" in first or text.count("\x00") > max(8, len(text) // 1000)


def _read_xlsx(path: Path) -> list[tuple[int, list[str]]]:
    """Every row of the first sheet, numbered as the spreadsheet numbers them.

    The file's ``<dimension>`` tag is ignored (other tools leave it stale, and openpyxl would stop
    reading at it); its unzipped size is checked before anything is parsed (a small file can
    unzip to gigabytes); a formula whose result was not saved is a :class:`FormulaWithoutValue`.
    """
    from openpyxl import load_workbook

    _check_unzipped_size(path)
    try:
        formulas = _formula_cells(path)
        book = load_workbook(path, read_only=True, data_only=True)
    except TableError:
        raise
    except Exception:  # openpyxl raises many types for a damaged file
        raise TableError("import.bad_xlsx") from None
    try:
        sheet = book.worksheets[0]
        rows = []
        for n, present in _present_rows(sheet):
            values = sheet._get_row(present, 1, None, values_only=True)
            cells = [_cell_text(v) for v in values]
            for column in formulas.get(n, ()):
                if column < len(cells) and values[column] is None:
                    cells[column] = FormulaWithoutValue("")
            rows.append((n, cells))
        return rows
    except Exception:
        raise TableError("import.bad_xlsx") from None
    finally:
        book.close()


def _check_unzipped_size(path: Path) -> None:
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise TableError("import.bad_xlsx") from None
    if total > MAX_FILE_BYTES:
        raise TableError("import.xlsx_too_big", size=total // (1024 * 1024),
                         limit=MAX_FILE_BYTES // (1024 * 1024))


def _formula_cells(path: Path) -> dict[int, set[int]]:
    """Row → 0-based columns of the first sheet's formula cells (read without their values)."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=False)
    try:
        found: dict[int, set[int]] = {}
        for n, present in _present_rows(book.worksheets[0]):
            for cell in present:
                if cell.get("data_type") == "f":
                    found.setdefault(n, set()).add(cell["column"] - 1)
        return found
    finally:
        book.close()


def _present_rows(sheet):
    """(row number, cells as openpyxl parses them) for the rows the file holds, and only those.

    ``iter_rows`` makes an empty row for every absent one and trusts ``<dimension>``; reading
    the sheet's XML stream row by row instead skips the gaps, so a lone row at 1,048,576 costs
    what one row costs (finding 25) and a stale ``<dimension>`` hides nothing. openpyxl's
    read-only sheet does the same inside ``_cells_by_row``; its parser is used the same way.
    """
    from openpyxl.worksheet._reader import WorkSheetParser

    book = sheet.parent
    with sheet._get_source() as source:
        parser = WorkSheetParser(source, sheet._shared_strings, data_only=book.data_only,
                                 epoch=book.epoch, date_formats=book._date_formats,
                                 timedelta_formats=book._timedelta_formats)
        for n, cells in parser.parse():
            if cells:
                yield n, cells


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
    """Map canonical column names to positions, accepting zh or en headers (case-insensitive).

    A header naming one column twice (``姓名`` twice, or ``name`` and ``姓名``) is refused: which
    of the two holds the data would be a guess.
    """
    lowered = [h.strip().lower() for h in header]
    seen: set[str] = set()
    for h, name in zip(lowered, header, strict=True):
        if h and h in seen:
            raise TableError("import.duplicate_column", line=1, column=name.strip())
        seen.add(h)
    found: dict[str, int] = {}
    for canonical, names in aliases.items():
        wanted = {name.lower() for name in names}
        positions = [i for i, h in enumerate(lowered) if h in wanted]
        if len(positions) > 1:
            raise TableError("import.duplicate_column", line=1, column=header[positions[1]].strip())
        if positions:
            found[canonical] = positions[0]
    return found


def cell(cells: list[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return cells[index].strip()
