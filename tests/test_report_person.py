"""A person's study record (SPEC §10, 学习档案): sessions expected or attended, leaves, credits
and targets, in json, md, html, xlsx and docx — the same figures as the annual report."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from docx import Document
from openpyxl import load_workbook

from db.credits import CreditRecord, record_credits
from db.models import Staff
from kiosk.config import Target
from kiosk.reports import ReportOptions, annual
from kiosk.reports.person import person_record
from kiosk.reports.person_render import person_document
from tests.cli_runner import kiosk
from tests.conftest import TZ, wall
from tests.test_reports import TITLES, build_month

TARGETS = (Target(name="学时", who="all", metric="hours", required=10),
           Target(name="文章", who="group:中心组", metric="articles", required=2))


AFTER = wall("2026-11-15 12:00")


def _options(now=AFTER) -> ReportOptions:
    return ReportOptions(tz=TZ, now=now, targets=TARGETS, office_name="市政府办公室")


@pytest.fixture
def year(any_db):
    ids = build_month(any_db)
    import datetime as dt

    title = "关于<营商环境>的调研 & 建议"
    record_credits([CreditRecord("A1001", "article", title, dt.date(2026, 6, 1), None),
                    CreditRecord("A1001", "self_study", "自学", dt.date(2026, 6, 2), 2.5),
                    CreditRecord("A1001", "article", "去年的文章", dt.date(2025, 6, 2), None)],
                   actor="admin", kiosk_id="admin")
    return ids


def test_record_matches_the_hand_computed_year_on_every_engine(year):
    record = person_record("A1001", 2026, _options())
    assert record["person"]["name"] == "张三" and record["person"]["groups"] == ["中心组"]
    # S1 on time (2 h), S2 present with early leave (3 h); N1 (1 h, November) signed in
    assert [(s["title"], s["status"], s["hours"]) for s in record["sessions"]] == [
        (TITLES["s1"], "present", 2.0), (TITLES["s2"], "present", 3.0), (TITLES["n1"], "present", 1.0)]
    assert record["credits"][0]["title"] == "关于<营商环境>的调研 & 建议" and len(record["credits"]) == 2
    summary = record["summary"]
    assert (summary["credit_hours"], summary["session_hours"], summary["credit_hours_outside"]) == (
        8.5, 6.0, 2.5)
    assert summary["articles"] == 1 and summary["expected"] == 3 and summary["absent"] == 0
    assert [(x["name"], x["achieved"], x["met"]) for x in record["targets"]] == [
        ("学时", 8.5, False), ("文章", 1, False)]
    # the same figures as the annual report's row for the person
    row = next(p for p in annual(2026, _options())["people"] if p["staff_id"] == "A1001")
    assert row["targets"] == record["targets"] and row["credit_hours"] == summary["credit_hours"]


def test_leaves_absences_and_visits(year):
    b2002 = person_record("B2002", 2026, _options())
    assert [(s["title"], s["status"], s["hours"]) for s in b2002["sessions"]] == [
        (TITLES["s1"], "absent", 0.0), (TITLES["s2"], "excused", 0.0), (TITLES["s3"], "absent", 0.0),
        (TITLES["n1"], "absent", 0.0)]
    assert [(x["title"], x["reason"]) for x in b2002["leaves"]] == [(TITLES["s2"], "会议")]
    a1002 = person_record("A1002", 2026, _options())
    visit = next(s for s in a1002["sessions"] if s["title"] == TITLES["s2"])
    assert (visit["status"], visit["hours"]) == ("visitor", 3.0)
    running = person_record("B2001", 2026, _options(now=wall("2026-10-31 23:30")))
    assert [s["status"] for s in running["sessions"]][-1] == "late"  # S3 running, signed in late
    assert person_record("NOBODY", 2026, _options()) is None


def test_every_format_carries_the_record_and_its_signature_lines(year):
    Staff.update(name="<script>张三</script>").where(Staff.key == "A1001").execute()
    record = person_record("A1001", 2026, _options())
    assert json.loads(person_document(record, "json"))["summary"]["credit_hours"] == 8.5
    md = person_document(record, "md").decode("utf-8")
    assert "部门负责人签字" in md and "本人签字" in md and "| 2026-06-02 |" in md
    html = person_document(record, "html").decode("utf-8")
    assert "<script>张三" not in html and "&lt;script&gt;张三" in html
    assert "部门负责人签字" in html and "<svg" in html and "8.5 / 10 学时" in html
    book = load_workbook(io.BytesIO(person_document(record, "xlsx")))
    assert book.sheetnames == ["基本情况", "年度目标", "集中学习记录", "请假记录",
                               "自学、调研文章、培训、考察等登记"]
    titles = [row[2].value for row in book["自学、调研文章、培训、考察等登记"].iter_rows(min_row=2)]
    assert titles == ["关于<营商环境>的调研 & 建议", "自学"]
    assert not [c for s in book for r in s.iter_rows() for c in r if c.data_type == "f"]
    document = Document(io.BytesIO(person_document(record, "docx")))
    text = "\n".join([p.text for p in document.paragraphs]
                     + [c.text for t in document.tables for r in t.rows for c in r.cells])
    assert "2026年度个人学习档案" in text and "<script>张三</script>" in text
    assert "部门负责人签字" in text and "关于<营商环境>的调研 & 建议" in text
    section = document.sections[0]
    assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28
    with zipfile.ZipFile(io.BytesIO(person_document(record, "docx"))) as archive:
        assert "&lt;script&gt;" in archive.read("word/document.xml").decode("utf-8")


def test_cli_person_report(db, sqlite_url, tmp_path, capsys):
    build_month(db)
    out = tmp_path / "a1001.docx"
    run = kiosk(capsys, "report", "person", "a1001", "--year", "2026", "--out", out, "--db", sqlite_url)
    assert run.code == 0, run.err and zipfile.is_zipfile(out)
    run = kiosk(capsys, "report", "person", "A1001", "--year", "2026", "--format", "json",
                "--db", sqlite_url)
    assert run.json()["person"]["staff_id"] == "A1001"
    refused = kiosk(capsys, "report", "person", "NOBODY", "--year", "2026", "--db", sqlite_url)
    assert refused.code == 1 and "NOBODY" in refused.err and len(refused.err.strip().splitlines()) == 1
    bad = kiosk(capsys, "report", "person", "A1001", "--year", "20x6", "--db", sqlite_url)
    assert bad.code == 1
    assert kiosk(capsys, "report", "person", "A1001", "--year", "2026", "--format", "csv",
                 "--db", sqlite_url).code == 2


def test_annual_html_charts_show_people_and_headers_keep_whole(db):
    build_month(db)
    from kiosk.reports import annual_document

    html = annual_document(annual(2026, _options()), "html").decode("utf-8")
    # a chart of each person's progress (the furthest behind first), not only a share per target
    assert "进度最低的6人(共6人)" in html and "0 / 10 学时" in html
    assert "word-break: keep-all" in html and 'class="wide"' in html


PROBE = """<script>
document.body.setAttribute("data-probe", JSON.stringify([...document.querySelectorAll("th")].map(th => {
  const range = document.createRange(); range.selectNodeContents(th);
  return [th.textContent, range.getClientRects().length];
})));
</script></body>"""


@pytest.mark.skipif(not any(map(__import__("shutil").which, ("chromium", "chromium-browser"))),
                    reason="Chromium not installed")
def test_table_headers_stay_whole_in_chromium_at_1200_px(db, tmp_path):
    """Laid out by a real browser 1,200 px wide, no report table header wraps onto a third line
    (they used to stand one character per line in the monthly people table)."""
    import html as html_lib
    import re
    import shutil
    import subprocess

    from kiosk.reports import annual_document, monthly, monthly_document

    build_month(db)
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    pages = {"monthly": monthly_document(monthly(2026, 10, _options()), "html"),
             "annual": annual_document(annual(2026, _options()), "html"),
             "person": person_document(person_record("A1001", 2026, _options()), "html")}
    for name, page in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_text(page.decode("utf-8").replace("</body>", PROBE), encoding="utf-8")
        done = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                               f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1200,900",
                               "--dump-dom", path.as_uri()], capture_output=True, text=True,
                              timeout=120)
        found = re.search(r'data-probe="([^"]*)"', done.stdout)
        assert found, (name, done.stderr[-500:])
        headers = json.loads(html_lib.unescape(found.group(1)))
        assert len(headers) > 10
        wrapped = [(text, lines) for text, lines in headers if lines > 2]
        assert not wrapped, (name, wrapped)
