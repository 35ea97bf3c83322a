"""Finding 25: an XLSX with one row at r="1048576" (Excel's last) is read row by row as the file
holds them: the far row keeps its number, the absent million rows are never made (flat memory;
the time and RSS against a plain roster are in bench/xlsx_far_row.py)."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from kiosk import tabular
from tests.cli_runner import kiosk
from tests.test_trust_imports import staff, xlsx

LAST = 1_048_576


@pytest.fixture
def url(tmp_path, capsys) -> str:
    url = f"sqlite:///{tmp_path / 'office.db'}"
    assert kiosk(capsys, "init", "--db", url, "--no-keys").code == 0
    return url
ROSTER = [["工号", "姓名", "部门"], ["E1", "名1", "办公室"], ["E2", "名2", "财务科"]]


def far_row(cells: str):
    def edit(name: str, xml: str) -> str:
        if name == "xl/worksheets/sheet1.xml":
            xml = xml.replace("</sheetData>", f'<row r="{LAST}">{cells}</row></sheetData>')
        return xml
    return edit


FAR_PERSON = (f'<c r="A{LAST}" t="inlineStr"><is><t>FAR1</t></is></c>'
              f'<c r="B{LAST}" t="inlineStr"><is><t>远行</t></is></c>'
              f'<c r="C{LAST}" t="inlineStr"><is><t>办公室</t></is></c>')


def test_a_row_at_the_last_line_keeps_its_number_and_costs_one_row(tmp_path):
    path = xlsx(tmp_path / "far.xlsx", ROSTER, far_row(FAR_PERSON))
    tracemalloc.start()
    try:
        header, body = tabular.read_table(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert header == ["工号", "姓名", "部门"]
    assert [(n, cells) for n, cells in body] == [
        (2, ["E1", "名1", "办公室"]), (3, ["E2", "名2", "财务科"]), (LAST, ["FAR1", "远行", "办公室"])]
    assert peak < 20 * 1024 * 1024, peak  # a million empty rows made one by one: well over 100 MB


def test_the_far_row_is_imported_and_previewed_by_its_line(tmp_path, capsys, url):
    path = xlsx(tmp_path / "far.xlsx", ROSTER, far_row(FAR_PERSON))
    preview = kiosk(capsys, "staff", "import", str(path), "--dry-run", "--db", url)
    assert preview.code == 0, preview.err
    assert f"第 {LAST} 行" in preview.out and "FAR1" in preview.out
    assert kiosk(capsys, "staff", "import", str(path), "--db", url).code == 0
    assert {p["staff_id"] for p in staff(capsys, url)} == {"E1", "E2", "FAR1"}


def test_a_far_formula_without_a_value_is_named_at_its_line(tmp_path, capsys, url):
    cells = (f'<c r="A{LAST}" t="inlineStr"><is><t>FAR2</t></is></c>'
             f'<c r="B{LAST}"><f>CONCAT("a","b")</f></c>')
    path = xlsx(tmp_path / "formula.xlsx", ROSTER, far_row(cells))
    run = kiosk(capsys, "staff", "import", str(path), "--dry-run", "--db", url, "--lang", "en")
    assert run.code == 1 and f"line {LAST}  problem 姓名: a formula" in run.out, run.out


def test_rows_with_gaps_between_them_are_numbered_as_the_sheet_numbers_them(tmp_path: Path):
    def gaps(name: str, xml: str) -> str:
        if name == "xl/worksheets/sheet1.xml":
            xml = xml.replace('<row r="3"', '<row r="40"').replace('r="A3"', 'r="A40"')
            xml = xml.replace('r="B3"', 'r="B40"').replace('r="C3"', 'r="C40"')
        return xml
    _, body = tabular.read_table(xlsx(tmp_path / "gaps.xlsx", ROSTER, gaps))
    assert [n for n, _ in body] == [2, 40]
