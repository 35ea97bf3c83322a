"""SPEC §11 life cycle without deletion, through the real ``kiosk`` entry point.

Deactivate, edit, cancel, withdraw a leave, and the imports' ``--dry-run``: on a real SQLite
file, and the whole cycle once on PostgreSQL and MariaDB.
"""

from __future__ import annotations

import pytest

from tests.cli_runner import init_office, kiosk

ROSTER = ("工号,姓名,部门,分组,职务,在职\nA1001,张三,办公室,中心组;党员,主任,是\n"
          "A1002,李四,办公室,党员,科员,是\nB2001,王五,财务科,,科长,是\n"
          "B2002,赵六,财务科,中心组,科员,是\n")
PAST = "2026-11-02"  # a Monday in a finished month (the clock is real: reports hold past sessions)


def setup_office(tmp_path, capsys, url: str | None = None) -> str:
    return init_office(capsys, url or f"sqlite:///{tmp_path / 'office.db'}", tmp_path, ROSTER)


@pytest.fixture
def office(tmp_path, capsys) -> str:
    return setup_office(tmp_path, capsys)


def add(capsys, url, *, start=f"{PAST} 09:00", end=f"{PAST} 11:00", audience="all",
        title="机关学习日") -> int:
    run = kiosk(capsys, "session", "add", "--title", title, "--kind", "lecture", "--start", start,
                "--end", end, "--audience", audience, "--json", "--db", url)
    assert run.code == 0, run.err
    return run.json()["id"]


def sign_in(capsys, url, staff: str, at: str) -> dict:
    return kiosk(capsys, "signin", staff, "--at", at, "--json", "--db", url).json()


def month_session(capsys, url, sid: int, month: str = PAST[:7]) -> dict | None:
    report = kiosk(capsys, "report", "monthly", "--month", month, "--format", "json", "--out", "-",
                   "--db", url).json()
    return next((s for s in report["sessions"] if s["id"] == sid), None)


def events(capsys, url) -> list[dict]:
    run = kiosk(capsys, "export", "log", "--format", "jsonl", "--out", "-", "--db", url)
    assert run.code == 0, run.err
    return run.jsonl()


def test_deactivate_keeps_history_and_drops_future_expectations(office, capsys):
    past = add(capsys, office)
    assert sign_in(capsys, office, "A1002", f"{PAST} 08:55")["result"] == "present"
    future = add(capsys, office, start="2099-01-05 09:00", end="2099-01-05 10:00",
                 title="明年的学习")
    run = kiosk(capsys, "staff", "deactivate", "a1002", "--db", office)
    assert run.code == 0 and "A1002" in run.out and "李四" in run.out
    people = {p["staff_id"]: p for p in kiosk(capsys, "staff", "list", "--json", "--db", office).json()}
    assert people["A1002"]["active"] is False and people["A1002"]["name"] == "李四"
    assert month_session(capsys, office, past)["present"] == 1  # history stays
    rows = kiosk(capsys, "report", "monthly", "--month", "2099-01", "--format", "json", "--out",
                 "-", "--db", office).json()
    assert rows["sessions"] == []  # (not started yet): the register below tells who is expected
    from db import database
    from db.models import Attendance
    database.bind(office)
    assert not Attendance.select().where((Attendance.session == future)
                                         & (Attendance.staff == "A1002")).exists()
    again = kiosk(capsys, "staff", "deactivate", "A1002", "--db", office)
    assert again.code == 1 and "A1002" in again.err
    assert kiosk(capsys, "staff", "deactivate", "Z9", "--db", office).code == 1
    audit = [e for e in events(capsys, office) if e["result"] == "deactivated"]
    assert len(audit) == 1 and audit[0]["staff_id"] == "A1002"


def test_edited_audience_loses_no_sign_in(office, capsys):
    sid = add(capsys, office)
    assert sign_in(capsys, office, "A1001", f"{PAST} 08:50")["result"] == "present"
    assert sign_in(capsys, office, "B2001", f"{PAST} 09:20")["result"] == "late"
    before = month_session(capsys, office, sid)
    assert (before["expected"], before["present"], before["late"], before["absent"]) == (4, 1, 1, 2)
    run = kiosk(capsys, "session", "edit", str(sid), "--audience", "dept:财务科", "--json",
                "--db", office)
    assert run.code == 0, run.err
    assert run.json() == {"id": sid, "changed": ["audience"], "added": 0, "removed": 1,
                          "visitors": 1}
    after = month_session(capsys, office, sid)
    # 张三 signed in and stays, now as a visitor; 李四 is no longer expected; 财务科 follows
    assert (after["expected"], after["present"], after["late"], after["absent"],
            after["visitors"]) == (2, 0, 1, 1, 1)
    back = kiosk(capsys, "session", "edit", str(sid), "--audience", "all", "--db", office)
    assert back.code == 0 and "办公室" not in back.err
    restored = month_session(capsys, office, sid)
    assert (restored["expected"], restored["present"], restored["late"], restored["visitors"]) == (
        4, 1, 1, 0)
    audit = [e for e in events(capsys, office) if e["result"] == "session_edited"]
    assert len(audit) == 2


def test_edit_times_title_and_refusals(office, capsys):
    sid = add(capsys, office, start="2099-03-02 09:00", end="2099-03-02 11:00")
    run = kiosk(capsys, "session", "edit", str(sid), "--start", "2099-03-03 14:00", "--end",
                "2099-03-03 16:30", "--title", "改期的学习", "--location", "二楼", "--credit-hours",
                "2", "--db", office)
    assert run.code == 0, run.err
    assert "标题" in run.out and "开始时间" in run.out and "list_sep" not in run.out
    assert "开始时间、结束时间" in run.out  # FINDINGS 23: the fields joined, not by a raw key
    row = kiosk(capsys, "session", "list", "--date", "2099-03-03", "--json", "--db", office).json()[0]
    assert (row["id"], row["title"], row["start"], row["end"], row["location"],
            row["credit_hours"]) == (sid, "改期的学习", "2099-03-03T14:00:00+08:00",
                                     "2099-03-03T16:30:00+08:00", "二楼", 2.0)
    bad_end = kiosk(capsys, "session", "edit", str(sid), "--end", "2099-03-03 13:00", "--db", office)
    assert bad_end.code == 1 and len(bad_end.err.strip().splitlines()) == 1
    assert kiosk(capsys, "session", "edit", str(sid), "--audience", "dept:没有", "--db",
                 office).code == 1
    assert kiosk(capsys, "session", "edit", str(sid), "--db", office).code == 2
    same = kiosk(capsys, "session", "edit", str(sid), "--location", "二楼", "--db", office)
    assert same.code == 1 and same.err.strip()
    assert kiosk(capsys, "session", "edit", "999", "--title", "x", "--db", office).code == 1
    unchanged = kiosk(capsys, "session", "list", "--date", "2099-03-03", "--json", "--db", office)
    assert unchanged.json()[0]["end"] == "2099-03-03T16:30:00+08:00"


def test_cancelled_session_refuses_sign_ins_and_leaves_every_report(office, capsys):
    kept = add(capsys, office, title="照常举行")
    sid = add(capsys, office, start=f"{PAST} 14:00", end=f"{PAST} 16:00", title="取消的学习")
    assert kiosk(capsys, "session", "cancel", str(sid), "--reason", "  ", "--db", office).code == 1
    run = kiosk(capsys, "session", "cancel", str(sid), "--reason", "会议冲突,改期", "--db", office)
    assert run.code == 0 and "会议冲突" in run.out
    refused = kiosk(capsys, "signin", "A1001", "--at", f"{PAST} 14:01", "--json", "--db", office)
    assert refused.code == 1 and refused.json()["reason"] == "no_open_session"
    forced = kiosk(capsys, "signin", "A1001", "--session", str(sid), "--at", f"{PAST} 14:01",
                   "--json", "--db", office)
    assert forced.code == 1 and forced.json()["result"] == "rejected"
    assert month_session(capsys, office, sid) is None
    assert month_session(capsys, office, kept) is not None
    report = kiosk(capsys, "report", "monthly", "--month", PAST[:7], "--format", "json", "--out",
                   "-", "--db", office).json()
    assert report["totals"]["expected"] == 4  # the kept session's four, nothing of the cancelled
    listed = kiosk(capsys, "session", "list", "--json", "--db", office).json()
    cancelled = next(r for r in listed if r["id"] == sid)
    assert cancelled["cancelled"] is True and cancelled["cancel_reason"] == "会议冲突,改期"
    text = kiosk(capsys, "session", "list", "--db", office).out
    assert "已取消" in text and "取消的学习" in text
    assert kiosk(capsys, "session", "cancel", str(sid), "--reason", "again", "--db", office).code == 1
    assert kiosk(capsys, "session", "edit", str(sid), "--title", "x", "--db", office).code == 1
    audit = [e for e in events(capsys, office) if e["result"] == "session_cancel"]
    assert len(audit) == 1


def test_leave_cancel_makes_the_person_expected_again(office, capsys):
    sid = add(capsys, office)
    assert kiosk(capsys, "leave", "add", "B2001", "--session", str(sid), "--reason", "出差",
                 "--db", office).code == 0
    assert month_session(capsys, office, sid)["excused"] == 1
    run = kiosk(capsys, "leave", "cancel", "b2001", "--session", str(sid), "--db", office)
    assert run.code == 0 and "王五" in run.out
    after = month_session(capsys, office, sid)
    assert (after["excused"], after["absent"]) == (0, 4)
    assert kiosk(capsys, "leave", "cancel", "B2001", "--session", str(sid), "--db", office).code == 1
    assert kiosk(capsys, "leave", "cancel", "B2001", "--session", "999", "--db", office).code == 1
    # recorded again after the withdrawal: counted again
    assert kiosk(capsys, "leave", "add", "B2001", "--session", str(sid), "--reason", "病假",
                 "--db", office).code == 0
    assert month_session(capsys, office, sid)["excused"] == 1
    results = [e["result"] for e in events(capsys, office)]
    assert results.count("leave") == 2 and results.count("leave_withdrawn") == 1


def test_staff_import_dry_run_prints_every_change_and_problem_writes_nothing(office, tmp_path,
                                                                              capsys):
    path = tmp_path / "next.csv"
    path.write_text("工号,姓名,部门\nA1001,张三,办公室\nA1002,李思,办公室\nC3001,钱七,人事科\n"
                    "C3002,,人事科\n", encoding="utf-8")
    before = kiosk(capsys, "staff", "list", "--json", "--db", office).json()
    run = kiosk(capsys, "staff", "import", path, "--dry-run", "--db", office)
    assert run.code == 1  # the real import would be refused (line 5 has no name)
    lines = run.out.splitlines()
    assert any("第 3 行" in line and "李四 → 李思" in line for line in lines)
    assert any("第 4 行" in line and "新增" in line and "C3001" in line for line in lines)
    assert any("第 5 行" in line and "姓名" in line for line in lines)
    assert not any("第 2 行" in line for line in lines)  # unchanged rows are only counted
    assert kiosk(capsys, "staff", "list", "--json", "--db", office).json() == before
    path.write_text("工号,姓名,部门\nA1002,李思,办公室\nC3001,钱七,人事科\n", encoding="utf-8")
    ok = kiosk(capsys, "staff", "import", path, "--dry-run", "--json", "--db", office)
    assert ok.code == 0
    data = ok.json()
    assert (data["added"], data["updated"], data["ok"]) == (1, 1, True)
    assert data["changes"][0] == {"line": 2, "action": "updated", "key": "A1002", "label": "李思",
                                  "fields": {"name": ["李四", "李思"]}}
    assert kiosk(capsys, "staff", "list", "--json", "--db", office).json() == before


def test_session_import_dry_run(office, tmp_path, capsys):
    add(capsys, office, start="2099-04-01 09:00", end="2099-04-01 11:00", title="四月学习")
    path = tmp_path / "plan.csv"
    path.write_text("标题,类型,开始,结束,地点\n四月学习,lecture,2099-04-01 09:00,2099-04-01 12:00,礼堂\n"
                    "五月学习,讲座,2099-05-06 09:00,2099-05-06 11:00,\n"
                    "坏行,lecture,2099-05-07 09:00,2099-05-07 08:00,\n", encoding="utf-8")
    run = kiosk(capsys, "session", "import", path, "--dry-run", "--db", office, "--lang", "en")
    assert run.code == 1
    assert "line 2" in run.out and "end 2099-04-01 11:00 → 2099-04-01 12:00" in run.out
    assert "line 4  problem" in run.out
    assert "nothing was written" in run.out
    listed = kiosk(capsys, "session", "list", "--json", "--db", office).json()
    assert [r["title"] for r in listed] == ["四月学习"] and listed[0]["end"].startswith(
        "2099-04-01T11:00")


def test_staff_add_and_edit_are_audited(office, capsys):
    run = kiosk(capsys, "staff", "add", "D4001", "--name", "孙八", "--department", "信息科",
                "--groups", "党员", "--db", office)
    assert run.code == 0 and "孙八" in run.out
    assert kiosk(capsys, "staff", "add", "d4001", "--name", "x", "--department", "y",
                 "--db", office).code == 1
    assert kiosk(capsys, "staff", "edit", "D4001", "--title", "科员", "--db", office).code == 0
    assert kiosk(capsys, "staff", "edit", "D4001", "--title", "科员", "--db", office).code == 1
    bad = kiosk(capsys, "staff", "add", "D4002", "--name", "王\x1b[31m", "--department", "信息科",
                "--db", office)
    assert bad.code == 1 and bad.err.strip()
    person = next(p for p in kiosk(capsys, "staff", "list", "--json", "--db", office).json()
                  if p["staff_id"] == "D4001")
    assert (person["department"], person["groups"], person["title"]) == ("信息科", ["党员"], "科员")
    results = [e["result"] for e in events(capsys, office)]
    assert results.count("staff_added") == 1 and results.count("staff_updated") == 1


@pytest.mark.parametrize("engine", ["postgresql", "mysql"])
def test_whole_life_cycle_on_a_server(engine, request, tmp_path, capsys):
    url = request.getfixturevalue("pg_url" if engine == "postgresql" else "mysql_url")
    url = setup_office(tmp_path, capsys, url)
    sid = add(capsys, url)
    other = add(capsys, url, start=f"{PAST} 14:00", end=f"{PAST} 15:00", title="下午")
    assert sign_in(capsys, url, "A1001", f"{PAST} 08:50")["result"] == "present"
    assert kiosk(capsys, "leave", "add", "B2001", "--session", str(sid), "--reason", "出差",
                 "--db", url).code == 0
    assert kiosk(capsys, "leave", "cancel", "B2001", "--session", str(sid), "--db", url).code == 0
    assert kiosk(capsys, "session", "edit", str(sid), "--audience", "dept:财务科", "--db",
                 url).code == 0
    assert kiosk(capsys, "session", "cancel", str(other), "--reason", "停电", "--db", url).code == 0
    assert kiosk(capsys, "staff", "deactivate", "B2002", "--db", url).code == 0
    stats = month_session(capsys, url, sid)
    assert (stats["expected"], stats["visitors"], stats["excused"]) == (2, 1, 0)
    assert month_session(capsys, url, other) is None
    results = {e["result"] for e in events(capsys, url)}
    assert {"leave_withdrawn", "session_edited", "session_cancel", "deactivated"} <= results


def test_a_withdrawn_leave_is_in_no_person_record(office, capsys):
    sid = add(capsys, office)
    assert kiosk(capsys, "leave", "add", "B2001", "--session", str(sid), "--reason", "出差",
                 "--db", office).code == 0
    record = kiosk(capsys, "report", "person", "B2001", "--year", PAST[:4], "--format", "json",
                   "--out", "-", "--db", office)
    assert record.code == 0 and len(record.json()["leaves"]) == 1
    assert kiosk(capsys, "leave", "cancel", "B2001", "--session", str(sid), "--db", office).code == 0
    again = kiosk(capsys, "report", "person", "B2001", "--year", PAST[:4], "--format", "json",
                  "--out", "-", "--db", office).json()
    assert again["leaves"] == []
