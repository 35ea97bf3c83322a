"""Reports as spreadsheets: CSV (UTF-8 with BOM) and XLSX.

CSV layout (documented choice): every table of the report as a *section* in one file — a row with
the section title, its header row, its rows, then a blank row — in the order 汇总, 按部门, 按人员,
按场次, (预警名单), 明细. Rates are written as fractions 0–1 rounded to :data:`CSV_RATE_DIGITS`
decimals (``0.3333``, not ``0.3333333333333333``) and other fractional numbers (hours) to
:data:`CSV_NUMBER_DIGITS` — still numbers, not text, so a spreadsheet can format or compute
with them.

XLSX: one sheet per table with the fixed names 汇总 / 按部门 / 按人员 / 按场次 / 预警名单 / 明细
(annual: 汇总 / 按人员) whatever the language, frozen bold header, widths that fit CJK text,
rates as numbers with a ``0.0%`` format, and A4 print setup (fit to width, header row repeated).

Every CSV text cell passes through :func:`kiosk.sheets.safe_cell`, so text that a spreadsheet would
run as a formula (``=``, ``+``, ``-``, ``@``, tab, CR) is neutralised; every XLSX row goes through
:func:`kiosk.sheets.xlsx_append`, so a text cell holds the exact text and is never a formula;
numbers stay numbers.
"""

from __future__ import annotations

import io

from kiosk.cli.tables import width
from kiosk.reports.tables import Table
from kiosk.sheets import csv_sections_bytes, xlsx_append, xlsx_cell

SHEET_NAMES = {"summary": "汇总", "departments": "按部门", "people": "按人员", "sessions": "按场次",
               "warnings": "预警名单", "detail": "明细"}
PERCENT_FORMAT = "0.0%"
CSV_RATE_DIGITS = 4
CSV_NUMBER_DIGITS = 2


def csv_report(tables: list[Table]) -> bytes:
    return csv_sections_bytes((table.title, table.headers, _csv_rows(table)) for table in tables)


def _csv_rows(table: Table) -> list[list]:
    """The rows with every float rounded for reading (CSV shows a float's full ``repr``)."""
    return [[_csv_number(table, r, c, v) for c, v in enumerate(row)]
            for r, row in enumerate(table.rows)]


def _csv_number(table: Table, row: int, column: int, value):
    if not isinstance(value, float):
        return value
    digits = CSV_RATE_DIGITS if table.is_percent(row, column) else CSV_NUMBER_DIGITS
    return round(value, digits)


def xlsx_report(tables: list[Table], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook()
    book.remove(book.active)
    book.properties.title = str(xlsx_cell(title))
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDE4EE")
    for table in tables:
        sheet = book.create_sheet(SHEET_NAMES.get(table.key, table.title)[:31])
        xlsx_append(sheet, table.headers)
        for cell in sheet[1]:
            cell.font = bold
            cell.fill = fill
            cell.alignment = Alignment(vertical="center", wrap_text=False)
        for r, row in enumerate(table.rows):
            xlsx_append(sheet, row)
            for c, value in enumerate(row):
                if isinstance(value, float) and table.is_percent(r, c):
                    sheet.cell(row=r + 2, column=c + 1).number_format = PERCENT_FORMAT
        sheet.freeze_panes = "A2"
        for i, w in enumerate(_widths(table), 1):
            sheet.column_dimensions[_letter(i)].width = w
        _print_setup(sheet, wide=len(table.headers) > 8)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _widths(table: Table) -> list[float]:
    """Column widths in character cells; CJK characters count double."""
    widths = [width(str(h)) for h in table.headers]
    for row in table.rows[:3000]:
        widths = [max(w, _shown_width(v)) for w, v in zip(widths, row, strict=False)]
    return [min(max(w + 2, 6), 60) for w in widths]


def _shown_width(value) -> int:
    if value is None:
        return 0
    if isinstance(value, float):
        return 7
    return width(str(value))


def _print_setup(sheet, *, wide: bool) -> None:
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if wide else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    sheet.print_options.gridLines = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)
