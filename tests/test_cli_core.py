"""SPEC §4 contracts of the core commands, through the real entry point on real databases."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import Workbook, load_workbook

from tests.cli_runner import init_office, kiosk

ROSTER_ZH = ("工号,姓名,部门,分组,职务,在职\nA1001,张三,办公室,中心组;党员,主任,是\n"
             "A1002,李四,办公室,党员,科员,是\n"
             "B2001,王五,财务科,,科长,是\nB2002,欧阳娜娜,财务科,中心组；后备干部,科员,否\n")


@pytest.fixture
def office(tmp_path, capsys):
    return init_office(capsys, f"sqlite:///{tmp_path / 'office.db'}", tmp_path, ROSTER_ZH)


def add_session(capsys, url, **kw) -> int:
    args = ["session", "add", "--title", kw.pop("title", "机关学习日"), "--kind", kw.pop("kind", "lecture"),
            "--start", kw.pop("start", "2026-11-28 09:00"), "--end", kw.pop("end", "2026-11-28 11:00"),
            "--json", "--db", url]
    for key, value in kw.items():
        args += [f"--{key.replace('_', '-')}", value]
    run = kiosk(capsys, *args)
    assert run.code == 0, run.err
    return run.json()["id"]


def test_init_is_idempotent_on_every_engine(any_url, capsys):
    first = kiosk(capsys, "init", "--db", any_url, "--no-keys")
    assert first.code == 0, first.err
    second = kiosk(capsys, "init", "--db", any_url, "--no-keys")
    assert second.code == 0 and "0001" not in second.out
    assert "@" not in first.out  # credentials never printed


def test_staff_list_json_contract(office, capsys):
    run = kiosk(capsys, "staff", "list", "--json", "--db", office)
    people = run.json()
    assert [p["staff_id"] for p in people] == ["A1001", "A1002", "B2001", "B2002"]
    assert set(people[0]) >= {"staff_id", "name", "department", "groups", "title", "active"}
    assert people[0]["groups"] == ["中心组", "党员"] and people[3]["active"] is False
    assert sorted(people[3]["groups"]) == ["中心组", "后备干部"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_import_encodings_and_counts(tmp_path, capsys, encoding):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    kiosk(capsys, "init", "--db", url, "--no-keys")
    path = tmp_path / "r.csv"
    path.write_bytes(ROSTER_ZH.encode(encoding))
    run = kiosk(capsys, "staff", "import", path, "--db", url)
    assert run.code == 0 and "4" in run.out
    again = kiosk(capsys, "staff", "import", path, "--db", url, "--json")
    assert again.json() == {"added": 0, "updated": 0, "unchanged": 4}
    path.write_bytes(ROSTER_ZH.replace("李四", "李思").encode(encoding))
    assert kiosk(capsys, "staff", "import", path, "--db", url, "--json").json() == {
        "added": 0, "updated": 1, "unchanged": 3}
    names = {p["name"] for p in kiosk(capsys, "staff", "list", "--json", "--db", url).json()}
    assert "李思" in names and "欧阳娜娜" in names


def test_import_xlsx_with_english_headers(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    kiosk(capsys, "init", "--db", url, "--no-keys")
    book = Workbook()
    sheet = book.active
    sheet.append(["Staff_ID", "Name", "Department", "Groups", "Title", "Active"])
    sheet.append([1001, "张三", "办公室", "中心组", "主任", True])
    sheet.append(["b7", "Wang Wu", "Finance", "", "", 0])
    book.save(tmp_path / "r.xlsx")
    run = kiosk(capsys, "staff", "import", tmp_path / "r.xlsx", "--db", url, "--json")
    assert run.json()["added"] == 2
    people = kiosk(capsys, "staff", "list", "--json", "--db", url).json()
    assert {(p["staff_id"], p["active"]) for p in people} == {("1001", True), ("b7", False)}


@pytest.mark.parametrize("content,needle", [
    ("工号,姓名\nA1,张三\n", "部门"),                                   # missing column
    ("工号,姓名,部门\nA1,张三,办公室\na1,李四,办公室\n", "3"),           # duplicate (case-insensitive)
    ("工号,姓名,部门\nA1,,办公室\n", "2"),                              # empty name
    ("工号,姓名,部门\nA1,张三,办公室\nA2," + "长" * 5_000_000 + ",办公室\n", "3"),  # 10 MB line
])
def test_bad_roster_is_refused_whole(office, tmp_path, capsys, content, needle):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    run = kiosk(capsys, "staff", "import", path, "--db", office)
    assert run.code == 1 and needle in run.err and "Traceback" not in run.err
    assert len(kiosk(capsys, "staff", "list", "--json", "--db", office).json()) == 4


def test_undecodable_file_is_refused(office, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\xff\xfe\x00\x81\x00garbage\xff\xff\n")
    run = kiosk(capsys, "staff", "import", path, "--db", office, "--lang", "en")
    assert run.code == 1 and "encoding" in run.err


def test_session_add_and_list_json(office, capsys):
    sid = add_session(capsys, office, audience="dept:办公室,group:中心组", location="三楼",
                      credit_hours="1.5")
    rows = kiosk(capsys, "session", "list", "--date", "2026-11-28", "--json", "--db", office).json()
    assert rows[0]["id"] == sid and rows[0]["kind"] == "lecture"
    assert rows[0]["start"] == "2026-11-28T09:00:00+08:00" and rows[0]["end"].endswith("+08:00")
    assert rows[0]["location"] == "三楼" and rows[0]["title"] == "机关学习日"
    assert kiosk(capsys, "session", "list", "--date", "2026-11-29", "--json", "--db", office).json() == []


@pytest.mark.parametrize("override,code", [
    ({"end": "2026-11-28 08:00"}, 1),
    ({"start": "28/11/2026 9am"}, 1),
    ({"kind": "party"}, 1),
    ({"audience": "dept:不存在"}, 1),
    ({"audience": "floor:3"}, 1),
    ({"credit_hours": "-1"}, 1),
])
def test_session_add_refusals(office, capsys, override, code):
    args = {"title": "T", "kind": "lecture", "start": "2026-11-28 09:00", "end": "2026-11-28 10:00"}
    args.update(override)
    argv = ["session", "add", "--db", office]
    for key, value in args.items():
        argv += [f"--{key.replace('_', '-')}", value]
    run = kiosk(capsys, *argv)
    assert run.code == code and run.err.strip() and "Traceback" not in run.err
    assert len(run.err.strip().splitlines()) == 1


def test_usage_errors_exit_2(office, capsys):
    assert kiosk(capsys, "session", "add", "--title", "x", "--db", office).code == 2
    assert kiosk(capsys, "nonsense").code == 2
    assert kiosk(capsys, "signin", "--db", office).code == 2


def test_signin_json_contract_and_exit_codes(office, capsys):
    sid = add_session(capsys, office)
    run = kiosk(capsys, "signin", " a1001\r\n", "--at", "2026-11-28 08:51", "--json", "--db", office)
    assert run.code == 0
    got = run.json()
    assert {k: got[k] for k in ("result", "staff_id", "name", "session_id", "at")} == {
        "result": "present", "staff_id": "A1001", "name": "张三", "session_id": sid,
        "at": "2026-11-28T08:51:00+08:00"}
    assert "reason" in got
    again = kiosk(capsys, "signin", "A1001", "--at", "2026-11-28 09:20", "--json", "--db", office)
    assert again.code == 0 and again.json()["result"] == "already"
    bad = kiosk(capsys, "signin", "ZZZ", "--at", "2026-11-28 09:20", "--json", "--db", office)
    assert bad.code == 1 and bad.json()["result"] == "rejected" and bad.json()["reason"] == "unknown_staff"
    out = kiosk(capsys, "signin", "B2002", "--at", "2026-11-28 09:20", "--json", "--db", office)
    assert out.json()["reason"] == "inactive_staff"
    bad_at = kiosk(capsys, "signin", "A1002", "--at", "yesterday", "--db", office)
    assert bad_at.code == 1 and "YYYY-MM-DD HH:MM" in bad_at.err


def test_signin_from_file_in_order(office, tmp_path, capsys):
    add_session(capsys, office)
    lines = tmp_path / "scans.txt"
    lines.write_bytes(b"A1001\r\nB2001\n\nA1001\n" + b"x\x07y\n" + "😀\n".encode())
    run = kiosk(capsys, "signin", "--from-file", lines, "--at", "2026-11-28 09:06", "--json", "--db", office)
    results = [(r["result"], r["reason"]) for r in run.jsonl()]
    assert results == [("late", None), ("late", None), ("already", None),
                       ("rejected", "invalid_input"), ("rejected", "invalid_input")]
    assert run.code == 1


def test_leave_add(office, capsys):
    sid = add_session(capsys, office)
    run = kiosk(capsys, "leave", "add", "A1002", "--session", sid, "--reason", "出差", "--db", office)
    assert run.code == 0 and "李四" in run.out
    assert kiosk(capsys, "leave", "add", "NOPE", "--session", sid, "--reason", "x", "--db", office).code == 1
    assert kiosk(capsys, "leave", "add", "A1002", "--session", 999, "--reason", "x", "--db", office).code == 1
    assert kiosk(capsys, "leave", "add", "A1002", "--session", sid, "--reason", " ", "--db", office).code == 1


def test_export_log_formats_are_safe(office, tmp_path, capsys):
    add_session(capsys, office)
    kiosk(capsys, "signin", "A1001", "--at", "2026-11-28 08:55", "--db", office)
    kiosk(capsys, "signin", "=HYPERLINK(1)", "--at", "2026-11-28 08:56", "--db", office)
    kiosk(capsys, "signin", "--at", "2026-11-28 08:57", "--db", office, "--", "-2+3")
    csv_path, xlsx_path = tmp_path / "log.csv", tmp_path / "log.xlsx"
    for fmt, path in (("csv", csv_path), ("xlsx", xlsx_path)):
        run = kiosk(capsys, "export", "log", "--month", "2026-11", "--format", fmt, "--out", path,
                    "--db", office)
        assert run.code == 0, run.err
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 4
    cells = [c for row in rows for c in row]
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    assert "'=HYPERLINK(1)" in cells
    sheet = load_workbook(xlsx_path).active
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert all(c.data_type == "s" for c in cells)  # text cells: the exact text, never a formula
    assert all(c.quotePrefix for c in cells if c.value.startswith(("=", "+", "-", "@")))
    assert "=HYPERLINK(1)" in [c.value for c in cells]
    assert sheet.max_row == 4
    jl = kiosk(capsys, "export", "log", "--from", "2026-11-28", "--to", "2026-11-28", "--format", "jsonl",
               "--out", "-", "--db", office)
    events = [json.loads(line) for line in jl.out.splitlines()]
    assert [e["result"] for e in events] == ["present", "rejected", "rejected"]
    assert events[0]["time"] == "2026-11-28T08:55:00+08:00" and events[0]["name"] == "张三"
    empty = kiosk(capsys, "export", "log", "--month", "2026-10", "--format", "jsonl", "--out", "-",
                  "--db", office)
    assert empty.code == 0 and empty.out == ""


def test_unreachable_database_is_one_line_without_password(capsys):
    run = kiosk(capsys, "staff", "list", "--db", "postgresql://admin:s3cret@127.0.0.1:1/x")
    assert run.code == 1 and "s3cret" not in run.err and "127.0.0.1:1" in run.err
    assert len(run.err.strip().splitlines()) == 1


def test_uninitialised_database_is_explained(tmp_path, capsys):
    run = kiosk(capsys, "staff", "list", "--db", f"sqlite:///{tmp_path / 'new.db'}", "--lang", "en")
    assert run.code == 1 and "kiosk init" in run.err


def test_common_options_before_the_command_word(office, capsys):
    run = kiosk(capsys, "--db", office, "--lang", "en", "staff", "list", "--json")
    assert run.code == 0 and len(run.json()) == 4
    assert kiosk(capsys, "--db", "sqlite:////nonexistent/x.db", "staff", "list", "--db", office).code == 0


def test_usage_errors_never_echo_a_password(capsys):
    for argv in (["--db", "postgresql://u:s3cret@127.0.0.1:1/x", "stafff", "list"],
                 ["staff", "--db", "postgresql://u:s3cret@127.0.0.1:1/x", "list"]):
        run = kiosk(capsys, *argv)
        assert run.code == 2 and "s3cret" not in run.err + run.out


def test_roster_without_optional_columns_keeps_them(office, tmp_path, capsys):
    path = tmp_path / "names.csv"
    path.write_text("staff_id,name,department\n a1001 ,张三丰,办公室\n", encoding="utf-8")
    assert kiosk(capsys, "staff", "import", path, "--db", office, "--json").json()["updated"] == 1
    people = {p["staff_id"]: p for p in kiosk(capsys, "staff", "list", "--json", "--db", office).json()}
    assert "a1001" not in people  # the stored spelling is kept
    a1001 = people["A1001"]
    assert (a1001["name"], a1001["groups"], a1001["title"]) == ("张三丰", ["中心组", "党员"], "主任")
    assert people["B2002"]["active"] is False


def test_session_import_twice_adds_nothing(office, tmp_path, capsys):
    plan = tmp_path / "plan.csv"
    plan.write_text("标题,类型,开始,结束,地点,对象\n"
                    "十二月学习日,机关学习日,2026-12-25 09:00,2026-12-25 11:00,三楼,all\n"
                    "中心组学习,central_group,2026-12-26 09:00,2026-12-26 10:00,,group:中心组\n",
                    encoding="utf-8")
    first = kiosk(capsys, "session", "import", plan, "--db", office, "--json").json()
    assert first["added"] == 2
    again = kiosk(capsys, "session", "import", plan, "--db", office, "--json").json()
    assert (again["added"], again["unchanged"], again["ids"]) == (0, 2, first["ids"])
    plan.write_text(plan.read_text(encoding="utf-8").replace("三楼", "五楼"), encoding="utf-8")
    assert kiosk(capsys, "session", "import", plan, "--db", office, "--json").json()["updated"] == 1
    rows = kiosk(capsys, "session", "list", "--json", "--db", office).json()
    assert len(rows) == 2 and rows[0]["location"] == "五楼"


def test_leave_is_for_expected_people_only(office, capsys):
    sid = add_session(capsys, office, audience="dept:财务科")
    kiosk(capsys, "signin", "A1001", "--at", "2026-11-28 08:55", "--db", office)  # a visitor
    for who in ("A1001", "A1002"):
        run = kiosk(capsys, "leave", "add", who, "--session", sid, "--reason", "出差", "--db", office)
        assert run.code == 1 and run.err.strip()


def test_bad_pin_at_init_changes_nothing(home, capsys):
    run = kiosk(capsys, "init", "--pin", "12")
    assert run.code == 1 and not (home / "kiosk.db").exists()


def test_nothing_to_do_and_reversed_range_exit_1(office, tmp_path, capsys):
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n", encoding="utf-8")
    assert kiosk(capsys, "signin", "--from-file", empty, "--db", office).code == 1
    run = kiosk(capsys, "export", "log", "--from", "2026-11-30", "--to", "2026-11-01", "--format", "csv",
                "--out", tmp_path / "x.csv", "--db", office)
    assert run.code == 1 and not (tmp_path / "x.csv").exists()


def test_far_off_dates_are_refused_cleanly(office, capsys):
    run = kiosk(capsys, "session", "add", "--title", "x", "--kind", "lecture", "--start", "0001-01-01 00:00",
                "--end", "0001-01-01 01:00", "--db", office)
    assert run.code == 1 and "YYYY-MM-DD HH:MM" in run.err


def test_ambiguous_cli_signin_names_the_choices(office, capsys):
    a = add_session(capsys, office, title="甲", audience="dept:办公室")
    b = add_session(capsys, office, title="乙", audience="group:中心组")
    run = kiosk(capsys, "signin", "A1001", "--at", "2026-11-28 08:55", "--db", office)
    assert run.code == 1 and "--session" in run.err + run.out
    assert f"{a} " in run.out and f"{b} " in run.out


def test_export_log_range_is_optional(office, capsys):
    add_session(capsys, office)
    kiosk(capsys, "signin", "A1001", "--at", "2026-11-28 08:55", "--db", office)
    kiosk(capsys, "signin", "B2001", "--at", "2026-11-28 09:30", "--db", office)
    whole = kiosk(capsys, "export", "log", "--format", "jsonl", "--out", "-", "--db", office)
    assert whole.code == 0 and len(whole.jsonl()) == 2
    since = kiosk(capsys, "export", "log", "--from", "2026-11-29", "--format", "jsonl", "--out", "-",
                  "--db", office)
    assert since.code == 0 and since.out == ""
    until = kiosk(capsys, "export", "log", "--to", "2026-11-28", "--format", "jsonl", "--out", "-",
                  "--db", office)
    assert len(until.jsonl()) == 2
    both = kiosk(capsys, "export", "log", "--month", "2026-11", "--from", "2026-11-01", "--format", "csv",
                 "--out", "-", "--db", office)
    assert both.code == 2


@pytest.mark.parametrize("url", ["postgresql://u:s3cret@[bad/x", "postgresql://u:s3cret@127.0.0.1:99999/x",
                                 "mysql://u:s3cret@127.0.0.1:99999/x"])
def test_malformed_database_urls_are_one_clear_line(capsys, url):
    for argv in (["staff", "list", "--db", url], ["init", "--db", url]):
        run = kiosk(capsys, *argv)
        assert run.code == 1 and "s3cret" not in run.err and "ValueError" not in run.err
        assert len(run.err.strip().splitlines()) == 1
