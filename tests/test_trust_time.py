"""SPEC §7 on time: no sign-in in the future (``signin --at``, 补签), ``--at ""`` is an error, a
session lasts at most 24 hours, and a wall-clock time that a daylight-saving change skips or
repeats is refused with one line naming it. Through the real CLI on a real SQLite file."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from db import database
from db.models import SignInEvent
from kiosk.host_actions import HostActions
from kiosk.i18n import t
from tests.cli_runner import init_office, kiosk
from tests.conftest import TZ, make_office, wall

ROSTER = "工号,姓名,部门\nA1001,张三,办公室\nA1002,李四,办公室\n"


@pytest.fixture
def office(tmp_path, capsys):
    return init_office(capsys, f"sqlite:///{tmp_path / 'office.db'}", tmp_path, ROSTER)


def local_wall(delta: dt.timedelta, tz: ZoneInfo = TZ) -> str:
    return (dt.datetime.now(tz) + delta).strftime("%Y-%m-%d %H:%M")


def add_session(capsys, url: str, start: str, end: str, *extra: str):
    return kiosk(capsys, "session", "add", "--title", "学习", "--kind", "lecture", "--start", start,
                 "--end", end, "--json", "--db", url, *extra)


def test_signin_in_the_future_is_refused_and_logged(office, capsys):
    run = add_session(capsys, office, local_wall(dt.timedelta(hours=1)), local_wall(dt.timedelta(hours=3)))
    assert run.code == 0, run.err
    future = local_wall(dt.timedelta(hours=1, minutes=30))
    run = kiosk(capsys, "signin", "A1001", "--at", future, "--json", "--db", office)
    assert run.code == 1
    assert (run.json()["result"], run.json()["reason"]) == ("rejected", "future_time")
    plain = kiosk(capsys, "signin", "A1001", "--at", future, "--db", office, "--lang", "en")
    assert plain.code == 1 and "in the future" in plain.out
    handle = database.bind(office)
    reasons = [e.reason for e in SignInEvent.select()]
    handle.close()
    assert reasons == ["future_time", "future_time"]  # each refusal is a logged event
    # within a minute of now is not the future (clocks differ a little); it is judged as usual
    near = kiosk(capsys, "signin", "A1001", "--at", local_wall(dt.timedelta(seconds=30)), "--json",
                 "--db", office)
    assert near.json()["reason"] != "future_time"


def test_empty_at_is_an_error_not_now(office, capsys):
    now = local_wall(dt.timedelta(0))
    add_session(capsys, office, local_wall(dt.timedelta(minutes=-10)), local_wall(dt.timedelta(hours=1)))
    run = kiosk(capsys, "signin", "A1001", "--at", "", "--db", office)
    assert run.code in (1, 2) and run.err.count("\n") == 1 and "Traceback" not in run.err
    handle = database.bind(office)
    assert SignInEvent.select().count() == 0  # nothing recorded "now"
    handle.close()
    assert kiosk(capsys, "signin", "A1001", "--at", now, "--db", office).code == 0


def test_manual_signin_refuses_a_future_time(db):
    ids = make_office(db)
    host = HostActions(db, tz=TZ, kiosk_id="host-1", clock=lambda: wall("2026-11-28 09:35"))
    out = host.manual_signin("A1002", ids["morning"], "忘带胸卡", "刘主任", at=wall("2026-11-28 10:10"))
    assert (out.result, out.reason) == ("refused", "future_time")
    assert t("host.refused.future_time") != "host.refused.future_time"
    assert SignInEvent.select().count() == 0
    ok = host.manual_signin("A1002", ids["morning"], "忘带胸卡", "刘主任", at=wall("2026-11-28 09:36"))
    assert ok.result == "late"  # a minute's tolerance for clocks that differ


def test_a_session_lasts_at_most_24_hours(office, tmp_path, capsys):
    run = add_session(capsys, office, "2026-12-01 08:00", "2200-01-01 08:00")
    assert run.code == 1 and "24" in run.err and run.err.count("\n") == 1
    assert add_session(capsys, office, "2026-12-01 08:00", "2026-12-02 08:01").code == 1
    assert add_session(capsys, office, "2026-12-01 08:00", "2026-12-02 08:00").code == 0
    plan = tmp_path / "plan.csv"
    plan.write_text("标题,类型,开始,结束\n一,lecture,2026-12-03 09:00,2026-12-03 11:00\n"
                    "二,training,2026-12-04 09:00,2026-12-09 17:00\n", encoding="utf-8")
    run = kiosk(capsys, "session", "import", plan, "--db", office)
    assert run.code == 1 and "第 3 行" in run.err and "24" in run.err


@pytest.mark.parametrize("zone, value, kind", [
    ("America/New_York", "2026-03-08 02:30", "does not exist"),
    ("America/New_York", "2026-11-01 01:30", "occurs twice"),
    ("Europe/Berlin", "2026-03-29 02:15", "does not exist"),
    ("Europe/Berlin", "2026-10-25 02:45", "occurs twice"),
])
def test_daylight_saving_gaps_and_overlaps_are_refused(office, tmp_path, capsys, monkeypatch,
                                                       zone, value, kind):
    monkeypatch.setenv("KIOSK_TZ", zone)
    day = value[:10]
    run = add_session(capsys, office, value, f"{day} 05:00", "--lang", "en")
    assert run.code == 1 and run.err.count("\n") == 1
    assert value in run.err and zone in run.err and kind in run.err
    run = kiosk(capsys, "signin", "A1001", "--at", value, "--db", office, "--lang", "en")
    assert run.code == 1 and value in run.err and kind in run.err
    plan = tmp_path / "plan.csv"
    plan.write_text(f"title,kind,start,end\nok,lecture,{day} 06:00,{day} 07:00\n"
                    f"dst,lecture,{value},{day} 05:00\n", encoding="utf-8")
    run = kiosk(capsys, "session", "import", plan, "--db", office, "--lang", "en")
    assert run.code == 1 and "line 3" in run.err and value in run.err and kind in run.err
    # the same wall-clock times on an ordinary day are fine
    assert add_session(capsys, office, f"{day[:8]}15 02:30", f"{day[:8]}15 05:00").code == 0
