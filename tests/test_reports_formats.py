"""Every rendering of the fixture month carries the JSON's figures; no export can run a formula.

The month is the hand-computed one of tests/test_reports.py, whose staff names and session
titles begin with ``=``, ``+``, ``-`` and ``@``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
from html.parser import HTMLParser

import pytest

from db.models import Staff
from kiosk.config import Target
from kiosk.reports import annual, annual_document, monthly, monthly_document
from tests.conftest import wall
from tests.test_reports import EVIL_NAME, TARGETS, TITLES, build_month, options

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
COUNT_HEADERS = {"expected": "应到", "present": "准时", "late": "迟到", "excused": "请假",
                 "absent": "缺席", "visitors": "列席"}


@pytest.fixture
def month(db):
    build_month(db)
    report = monthly(2026, 10, options())
    return report, json.loads(monthly_document(report, "json"))


def _load_xlsx(data: bytes):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data))


def _sheet_records(sheet) -> list[dict]:
    rows = list(sheet.iter_rows())
    headers = [c.value for c in rows[0]]
    return [{h: c for h, c in zip(headers, row, strict=False)} for row in rows[1:]]


def _assert_no_formula_cells(book) -> None:
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):  # the exact text in a text cell, no apostrophe
                    assert cell.data_type == "s" and not cell.value.startswith("'"), cell.value
                    if cell.value.startswith(DANGEROUS):
                        assert cell.quotePrefix, (sheet.title, cell.value)


def test_xlsx_carries_the_same_figures(month):
    report, data = month
    book = _load_xlsx(monthly_document(report, "xlsx"))
    assert book.sheetnames == ["汇总", "按部门", "按人员", "按场次", "预警名单", "明细"]
    for sheet in book:
        assert sheet.freeze_panes == "A2"
        assert int(sheet.page_setup.paperSize) == 9  # A4
        assert sheet.column_dimensions["A"].width >= 6
    people = {r["工号"].value: r for r in _sheet_records(book["按人员"])}
    for person in data["people"]:
        row = people[person["staff_id"]]
        for key, header in COUNT_HEADERS.items():
            assert row[header].value == person[key] and isinstance(row[header].value, int)
        assert row["学时"].value == pytest.approx(person["credit_hours"])
        assert row["出勤率"].value == pytest.approx(person["rate"])
        assert "%" in row["出勤率"].number_format
    depts = {r["部门"].value: r for r in _sheet_records(book["按部门"])}
    for dept in data["departments"]:
        assert depts[dept["department"]]["应到"].value == dept["expected"]
        assert depts[dept["department"]]["出勤率"].value == pytest.approx(dept["rate"])
    sessions = {r["场次编号"].value: r for r in _sheet_records(book["按场次"])}
    for session in data["sessions"]:
        row = sessions[session["id"]]
        assert [row[h].value for h in COUNT_HEADERS.values()] == [
            session[k] for k in COUNT_HEADERS]
        assert row["出勤率"].value == pytest.approx(session["rate"])
    summary = {r["项目"].value: r["数值"] for r in _sheet_records(book["汇总"])}
    assert summary["应到"].value == 10 and summary["出勤率"].value == pytest.approx(0.6)
    assert "%" in summary["出勤率"].number_format
    assert len(list(book["明细"].iter_rows())) == 1 + 10 + 1  # header, expected rows, a visitor
    _assert_no_formula_cells(book)
    assert people["A1003"]["姓名"].value == EVIL_NAME
    assert sessions[data["sessions"][1]["id"]]["学习主题"].value == TITLES["s2"]


def test_csv_has_bom_sections_and_no_formulas(month):
    report, data = month
    raw = monthly_document(report, "csv")
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    for row in rows:
        for value in row:
            assert not value.startswith(DANGEROUS), value
    titles = [rows[i + 1][0] for i, row in enumerate(rows[:-1]) if not row] + [rows[0][0]]
    assert set(titles) == {"汇总", "按部门", "按人员", "按场次", "预警名单", "明细"}
    start = rows.index(["按人员"])
    header = rows[start + 1]
    section = rows[start + 2:rows.index([], start)]
    people = {r[0]: dict(zip(header, r, strict=False)) for r in section}
    assert len(people) == len(data["people"])
    b2002 = people["B2002"]
    assert (int(b2002["应到"]), int(b2002["缺席"]), float(b2002["出勤率"])) == (3, 2, 0.0)
    assert people["A1003"]["姓名"] == "'" + EVIL_NAME
    assert people["C3001"]["姓名"] == "'+1"
    assert float(people["B2001"]["学时"]) == 3.5
    flat = [v for r in rows for v in r]
    assert "'" + TITLES["s1"] in flat and "'" + TITLES["s3"] in flat


class Page(HTMLParser):
    """Collects tags, attribute values, text and table rows of an HTML document."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[str] = []
        self.text: list[str] = []
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [v or "" for _, v in attrs]
        if tag == "tr":
            self.rows.append([])
        if tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def test_html_is_self_contained_and_carries_the_figures(month):
    report, data = month
    source = monthly_document(report, "html").decode("utf-8")
    page = Page()
    page.feed(source)
    assert "script" not in page.tags and not {"link", "img", "iframe", "object"} & set(page.tags)
    assert page.tags.count("svg") == 2 and "style" in page.tags
    # the fixture's evil name holds a URL as *text*; no attribute may point anywhere
    assert not [a for a in page.attrs if "http" in a or "//" in a]
    assert "@import" not in source and "url(" not in source
    text = "".join(page.text)
    for line in data["bulletin"].split("\n"):
        assert line in text
    people: dict[str, list[str]] = {}
    for r in page.rows:  # the first table listing people is 按人员 (预警名单 comes later)
        if r and r[0] in {p["staff_id"] for p in data["people"]}:
            people.setdefault(r[0], r)
    assert people["B2002"][1:4] == ["赵六", "财务科", "3"]
    assert people["A1003"][1] == EVIL_NAME  # shown as text, escaped in the source
    assert "0.0%" in people["B2002"] and "100.0%" in people["B2001"]
    depts = {r[1]: r for r in page.rows if len(r) > 2 and r[1] in ("办公室", "财务科", "人事科")}
    assert "75.0%" in depts["办公室"] and "40.0%" in depts["财务科"]


def test_html_escapes_markup_in_names(db):
    build_month(db)
    Staff.update(name="<img src=x onerror=alert(1)>").where(Staff.key == "C3001").execute()
    source = monthly_document(monthly(2026, 10, options()), "html").decode("utf-8")
    assert "<img" not in source and "&lt;img src=x onerror=alert(1)&gt;" in source


def test_markdown_carries_bulletin_and_tables(month):
    report, data = month
    text = monthly_document(report, "md").decode("utf-8")
    assert data["bulletin"].split("\n")[4] in text
    assert "| B2002 | 赵六 | 财务科 | 3 |" in text and "| 40.0% |" in text


def test_annual_in_every_format(db):
    build_month(db)
    report = annual(2026, options(targets=TARGETS))
    book = _load_xlsx(annual_document(report, "xlsx"))
    assert book.sheetnames == ["汇总", "按人员"]
    _assert_no_formula_cells(book)
    rows = [(r["工号"].value, r["目标"].value, r["完成"].value, r["达标"].value)
            for r in _sheet_records(book["按人员"])]
    assert ("B2001", "学时", 3.5, "否") in rows and ("A1001", "中心组学习", 1, "是") in rows
    raw = annual_document(report, "csv")
    assert raw.startswith(b"\xef\xbb\xbf")
    cells = [v for r in csv.reader(io.StringIO(raw.decode("utf-8-sig"))) for v in r]
    assert "'" + EVIL_NAME in cells and not [v for v in cells if v.startswith(DANGEROUS)]
    html = annual_document(report, "html").decode("utf-8")
    assert "<script" not in html and "<svg" in html and "剩余2个月" in html
    assert "| B2001 | 王五 | 财务科 | 3.5 | 2 | 0 | 学时 | 5 | 3.5 | 否 | 1.5 | 0.75 |" in \
        annual_document(report, "md").decode("utf-8")


def test_cli_writes_files_and_export_log_is_safe(db, sqlite_url, tmp_path, capsysbinary):
    from tests.test_reports import run_cli

    build_month(db)
    out = tmp_path / "月报.xlsx"
    code, stdout, err = run_cli(["report", "monthly", "--month", "2026-10", "--out", str(out),
                                 "--db", sqlite_url], capsysbinary)
    assert code == 0, err
    assert _load_xlsx(out.read_bytes()).sheetnames[0] == "汇总"
    code, stdout, err = run_cli(["report", "monthly", "--month", "2026-10", "--format", "html",
                                 "--out", "-", "--db", sqlite_url, "--lang", "en"], capsysbinary)
    assert code == 0 and b"attendance rate 60.0%" in stdout
    log = tmp_path / "log.xlsx"
    code, stdout, err = run_cli(["export", "log", "--month", "2026-10", "--format", "xlsx",
                                 "--out", str(log), "--db", sqlite_url], capsysbinary)
    assert code == 0, err
    book = _load_xlsx(log.read_bytes())
    _assert_no_formula_cells(book)
    assert any(c.value == EVIL_NAME for row in book.active.iter_rows() for c in row)


def test_sheet_cells_neutralise_every_dangerous_start():
    from kiosk.sheets import csv_bytes, safe_cell, xlsx_bytes, xlsx_cell

    values = ["=1+1", "+1", "-2", "@x", "\t=1", "\r=1", "\x01=1", "普通", "", None, 3, -2, 1.5]
    # CSV: an apostrophe, and the control characters as visible escapes
    assert [safe_cell(v) for v in values[:6]] == ["'=1+1", "'+1", "'-2", "'@x", "'\\x09=1", "'\\x0d=1"]
    # XLSX: the exact text (a text cell, see _assert_no_formula_cells), controls escaped
    assert xlsx_cell("=1+1") == "=1+1" and xlsx_cell("\x01=1") == "\\x01=1"
    assert safe_cell(-2) == -2 and safe_cell(1.5) == 1.5
    book = _load_xlsx(xlsx_bytes([("t", ["=h"], [[v] for v in values])]))
    _assert_no_formula_cells(book)
    numbers = [c.value for row in book.active.iter_rows(min_row=2) for c in row][-3:]
    assert numbers == [3, -2, 1.5]
    rows = list(csv.reader(io.StringIO(csv_bytes(["h"], [[v] for v in values]).decode("utf-8-sig"))))
    assert [r[0] for r in rows[-3:]] == ["3", "-2", "1.5"]
    assert not [r for r in rows[:-3] if r and r[0].startswith(DANGEROUS)]


@pytest.mark.parametrize("office", ["", "示范局"])
def test_bulletin_title_is_shown_once_in_md_and_html(db, office):
    build_month(db)
    report = monthly(2026, 10, options(office_name=office))
    md = monthly_document(report, "md").decode("utf-8")
    assert md.count("学习情况通报") == 1 and f"## {office}学习情况通报\n" in md
    assert "2026年第1期 (2026年10月)" in md
    page = Page()
    page.feed(monthly_document(report, "html").decode("utf-8"))
    text = "\n".join(page.text)
    assert text.count("学习情况通报") == 1 and f"{office}学习情况通报" in text


def test_bulletin_title_once_in_english(db):
    from kiosk.i18n import set_language

    build_month(db)
    set_language("en")
    report = monthly(2026, 10, options())
    md = monthly_document(report, "md").decode("utf-8")
    html = monthly_document(report, "html").decode("utf-8")
    assert md.count("Bulletin") == 1 and html.count("Bulletin") == 1


LONG_DECIMAL = re.compile(r"^-?\d+\.\d{5,}$")


def test_csv_rates_are_rounded_numbers(month):
    report, data = month
    rows = list(csv.reader(io.StringIO(monthly_document(report, "csv").decode("utf-8-sig"))))
    assert not [v for r in rows for v in r if LONG_DECIMAL.match(v)]
    start = rows.index(["按场次"])
    header = rows[start + 1]
    sessions = {r[0]: dict(zip(header, r, strict=False)) for r in rows[start + 2:rows.index([], start)]}
    s1 = sessions[str(data["sessions"][0]["id"])]
    assert s1["出勤率"] == "0.6667" and float(s1["出勤率"]) == pytest.approx(4 / 6, abs=5e-5)
    assert data["sessions"][0]["rate"] == pytest.approx(4 / 6)  # JSON keeps the exact fraction
    start = rows.index(["按部门"])
    header = rows[start + 1]
    depts = {r[1]: dict(zip(header, r, strict=False)) for r in rows[start + 2:rows.index([], start)]}
    assert depts["财务科"]["出勤率(不含请假)"] == "0.5" and depts["办公室"]["出勤率"] == "0.75"


def test_annual_text_formats_have_no_raw_floats(db):
    build_month(db)
    report = annual(2026, options(now=wall("2026-10-05 12:00"), targets=(
        Target(name="学时", who="all", metric="hours", required=10),)))
    rows = list(csv.reader(io.StringIO(annual_document(report, "csv").decode("utf-8-sig"))))
    cells = [v for r in rows for v in r]
    assert not [v for v in cells if LONG_DECIMAL.match(v)]
    assert "3.33" in cells  # 10 h short with 3 months left (Oct-Dec): 3.33 h a month
    md = annual_document(report, "md").decode("utf-8")
    assert not re.search(r"\d\.\d{5,}", md)


def _is_char_device(path: str) -> bool:
    try:
        return stat.S_ISCHR(os.stat(path).st_mode)
    except OSError:
        return False


@pytest.mark.skipif(not _is_char_device("/dev/full"), reason="no /dev/full on this machine")
@pytest.mark.parametrize("fmt", ["xlsx", "html", "md", "json", "csv"])
def test_cli_report_to_a_full_device_fails_in_one_line(db, sqlite_url, capsysbinary, fmt):
    from tests.test_reports import run_cli

    build_month(db)
    code, out, err = run_cli(["report", "monthly", "--month", "2026-10", "--format", fmt,
                              "--out", "/dev/full", "--db", sqlite_url], capsysbinary)
    lines = err.decode().splitlines()
    assert code == 1 and lines == ["报表无法写入 /dev/full:磁盘已满"], err.decode()
    assert "报表已写入" not in out.decode()
    assert _is_char_device("/dev/full")  # written in place, never replaced by a file


@pytest.mark.parametrize("what", [["monthly", "--month", "2026-10"], ["annual", "--year", "2026"]])
def test_cli_report_to_an_unwritable_path_fails_in_one_line(db, sqlite_url, tmp_path, capsysbinary,
                                                            what):
    from tests.test_reports import run_cli

    build_month(db)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    no_folder = "the folder does not exist and cannot be created"
    for out_path, reason in ((f"{blocker}/sub/report.html", no_folder),
                             (str(tmp_path), "it is a folder"), ("/proc/x/y.html", no_folder)):
        code, out, err = run_cli(["report", *what, "--out", out_path, "--db", sqlite_url,
                                  "--lang", "en"], capsysbinary)
        lines = err.decode().splitlines()
        assert code == 1 and len(lines) == 1, err.decode()
        assert lines[0] == f"cannot write the report to {out_path}: {reason}"
        assert "Traceback" not in err.decode() and out == b""
    assert blocker.read_text() == "x" and not [p for p in tmp_path.iterdir() if ".tmp" in p.name]


def test_the_english_bulletin_title_keeps_a_space_after_the_office(db):
    """FINDINGS 42: "示范机关Study Bulletin"; and with no office name, no leading space."""
    from kiosk.i18n import set_language

    build_month(db)
    set_language("en")
    try:
        named = monthly_document(monthly(2026, 10, options(now=wall("2026-11-15 12:00"),
                                                           office_name="示范机关")), "md")
        bare = monthly_document(monthly(2026, 10, options(now=wall("2026-11-15 12:00"))), "md")
    finally:
        set_language("zh")
    assert "示范机关 Study Bulletin" in named.decode("utf-8")
    assert [line for line in bare.decode("utf-8").splitlines() if "Study Bulletin" in line] == [
        "## Study Bulletin"]
