"""Monthly report, bulletin and annual targets, against a month computed by hand.

The fixture month is October 2026 (Asia/Shanghai), six people in three departments:

* S1 "=SUM(1,2) 机关学习日" (all, 10-10 09:00–11:00, 2 h): A1001 at 09:05:00 (on time, the grace
  boundary), A1002 at 09:05:01 (late), A1003 on leave, B2001 on leave but signs in at 08:50
  (present: the sign-in overrides the leave), B2002 nothing (absent), C3001 at 08:40.
* S2 "@中心组集中学习" (group 中心组 = A1001, B2002; 10-20 14:00–16:00, credit 3 h, sign-out):
  A1001 in 13:50 and out 15:00 (early leave), B2002 on leave, A1002 signs in as a visitor.
* S3 "-2 财务夜训" (dept 财务科; 10-31 23:00 – 11-01 00:30 local, 1.5 h — the last evening of
  the month, still October): B2001 at 23:10 (late), B2002 absent.
* N1 (all, 11-01 07:00 local = 10-31 23:00 UTC): in NOVEMBER locally, so never in October's report;
  A1001 signs in.

By hand: S1 6 expected, 3 present, 1 late, 1 excused, 1 absent; S2 2/1/0/1/0, 1 visitor,
1 early leave; S3 2/0/1/0/1. Totals 10 expected, 4 present, 2 late, 2 excused, 2 absent,
1 visitor, rate 6/10.
"""

from __future__ import annotations

import json
import re
from zoneinfo import ZoneInfo

import pytest

from db.roster import StaffRecord, upsert_staff
from db.sessions import add_session
from kiosk.config import DEFAULT_TARGETS, Target
from kiosk.desk import SignInDesk
from kiosk.reports import ReportOptions, annual, annual_document, monthly, monthly_document
from tests.conftest import wall

TZ = ZoneInfo("Asia/Shanghai")
EVIL_NAME = '=HYPERLINK("http://evil.example/x","点我")'

ROSTER = [
    StaffRecord("A1001", "A1001", "张三", "办公室", "主任", ("中心组",)),
    StaffRecord("A1002", "A1002", "李四", "办公室", "科员", ()),
    StaffRecord("A1003", "A1003", EVIL_NAME, "办公室", "科员", ()),
    StaffRecord("B2001", "B2001", "王五", "财务科", "科长", ()),
    StaffRecord("B2002", "B2002", "赵六", "财务科", "科员", ("中心组",)),
    StaffRecord("C3001", "C3001", "+1", "人事科", "", ()),
]
TITLES = {"s1": "=SUM(1,2) 机关学习日", "s2": "@中心组集中学习", "s3": "-2 财务夜训", "n1": "十一月学习日"}
AFTER = wall("2026-11-15 12:00")  # every October session is over


def build_month(handle) -> dict[str, int]:
    """The fixture month above, written through the real desk (sign-ins, leaves, sign-outs)."""
    with handle.atomic():
        upsert_staff(ROSTER)
        ids = {
            "s1": add_session({"title": TITLES["s1"], "kind": "learning_day",
                               "start": wall("2026-10-10 09:00"), "end": wall("2026-10-10 11:00"),
                               "location": "三楼会议室"}, [("all", "")]),
            "s2": add_session({"title": TITLES["s2"], "kind": "central_group",
                               "start": wall("2026-10-20 14:00"), "end": wall("2026-10-20 16:00"),
                               "credit_hours": 3.0, "require_signout": True},
                              [("group", "中心组")]),
            "s3": add_session({"title": TITLES["s3"], "kind": "training",
                               "start": wall("2026-10-31 23:00"), "end": wall("2026-11-01 00:30")},
                              [("dept", "财务科")]),
            "n1": add_session({"title": TITLES["n1"], "kind": "learning_day",
                               "start": wall("2026-11-01 07:00"), "end": wall("2026-11-01 08:00")},
                              [("all", "")]),
        }
    desk = SignInDesk(handle, kiosk_id="door-1", tz=TZ)
    sec = wall("2026-10-10 09:05").replace(second=1)
    desk.record_leave("A1003", ids["s1"], "出差", at=wall("2026-10-09 10:00"))
    desk.record_leave("B2001", ids["s1"], "病假", at=wall("2026-10-09 10:00"))
    assert desk.sign_in("C3001", at=wall("2026-10-10 08:40")).result == "present"
    assert desk.sign_in("B2001", at=wall("2026-10-10 08:50")).result == "present"
    assert desk.sign_in("A1001", at=wall("2026-10-10 09:05")).result == "present"
    assert desk.sign_in("A1002", at=sec).result == "late"
    desk.record_leave("B2002", ids["s2"], "会议", at=wall("2026-10-19 10:00"))
    assert desk.sign_in("A1001", at=wall("2026-10-20 13:50")).result == "present"
    assert desk.sign_in("A1002", at=wall("2026-10-20 14:02")).result == "visitor"
    out = desk.sign_in("A1001", at=wall("2026-10-20 15:00"))
    assert out.result == "signed_out" and out.early_leave
    assert desk.sign_in("B2001", at=wall("2026-10-31 23:10")).result == "late"
    assert desk.sign_in("A1001", at=wall("2026-11-01 06:50")).result == "present"
    return ids


def options(now=AFTER, **kw) -> ReportOptions:
    return ReportOptions(tz=TZ, now=now, **kw)


def counts(entry: dict) -> tuple:
    return tuple(entry[k] for k in ("expected", "present", "late", "excused", "absent", "visitors"))


def test_monthly_json_matches_the_hand_computed_month(any_db):
    ids = build_month(any_db)
    data = json.loads(monthly_document(monthly(2026, 10, options(), detail=False), "json"))
    assert data["month"] == "2026-10"
    assert counts(data["totals"]) == (10, 4, 2, 2, 2, 1)
    assert data["totals"]["rate"] == pytest.approx(0.6)
    assert data["totals"]["rate_excluding_excused"] == pytest.approx(0.75)
    assert data["totals"]["early_leaves"] == 1 and data["totals"]["pending"] == 0
    assert [s["id"] for s in data["sessions"]] == [ids["s1"], ids["s2"], ids["s3"]]
    by_id = {s["id"]: s for s in data["sessions"]}
    assert by_id[ids["s1"]]["title"] == TITLES["s1"]
    assert counts(by_id[ids["s1"]]) == (6, 3, 1, 1, 1, 0)
    assert by_id[ids["s1"]]["rate"] == pytest.approx(4 / 6)
    assert counts(by_id[ids["s2"]]) == (2, 1, 0, 1, 0, 1) and by_id[ids["s2"]]["early_leaves"] == 1
    assert counts(by_id[ids["s3"]]) == (2, 0, 1, 0, 1, 0) and by_id[ids["s3"]]["rate"] == 0.5
    depts = {d["department"]: d for d in data["departments"]}
    assert counts(depts["办公室"]) == (4, 2, 1, 1, 0, 1) and depts["办公室"]["rate"] == 0.75
    assert counts(depts["财务科"]) == (5, 1, 1, 1, 2, 0) and depts["财务科"]["rate"] == 0.4
    assert counts(depts["人事科"]) == (1, 1, 0, 0, 0, 0) and depts["人事科"]["rate"] == 1.0
    assert [depts[d]["rank"] for d in ("人事科", "办公室", "财务科")] == [1, 2, 3]
    people = {p["staff_id"]: p for p in data["people"]}
    assert set(people) == {r.staff_id for r in ROSTER}
    assert people["A1003"]["name"] == EVIL_NAME and people["A1003"]["department"] == "办公室"
    assert {k: p["credit_hours"] for k, p in people.items()} == {
        "A1001": 5.0, "A1002": 5.0, "A1003": 0.0, "B2001": 3.5, "B2002": 0.0, "C3001": 2.0}
    assert counts(people["A1001"]) == (2, 2, 0, 0, 0, 0) and people["A1001"]["rate"] == 1.0
    assert counts(people["A1002"]) == (1, 0, 1, 0, 0, 1)
    assert counts(people["B2001"]) == (2, 1, 1, 0, 0, 0)
    assert counts(people["B2002"]) == (3, 0, 0, 1, 2, 0) and people["B2002"]["rate"] == 0.0
    warned = {w["staff_id"]: w["reasons"] for w in data["warnings"]}
    # A1003's only session was excused: a recorded leave never puts anyone on the warning list
    assert warned == {"B2002": ["low_rate", "absences"]}
    assert isinstance(data["bulletin"], str) and "detail" not in data


def test_running_session_is_pending_not_absent(db):
    """A month in progress (SPEC §10): the running S3 is listed as in_progress with its own
    pending row, but the totals, people and rates count the finished S1 and S2 only."""
    ids = build_month(db)
    report = monthly(2026, 10, options(now=wall("2026-10-31 23:30")))
    s3 = next(s for s in report["sessions"] if s["id"] == ids["s3"])
    assert (s3["absent"], s3["pending"], s3["late"], s3["state"]) == (0, 1, 1, "in_progress")
    assert {s["state"] for s in report["sessions"] if s["id"] != ids["s3"]} == {"finished"}
    totals = report["totals"]
    assert (totals["sessions"], totals["in_progress"]) == (2, 1)
    # S1 6/3/1/1/1 + S2 2/1/0/1/0: S3's late B2001 and pending B2002 are not in yet
    assert counts(totals)[:5] == (8, 4, 1, 2, 1) and totals["pending"] == 0
    assert totals["rate"] == pytest.approx(5 / 8)
    b2001 = next(p for p in report["people"] if p["staff_id"] == "B2001")
    assert (b2001["expected"], b2001["late"]) == (1, 0)


def test_empty_month_has_no_rates(db):
    build_month(db)
    report = monthly(2026, 9, options())
    assert report["sessions"] == [] and report["totals"]["expected"] == 0
    assert report["totals"]["rate"] is None
    assert "未组织" in report["bulletin"]


def _number_after(label: str, text: str) -> str:
    match = re.search(re.escape(label) + r"\s*([0-9.]+)", text)
    assert match, (label, text)
    return match.group(1)


def test_bulletin_numbers_equal_the_json(db):
    build_month(db)
    data = json.loads(monthly_document(monthly(2026, 10, options()), "json"))
    text, totals = data["bulletin"], data["totals"]
    assert "2026年第1期" in text
    assert f"本月共组织集中学习{totals['sessions']}次" in text
    assert int(_number_after("应到", text)) == totals["expected"]
    assert int(_number_after("实到", text)) == totals["present"] + totals["late"]
    assert float(_number_after("出勤率", text)) == round(totals["rate"] * 100, 1)
    assert int(_number_after("迟到", text)) == totals["late"]
    assert int(_number_after("请假", text)) == totals["excused"]
    assert int(_number_after("缺席", text)) == totals["absent"]
    assert "缺席人员:财务科:赵六(2次)" in text
    assert "1.人事科 100.0%;2.办公室 75.0%;3.财务科 40.0%" in text
    assert "机关学习日1次、中心组集中学习1次、培训1次" in text


def test_bulletin_in_english(db):
    from kiosk.i18n import set_language

    build_month(db)
    set_language("en")
    text = monthly(2026, 10, options())["bulletin"]
    assert "expected: 10, attended: 6, attendance rate 60.0%" in text
    assert "Absent: 财务科: 赵六 (2)" in text


def test_issue_numbers_count_months_with_sessions(db):
    build_month(db)
    with db.atomic():
        add_session({"title": "三月", "kind": "lecture", "start": wall("2026-03-05 09:00"),
                     "end": wall("2026-03-05 10:00")}, [("all", "")])
    assert monthly(2026, 10, options())["issue"] == 2
    assert monthly(2026, 11, options())["issue"] == 3
    trend = monthly(2026, 10, options())["trend"]
    assert [b["month"] for b in trend][:3] == ["2026-01", "2026-02", "2026-03"] and len(trend) == 10
    assert trend[9]["expected"] == 10 and trend[9]["rate"] == pytest.approx(0.6)


TARGETS = (Target(name="学时", who="all", metric="hours", required=5),
           Target(name="中心组学习", who="group:中心组", metric="sessions", required=1,
                  kinds=("central_group",)))


def test_annual_targets_met_and_not_met(any_db):
    build_month(any_db)
    data = json.loads(annual_document(annual(2026, options(targets=TARGETS)), "json"))
    assert data["year"] == 2026 and data["months_left"] == 2  # on 15 November: Nov and Dec
    people = {p["staff_id"]: p for p in data["people"]}
    a1001 = people["A1001"]
    assert (a1001["credit_hours"], a1001["sessions_attended"]) == (6.0, 3)
    assert a1001["targets"] == [
        {"name": "学时", "metric": "hours", "required": 5, "achieved": 6.0, "met": True,
         "shortfall": 0, "per_month_needed": None},
        {"name": "中心组学习", "metric": "sessions", "required": 1, "achieved": 1, "met": True,
         "shortfall": 0, "per_month_needed": None}]
    b2001 = people["B2001"]["targets"]
    assert [(x["name"], x["achieved"], x["met"], x["shortfall"]) for x in b2001] == [
        ("学时", 3.5, False, 1.5)]
    assert b2001[0]["per_month_needed"] == 0.75
    b2002 = {x["name"]: (x["achieved"], x["met"]) for x in people["B2002"]["targets"]}
    assert b2002 == {"学时": (0, False), "中心组学习": (0, False)}
    assert people["A1002"]["targets"][0]["met"] is True  # 2 h + a 3 h visit
    assert data["summary"] == {"people": 6, "behind": 4, "on_track": 2}


def test_annual_default_targets(db):
    build_month(db)
    data = annual(2026, options(targets=DEFAULT_TARGETS))
    a1001 = next(p for p in data["people"] if p["staff_id"] == "A1001")
    assert [(x["name"], x["required"], x["met"]) for x in a1001["targets"]] == [
        ("年度学习学时", 50, False), ("中心组集中学习", 15, False)]
    a1002 = next(p for p in data["people"] if p["staff_id"] == "A1002")
    assert [x["name"] for x in a1002["targets"]] == ["年度学习学时"]


def run_cli(argv, capsysbinary) -> tuple[int, bytes, bytes]:
    from kiosk.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    out, err = capsysbinary.readouterr()
    return exit_info.value.code, out, err


def test_cli_monthly_and_annual_json(db, sqlite_url, capsysbinary):
    build_month(db)
    code, out, err = run_cli(["report", "monthly", "--month", "2026-10", "--format", "json",
                              "--out", "-", "--db", sqlite_url], capsysbinary)
    assert code == 0, err
    data = json.loads(out)
    assert counts(data["totals"]) == (10, 4, 2, 2, 2, 1)
    code, out, err = run_cli(["report", "annual", "--year", "2026", "--format", "json", "--out", "-",
                              "--db", sqlite_url, "--lang", "en"], capsysbinary)
    assert code == 0, err
    people = {p["staff_id"]: p for p in json.loads(out)["people"]}
    assert people["A1001"]["credit_hours"] == 6.0
    assert [x["name"] for x in people["B2002"]["targets"]] == ["年度学习学时", "中心组集中学习"]


def test_cli_refuses_bad_month_and_year(db, sqlite_url, capsysbinary):
    code, out, err = run_cli(["report", "monthly", "--month", "2026-13", "--format", "json",
                              "--out", "-", "--db", sqlite_url], capsysbinary)
    assert code == 1 and b"Traceback" not in err and "2026-13" in err.decode()
    code, out, err = run_cli(["report", "annual", "--year", "26", "--format", "json",
                              "--out", "-", "--db", sqlite_url, "--lang", "en"], capsysbinary)
    assert code == 1 and "invalid year" in err.decode()


def add_october_lecture(handle) -> int:
    """S4: a lecture for everyone on 10-28 14:00–15:30; A1001 signs in early, at 13:45."""
    with handle.atomic():
        sid = add_session({"title": "十月专题讲座", "kind": "lecture", "start": wall("2026-10-28 14:00"),
                           "end": wall("2026-10-28 15:30")}, [("all", "")])
    desk = SignInDesk(handle, kiosk_id="door-1", tz=TZ)
    assert desk.sign_in("A1001", at=wall("2026-10-28 13:45")).result == "present"
    return sid


def test_sessions_not_started_yet_are_in_no_figure(any_db):
    """At 10-28 13:50, S4 (starts 14:00, one early sign-in) and S3 (10-31) have not started: they
    are left out of sessions, totals, departments, people, ranking, warnings, trend, bulletin and
    the annual counts. At 14:30 S4 is running: in, with its pending rows (not absent)."""
    ids = build_month(any_db)
    s4 = add_october_lecture(any_db)
    before = monthly(2026, 10, options(now=wall("2026-10-28 13:50")))
    assert [s["id"] for s in before["sessions"]] == [ids["s1"], ids["s2"]]
    assert counts(before["totals"]) == (8, 4, 1, 2, 1, 1) and before["totals"]["pending"] == 0
    assert before["totals"]["sessions"] == 2 and before["totals"]["rate"] == pytest.approx(5 / 8)
    assert before["totals"]["kinds"] == {"learning_day": 1, "central_group": 1}
    depts = {d["department"]: d for d in before["departments"]}
    assert counts(depts["财务科"]) == (3, 1, 0, 1, 1, 0)
    assert depts["财务科"]["rate"] == pytest.approx(1 / 3)
    people = {p["staff_id"]: p for p in before["people"]}
    assert (people["A1001"]["credit_hours"], people["A1001"]["sessions_attended"]) == (5.0, 2)
    assert (people["B2001"]["credit_hours"], people["B2001"]["expected"]) == (2.0, 1)
    assert people["B2002"]["absent"] == 1 and people["B2002"]["pending"] == 0
    assert {d["session_id"] for d in before["detail"]} == {ids["s1"], ids["s2"]}
    assert before["trend"][9]["sessions"] == 2 and before["trend"][9]["expected"] == 8
    text = before["bulletin"]
    assert "本月共组织集中学习2次(机关学习日1次、中心组集中学习1次)" in text
    assert "应到8人次" in text and "实到5人次" in text and "未结束" not in text
    year = annual(2026, options(now=wall("2026-10-28 13:50"), targets=TARGETS))
    a1001 = next(p for p in year["people"] if p["staff_id"] == "A1001")
    assert (a1001["credit_hours"], a1001["sessions_attended"], a1001["expected"]) == (5.0, 2, 2)
    b2002 = next(p for p in year["people"] if p["staff_id"] == "B2002")
    assert (b2002["expected"], b2002["absent"]) == (2, 1)

    running = monthly(2026, 10, options(now=wall("2026-10-28 14:30")))
    assert [s["id"] for s in running["sessions"]] == [ids["s1"], ids["s2"], s4]
    lecture = running["sessions"][2]
    assert (lecture["expected"], lecture["present"], lecture["pending"], lecture["absent"]) == (6, 1, 5, 0)
    assert lecture["state"] == "in_progress"
    # the running lecture is listed but in no total until it ends (SPEC §10)
    assert counts(running["totals"]) == (8, 4, 1, 2, 1, 1) and running["totals"]["in_progress"] == 1
    assert "另有1次集中学习尚在进行中" in running["bulletin"]


def test_issue_number_counts_months_with_started_sessions(db):
    """第N期 = months of the year up to and including this one with a started session; a month
    without one has no number (an empty September used to share 第1期 with October)."""
    build_month(db)
    with db.atomic():
        for title, start, end in (("三月", "2026-03-05 09:00", "2026-03-05 10:00"),
                                  ("十二月", "2026-12-10 09:00", "2026-12-10 10:00"),
                                  ("明年一月", "2027-01-08 09:00", "2027-01-08 10:00")):
            add_session({"title": title, "kind": "lecture", "start": wall(start), "end": wall(end)},
                        [("all", "")])
    issues = {m: monthly(2026, m, options(), detail=False)["issue"] for m in range(1, 13)}
    assert issues == {1: None, 2: None, 3: 1, 4: None, 5: None, 6: None, 7: None, 8: None,
                      9: None, 10: 2, 11: 3, 12: None}  # December's session is still to come
    september = monthly(2026, 9, options(), detail=False)["bulletin"]
    assert "期" not in september and "本月未组织集中学习" in september
    assert "2026年第2期" in monthly(2026, 10, options(), detail=False)["bulletin"]
    late_december = options(now=wall("2026-12-20 12:00"))
    assert monthly(2026, 12, late_december, detail=False)["issue"] == 4
    in_2027 = options(now=wall("2027-01-20 12:00"))
    assert monthly(2027, 1, in_2027, detail=False)["issue"] == 1  # numbered per year
    assert "2027年第1期" in monthly(2027, 1, in_2027, detail=False)["bulletin"]


def test_visits_earn_hours_and_count_as_attended_but_not_in_rates(any_db):
    """Per person: sessions_attended = attended (as expected) + visited (列席), and credit_hours
    are the credit hours of exactly those sessions; rates count only the expected rows."""
    ids = build_month(any_db)
    report = monthly(2026, 10, options())
    hours = {s["id"]: s["credit_hours"] for s in report["sessions"]}
    for person in report["people"]:
        rows = [d for d in report["detail"] if d["staff_id"] == person["staff_id"]]
        went = [d for d in rows if d["status"] in ("present", "late", "visitor")]
        assert person["sessions_attended"] == person["attended"] + person["visited"] == len(went)
        assert person["visited"] == person["visitors"] == sum(d["status"] == "visitor" for d in rows)
        assert person["credit_hours"] == pytest.approx(sum(hours[d["session_id"]] for d in went))
    a1002 = next(p for p in report["people"] if p["staff_id"] == "A1002")
    assert (a1002["expected"], a1002["attended"], a1002["visited"], a1002["sessions_attended"],
            a1002["credit_hours"], a1002["rate"]) == (1, 1, 1, 2, 5.0, 1.0)
    assert hours[ids["s2"]] == 3.0
    data = json.loads(annual_document(annual(2026, options(targets=TARGETS)), "json"))
    for person in data["people"]:
        assert person["sessions_attended"] == person["attended"] + person["visited"]
    year = {p["staff_id"]: p for p in data["people"]}
    assert (year["A1002"]["attended"], year["A1002"]["visited"], year["A1002"]["credit_hours"]) == (
        1, 1, 5.0)
    assert (year["A1001"]["attended"], year["A1001"]["visited"], year["A1001"]["credit_hours"]) == (
        3, 0, 6.0)


def test_first_of_december_with_a_session_running(db):
    """The recount's case: 1 December, the month's only session running with sign-ins. Nothing
    is counted yet (no 0 % rate, no warnings), the bulletin says 截至12月1日 and never 未组织."""
    with db.atomic():
        upsert_staff(ROSTER)
        sid = add_session({"title": "十二月机关学习日", "kind": "learning_day",
                           "start": wall("2026-12-01 09:00"), "end": wall("2026-12-01 11:00")},
                          [("all", "")])
    desk = SignInDesk(db, kiosk_id="door-1", tz=TZ)
    for staff_id in ("A1001", "A1002", "B2001"):
        assert desk.sign_in(staff_id, at=wall("2026-12-01 08:55")).result == "present"
    now = wall("2026-12-01 09:30")
    report = monthly(2026, 12, options(now=now))
    assert [(s["id"], s["state"], s["present"], s["pending"]) for s in report["sessions"]] == [
        (sid, "in_progress", 3, 3)]
    assert report["totals"]["sessions"] == 0 and report["totals"]["in_progress"] == 1
    assert report["totals"]["expected"] == 0 and report["totals"]["rate"] is None
    assert report["people"] == [] and report["departments"] == [] and report["warnings"] == []
    assert report["as_of"] == "2026-12-01T09:30:00+08:00" and report["complete"] is False
    assert "截至12月1日" in report["bulletin"] and "未组织" not in report["bulletin"]
    assert "进行中" in report["bulletin"]
    public = json.loads(monthly_document(report, "json"))
    assert public["as_of"] == report["as_of"] and public["sessions"][0]["state"] == "in_progress"
    # once it is over, it counts — and the bulletin still says 截至 until December ends
    later = monthly(2026, 12, options(now=wall("2026-12-01 12:00")))
    assert later["sessions"][0]["state"] == "finished"
    assert (later["totals"]["expected"], later["totals"]["present"], later["totals"]["absent"]) == (6, 3, 3)
    assert later["bulletin"].count("截至12月1日,本月共组织集中学习1次") == 1
    assert len(later["warnings"]) == 3
    # a month that is over speaks without 截至
    assert "截至" not in monthly(2026, 12, options(now=wall("2027-01-02 12:00")))["bulletin"]


def test_month_with_nothing_held_yet_says_so(db):
    build_month(db)
    text = monthly(2026, 12, options(now=wall("2026-12-01 08:00")))["bulletin"]
    assert "截至12月1日,本月尚未组织集中学习" in text and "本月未组织" not in text


@pytest.mark.parametrize(("today", "left"), [("2026-12-01 10:00", 1), ("2026-12-31 23:00", 1),
                                              ("2026-01-01 00:30", 12), ("2026-07-15 12:00", 6),
                                              ("2027-01-01 00:30", 0), ("2025-12-31 12:00", 12)])
def test_months_left_counts_the_current_month(db, today, left):
    assert annual(2026, options(now=wall(today)))["months_left"] == left
