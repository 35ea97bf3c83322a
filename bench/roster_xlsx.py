"""A roster XLSX written by openpyxl, its sheet optionally rewritten by hand (a zip bomb, a row
far away) for the import benchmarks."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"


def roster_xlsx(path: Path, people: int,
                write_sheet: Callable[[bytes, zipfile.ZipFile], None] | None = None) -> None:
    """``people`` rows of 工号/姓名/部门 at ``path``; ``write_sheet(xml, zip)`` writes the sheet
    member itself when given (else it is copied as openpyxl wrote it)."""
    book = Workbook()
    book.active.append(["工号", "姓名", "部门"])
    for i in range(people):
        book.active.append([f"A{i:05d}", f"某人{i}", "办公室"])
    buf = io.BytesIO()
    book.save(buf)
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if write_sheet is not None and item.filename == SHEET:
                write_sheet(data, dst)
            else:
                dst.writestr(item.filename, data)
