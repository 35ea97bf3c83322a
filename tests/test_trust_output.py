"""SPEC §7 on output: whatever is printed to a terminal or written to an export carries no control
character — also for data stored before the import checks existed — the Markdown report escapes
``<``, ``>``, ``&``, and XLSX cells hold the exact text. Real CLI, real SQLite file."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from db import database
from db.roster import StaffRecord, upsert_staff
from db.sessions import add_session
from tests.cli_runner import kiosk
from tests.conftest import wall

EVIL = "王\x1b]52;c;aGVsbG8=\x07五\x1b[2J\u202e"
HTML = "<img src=x onerror=alert(1)> & co"
FORMULA = "=1+1"


@pytest.fixture
def stored(tmp_path, capsys) -> str:
    """Names written straight into the database (as an older release or a DBA could)."""
    url = f"sqlite:///{tmp_path / 'office.db'}"
    assert kiosk(capsys, "init", "--db", url, "--no-keys").code == 0
    handle = database.bind(url)
    with handle.atomic():
        upsert_staff([StaffRecord("A1001", "A1001", EVIL, "办公\x9b1m室", "", ("党\x07员",)),
                      StaffRecord("A1002", "A1002", HTML, "办公室", "", ()),
                      StaffRecord("A1003", "A1003", FORMULA, "办公室", "", ())])
        add_session({"title": "学习\x1b[5m", "kind": "lecture", "start": wall("2026-11-10 09:00"),
                     "end": wall("2026-11-10 11:00"), "location": "三楼\r会议室"}, [("all", "")])
    handle.close()
    for staff_id in ("A1001", "A1002", "A1003"):
        run = kiosk(capsys, "signin", staff_id, "--at", "2026-11-10 08:55", "--db", url)
        assert run.code == 0, run.err
    kiosk(capsys, "signin", "x\x1b[2Jy", "--at", "2026-11-10 08:56", "--db", url)
    return url


def no_controls(text: str) -> bool:
    return not any(ch in text for ch in "\x1b\x07\x9b\u202e\r\x00")


def test_staff_list_escapes_what_it_prints_and_json_keeps_the_text(stored, capsys):
    run = kiosk(capsys, "staff", "list", "--db", stored)
    assert run.code == 0 and no_controls(run.out)
    assert "王\\x1b]52;c;aGVsbG8=\\x07五" in run.out  # shown, visibly, not obeyed
    run = kiosk(capsys, "staff", "list", "--json", "--db", stored)
    assert no_controls(run.out)
    people = {p["staff_id"]: p for p in run.json()}
    assert people["A1001"]["name"] == EVIL and people["A1001"]["groups"] == ["党\x07员"]


def test_exports_carry_no_control_characters(stored, tmp_path, capsys):
    for fmt in ("csv", "jsonl"):
        run = kiosk(capsys, "export", "log", "--format", fmt, "--out", "-", "--db", stored)
        assert run.code == 0 and no_controls(run.out.replace("\r\n", "\n")), fmt
    rows = list(csv.reader(io.StringIO(
        kiosk(capsys, "export", "log", "--format", "csv", "--out", "-", "--db", stored).out)))
    assert any("学习\\x1b[5m" in cell for row in rows for cell in row)
    jsonl = kiosk(capsys, "export", "log", "--format", "jsonl", "--out", "-", "--db", stored).out
    events = [json.loads(line) for line in jsonl.splitlines()]
    assert EVIL in {e["name"] for e in events}  # JSON escapes: the same text, nothing raw
    path = tmp_path / "log.xlsx"
    assert kiosk(capsys, "export", "log", "--format", "xlsx", "--out", path, "--db", stored).code == 0
    with zipfile.ZipFile(path) as book:
        assert no_controls("".join(book.read(n).decode("utf-8") for n in book.namelist()
                                   if n.endswith(".xml")))


@pytest.mark.parametrize("fmt", ["md", "html", "csv", "json"])
def test_reports_carry_no_control_characters(stored, capsys, fmt):
    run = kiosk(capsys, "report", "monthly", "--month", "2026-11", "--format", fmt, "--out", "-",
                "--db", stored)
    assert run.code == 0, run.err
    assert no_controls(run.out.replace("\r\n", "\n"))
    if fmt == "json":
        assert "办公\x9b1m室" in json.dumps(run.json(), ensure_ascii=False)  # escaped, same text


def test_markdown_report_escapes_html(stored, capsys):
    run = kiosk(capsys, "report", "monthly", "--month", "2026-11", "--format", "md", "--out", "-",
                "--db", stored)
    assert "<img" not in run.out and "&lt;img src=x onerror=alert(1)&gt; &amp; co" in run.out
    annual = kiosk(capsys, "report", "annual", "--year", "2026", "--format", "md", "--out", "-",
                   "--db", stored)
    assert annual.code == 0 and "<img" not in annual.out and "&lt;img" in annual.out


def test_xlsx_cells_hold_the_exact_text_never_a_formula(stored, tmp_path, capsys):
    for argv in (["export", "log", "--format", "xlsx"],
                 ["report", "monthly", "--month", "2026-11", "--format", "xlsx"]):
        path = tmp_path / "out.xlsx"
        assert kiosk(capsys, *argv, "--out", path, "--db", stored).code == 0
        cells = [c for sheet in load_workbook(path) for row in sheet.iter_rows() for c in row]
        assert all(c.data_type != "f" for c in cells)
        exact = [c for c in cells if c.value == FORMULA]
        assert exact and all(c.data_type == "s" and c.quotePrefix for c in exact)
        assert not any(isinstance(c.value, str) and c.value.startswith("'=") for c in cells)
        with zipfile.ZipFile(path) as book:
            assert not any(b"<f>" in book.read(n) for n in book.namelist())


@pytest.mark.parametrize("argv", [["person", "A1001", "--year", "2026"], ["monthly", "--month", "2026-11"]])
@pytest.mark.parametrize("fmt", ["md", "html", "json", "xlsx", "docx"])
def test_study_records_and_the_bulletin_carry_no_control_characters(stored, tmp_path, capsys,
                                                                    argv, fmt):
    if argv[0] == "monthly" and fmt != "docx":
        return  # (the other monthly formats: test_reports_carry_no_control_characters)
    path = tmp_path / f"out.{fmt}"
    run = kiosk(capsys, "report", *argv, "--format", fmt, "--out", path, "--db", stored)
    assert run.code == 0, run.err
    if fmt in ("xlsx", "docx"):
        with zipfile.ZipFile(path) as book:
            text = "".join(book.read(n).decode("utf-8") for n in book.namelist() if n.endswith(".xml"))
    else:
        text = path.read_text("utf-8")
    assert no_controls(text)
    if argv[0] == "person":
        assert "王" in text and "五" in text


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_a_binary_format_is_not_poured_onto_a_terminal(home, fmt):
    """FINDINGS 24: `--out -` of a zip at a terminal wrote raw bytes (escape sequences among
    them) to the screen; it is refused in one line. Piped, the same command writes the file."""
    from tests.kiosk_pty import KioskOnPty

    env = {"KIOSK_HOME": str(home), "KIOSK_LANG": "en"}
    kiosk_script = str(Path(sys.executable).parent / "kiosk")
    subprocess.run([kiosk_script, "init", "--no-keys"], env={**os.environ, **env},
                   capture_output=True, check=True, timeout=60)
    on_tty = KioskOnPty(["report", "monthly", "--month", "2026-11", "--format", fmt, "--out", "-"],
                        env)
    assert on_tty.finish() == 1
    assert "binary file and cannot be shown on a terminal" in on_tty.text
    assert b"PK\x03\x04" not in on_tty.output
    piped = subprocess.run([kiosk_script, "report", "monthly", "--month", "2026-11", "--format",
                            fmt, "--out", "-"], env={**os.environ, **env}, capture_output=True,
                           timeout=60)
    assert piped.returncode == 0 and piped.stdout[:4] == b"PK\x03\x04"
