"""第N期 stays what it was once issued (FINDINGS #22b), the office's own count continues
(``[office] bulletin_first_issue``), and a bulletin without an issuing office prints no bare "编"
(#22a) — through ``kiosk report monthly`` on a real home, read back from the files it writes.

The months used are in 2025: over by the real clock the CLI reads, so each report is of a
finished month (the moment its number is issued).
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document

from db import bulletin_issues, database
from kiosk.reports.issues import assign
from tests.cli_runner import kiosk
from tests.test_centre_roles import door_role  # noqa: F401 — a login role with no rights yet
from tests.test_sync import centre  # noqa: F401 — a centre with the test office on DAY

KIOSK = str(Path(sys.executable).with_name("kiosk"))


# -- the rule alone ----------------------------------------------------------------------------

def test_nothing_issued_counts_months_with_a_session():
    assert assign(["2025-03", "2025-06", "2025-11"], {}, 1) == {
        "2025-03": 1, "2025-06": 2, "2025-11": 3}
    assert assign(["2025-03", "2025-06"], {}, 48) == {"2025-03": 48, "2025-06": 49}


def test_a_month_that_gains_its_first_session_late_takes_the_next_free_number():
    issued = {"2025-03": 1, "2025-11": 2}
    # October gained a session after November went out as 第2期: October is 第3期, never a
    # second 第2期; December, not issued yet, comes after it
    assert assign(["2025-03", "2025-10", "2025-11", "2025-12"], issued, 1) == {
        "2025-10": 3, "2025-12": 4}
    assert assign(["2025-03", "2025-11"], issued, 1) == {}  # all issued: nothing new


# -- through the command line ------------------------------------------------------------------

def _home(capsys, home: Path, config: str = "") -> None:
    if config:
        home.mkdir(parents=True, exist_ok=True)
        (home / "config.toml").write_text(config, encoding="utf-8")
    assert kiosk(capsys, "init", "--no-keys").code == 0
    roster = home.parent / "roster.csv"
    roster.write_text("工号,姓名,部门\nA1001,张三,办公室\nA1002,李四,财务科\n", encoding="utf-8")
    assert kiosk(capsys, "staff", "import", roster).code == 0


def _session(capsys, day: str) -> None:
    run = kiosk(capsys, "session", "add", "--title", f"学习 {day}", "--kind", "lecture",
                "--start", f"{day} 09:00", "--end", f"{day} 11:00")
    assert run.code == 0, run.err


def _monthly(capsys, month: str) -> dict:
    run = kiosk(capsys, "report", "monthly", "--month", month, "--format", "json", "--out", "-")
    assert run.code == 0, run.err
    return run.json()


def _stored(home: Path, scheme: str = "yearly") -> dict[str, int]:
    handle = database.bind(f"sqlite:///{home / 'kiosk.db'}")
    try:
        return bulletin_issues.issued(scheme)
    finally:
        handle.close()


def test_an_issued_number_never_changes_when_an_earlier_month_gains_a_session(home, capsys):
    _home(capsys, home)
    _session(capsys, "2025-03-05")
    _session(capsys, "2025-11-12")
    november = _monthly(capsys, "2025-11")
    assert (november["issue"], november["issue_scheme"], november["issue_fixed"]) == (
        2, "yearly", False)  # the report just written issues it …
    assert _stored(home) == {"2025-03": 1, "2025-11": 2}  # … and every earlier bulletin
    assert _monthly(capsys, "2025-11")["issue_fixed"] is True
    _session(capsys, "2025-10-10")  # a session entered late for October
    _session(capsys, "2025-12-03")
    november = _monthly(capsys, "2025-11")
    assert november["issue"] == 2 and "2025年第2期" in november["bulletin"]
    october = _monthly(capsys, "2025-10")
    assert october["issue"] == 3 and "2025年第3期" in october["bulletin"]  # the next free number
    assert _monthly(capsys, "2025-12")["issue"] == 4
    assert _monthly(capsys, "2025-03")["issue"] == 1
    assert _stored(home) == {"2025-03": 1, "2025-10": 3, "2025-11": 2, "2025-12": 4}
    numbers = [_monthly(capsys, m)["issue"] for m in ("2025-03", "2025-10", "2025-11", "2025-12")]
    assert sorted(numbers) == [1, 2, 3, 4]  # no number printed for two months


def test_the_office_count_continues_from_bulletin_first_issue(home, capsys, tmp_path):
    _home(capsys, home, '[office]\nname = "市政府办公室"\nbulletin_first_issue = 48\n')
    _session(capsys, "2024-12-04")
    _session(capsys, "2025-01-08")
    _session(capsys, "2025-02-11")
    assert _monthly(capsys, "2024-12")["issue"] == 48
    january = _monthly(capsys, "2025-01")  # running across the new year, not back to 1
    assert (january["issue"], january["issue_scheme"]) == (49, "running")
    assert "第49期" in january["bulletin"] and "2025年第49期" not in january["bulletin"]
    out = tmp_path / "feb.docx"
    assert kiosk(capsys, "report", "monthly", "--month", "2025-02", "--out", out).code == 0
    text = "\n".join(p.text for p in Document(io.BytesIO(out.read_bytes())).paragraphs)
    assert "第50期" in text and "市政府办公室编" in text
    assert _stored(home, "running") == {"2024-12": 48, "2025-01": 49, "2025-02": 50}
    assert _stored(home, "yearly") == {}


def test_a_month_in_progress_is_not_issued_until_it_is_over(any_db):
    from db.sessions import add_session
    from kiosk.reports import monthly
    from kiosk.reports.issues import record
    from tests.conftest import wall
    from tests.test_reports import options

    with any_db.atomic():
        for day in ("2026-09-08", "2026-11-03"):
            add_session({"title": day, "kind": "lecture", "start": wall(f"{day} 09:00"),
                         "end": wall(f"{day} 10:00")}, [("all", "")])
    running = options(now=wall("2026-11-20 12:00"))
    report = monthly(2026, 11, running, detail=False)
    assert report["issue"] == 2 and not report["complete"]
    assert record(report, running.tz, running.now, None) is False
    assert bulletin_issues.issued("yearly") == {}  # "截至11月20日" is no issue yet
    over = options(now=wall("2026-12-01 09:00"))
    report = monthly(2026, 11, over, detail=False)
    assert record(report, over.tz, over.now, None) is True
    assert bulletin_issues.issued("yearly") == {"2026-09": 1, "2026-11": 2}
    assert monthly(2026, 11, over, detail=False)["issue_fixed"] is True
    assert record(report, over.tz, over.now, None) is True  # again: no row rewritten or doubled
    assert bulletin_issues.issued("yearly") == {"2026-09": 1, "2026-11": 2}


def test_a_bad_first_issue_is_refused_in_one_line(home, capsys):
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text("[office]\nbulletin_first_issue = 0\n", encoding="utf-8")
    run = kiosk(capsys, "report", "monthly", "--month", "2025-01", "--out", "-", "--lang", "zh")
    assert run.code == 1 and run.err.count("\n") == 1, run.err
    assert "office.bulletin_first_issue 须为 1 到 1000000 之间的整数" in run.err
    for value in ('"48"', "4.8", "true"):
        (home / "config.toml").write_text(f"[office]\nbulletin_first_issue = {value}\n")
        run = kiosk(capsys, "report", "monthly", "--month", "2025-01", "--lang", "en")
        assert run.code == 1 and "whole number" in run.err and "Traceback" not in run.err


# -- #22a: no issuing office configured --------------------------------------------------------

def test_without_an_office_name_the_bulletin_has_no_bare_issuer(home, capsys, tmp_path):
    _home(capsys, home)
    _session(capsys, "2025-10-14")
    out = tmp_path / "oct.docx"
    run = kiosk(capsys, "report", "monthly", "--month", "2025-10", "--out", out, "--lang", "zh")
    assert run.code == 0
    assert "[office]" in run.err and "name" in run.err  # where to set it, on stderr
    document = Document(io.BytesIO(out.read_bytes()))
    lines = [p.text.strip("\u3000 \t") for p in document.paragraphs]
    assert lines[0] == "学习情况通报" and "2025年第1期" in lines
    assert not any(line == "编" or line.startswith("编\t") or line.startswith("编 ")
                   for line in lines)
    assert not any("编" in p.text for p in document.paragraphs), lines
    masthead_line = next(p.text for p in document.paragraphs if "年" in p.text and "\t" in p.text)
    assert masthead_line.split("\t")[0].strip("\u3000") == ""  # the date alone, flush right
    for fmt in ("md", "html"):
        text = kiosk(capsys, "report", "monthly", "--month", "2025-10", "--format", fmt,
                     "--out", "-").out
        assert "学习情况通报" in text and "2025年第1期" in text
        assert not re.search(r"(^|[\s>])编([\s<]|$)", text), fmt  # ("场次编号" is a column)


def test_the_issuer_alone_signs_and_prints_the_bulletin(home, capsys, tmp_path):
    _home(capsys, home, '[office]\nbulletin_issuer = "机关党委办公室"\n')
    _session(capsys, "2025-10-14")
    out = tmp_path / "oct.docx"
    run = kiosk(capsys, "report", "monthly", "--month", "2025-10", "--out", out)
    assert run.code == 0 and run.err == ""
    texts = [p.text for p in Document(io.BytesIO(out.read_bytes())).paragraphs]
    assert any(t.lstrip("\u3000").startswith("机关党委办公室编") for t in texts)
    assert "机关党委办公室" in [t.strip("\u3000 ") for t in texts]  # the signature (落款)


def test_doctor_points_at_the_office_name(home, capsys):
    _home(capsys, home)
    run = kiosk(capsys, "doctor", "--json", "--lang", "en")
    hints = run.json()["hints"]
    assert len(hints) == 1 and "[office]" in hints[0] and "bulletin_issuer" in hints[0]
    text = kiosk(capsys, "doctor", "--lang", "en")
    assert "[office]" in text.err and "[office]" not in text.out  # advice, not a check line
    (home / "config.toml").write_text('[office]\nname = "市政府办公室"\n', encoding="utf-8")
    assert kiosk(capsys, "doctor", "--json").json()["hints"] == []


# -- a read-only home: numbered, nothing stored --------------------------------------------------

def test_a_read_only_home_reports_the_number_without_storing_it(home, capsys, tmp_path):
    _home(capsys, home)
    _session(capsys, "2025-04-09")
    _session(capsys, "2025-05-13")
    script = [f"mount --bind '{home}' '{home}'", f"mount -o remount,bind,ro '{home}'",
              f"'{KIOSK}' report monthly --month 2025-05 --format json --out - 2>'{tmp_path}/err'"]
    env = {**os.environ, "KIOSK_HOME": str(home), "KIOSK_LANG": "en"}
    done = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c",
                           "\n".join(script)], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["issue"] == 2
    assert (tmp_path / "err").read_text() == ""
    assert _stored(home) == {}  # computed, not remembered
    assert _monthly(capsys, "2025-05")["issue"] == 2  # writable again: now issued
    assert _stored(home) == {"2025-04": 1, "2025-05": 2}


def test_the_console_report_issues_the_month_too(home, capsys, tmp_path):
    """The admin console's 报表 writes through kiosk.admin_output.report_files: a finished month
    written there is issued as by ``kiosk report``, in the office's running count."""
    from kiosk import config
    from kiosk.admin_output import report_files

    _home(capsys, home, "[office]\nbulletin_first_issue = 48\n")
    _session(capsys, "2025-07-08")
    _session(capsys, "2025-08-12")
    settings = config.load()
    handle = database.bind(settings.db_url)
    try:
        written = report_files("2025-08", ["docx", "json"], settings, tmp_path / "usb")
        assert sorted(p.name for p in written) == ["monthly-2025-08.docx", "monthly-2025-08.json"]
        assert json.loads((tmp_path / "usb" / "monthly-2025-08.json").read_bytes())["issue"] == 49
        assert bulletin_issues.issued("running") == {"2025-07": 48, "2025-08": 49}
    finally:
        handle.close()


@pytest.fixture(params=["postgresql", "mysql"])
def server_url(request):
    return request.getfixturevalue("pg_url" if request.param == "postgresql" else "mysql_url")


def test_adopt_takes_the_issued_numbers_to_the_centre(home, capsys, server_url):
    """An office that issued its bulletins on its own and moves to a centre (``kiosk sync
    --adopt``) goes on numbering from them there: a late session does not renumber them."""
    _home(capsys, home)
    _session(capsys, "2025-03-05")
    _session(capsys, "2025-11-12")
    assert _monthly(capsys, "2025-11")["issue"] == 2
    assert kiosk(capsys, "init", "--db", server_url, "--no-keys").code == 0
    run = kiosk(capsys, "sync", "--adopt", "--central", server_url)
    assert run.code == 0, run.err
    run = kiosk(capsys, "session", "add", "--title", "补录", "--kind", "lecture", "--start",
                "2025-10-10 09:00", "--end", "2025-10-10 11:00", "--db", server_url)
    assert run.code == 0, run.err
    at_centre = ["report", "monthly", "--format", "json", "--out", "-", "--db", server_url]
    november = kiosk(capsys, *at_centre, "--month", "2025-11").json()
    assert (november["issue"], november["issue_fixed"]) == (2, True)
    assert kiosk(capsys, *at_centre, "--month", "2025-10").json()["issue"] == 3


def test_a_host_credential_at_the_centre_reports_without_storing(centre, door_role, tmp_path):  # noqa: F811
    """The host role may read settings but not write them (SPEC §13): its report of a finished
    month is numbered as the admin's would be and stores nothing; the owner's report issues it."""
    from tests.test_sync import DAY
    from tests.test_sync import kiosk as run_kiosk

    role, url = door_role
    run_kiosk(tmp_path / "admin", "centre", "grant-host", role, "--db", centre.url)
    month = DAY[:7]
    argv = ["report", "monthly", "--month", month, "--format", "json", "--out", "-"]
    host = run_kiosk(tmp_path / "admin", *argv, "--db", url)
    assert json.loads(host.stdout)["issue"] == 1 and host.stderr == ""
    handle = database.bind(centre.url)
    try:
        assert bulletin_issues.issued("yearly") == {}
        run_kiosk(tmp_path / "admin", *argv, "--db", centre.url)
        assert bulletin_issues.issued("yearly") == {month: 1}
    finally:
        handle.close()
    assert json.loads(run_kiosk(tmp_path / "admin", *argv, "--db", url).stdout)["issue_fixed"]
