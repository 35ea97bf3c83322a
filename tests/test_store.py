"""The data layer on real engines: migrations, the materialised register, UTC timestamps."""

from __future__ import annotations

import datetime as dt

from db import migrations
from db.models import Attendance, SchemaVersion, StudySession
from db.register import refresh_expected
from db.roster import StaffRecord, upsert_staff
from db.sessions import add_session
from tests.conftest import SMALL_ROSTER, make_office, wall


def expected_of(session_id: int) -> set[str]:
    return {k for (k,) in Attendance.select(Attendance.staff)
            .where((Attendance.session == session_id) & Attendance.expected).tuples()}


def test_migrations_are_idempotent(any_db):
    assert migrations.upgrade(any_db) == []
    assert migrations.is_current(any_db)
    assert SchemaVersion.select().count() == len(migrations.available())


def test_audience_is_materialised(any_db):
    ids = make_office(any_db)
    assert expected_of(ids["morning"]) == {"A1001", "A1002", "B2001", "B2002"}  # inactive C3001 not
    assert expected_of(ids["central"]) == {"A1001", "B2002"}
    assert expected_of(ids["finance"]) == {"B2001", "B2002"}


def test_roster_change_updates_future_sessions_only(any_db):
    ids = make_office(any_db, day="2026-11-28")
    with any_db.atomic():
        future = add_session({"title": "下月学习", "kind": "lecture", "start": wall("2099-01-05 09:00"),
                              "end": wall("2099-01-05 10:00")}, [("group", "党员")])
    assert expected_of(future) == {"A1001", "A1002"}
    roster = [r for r in SMALL_ROSTER if r.key != "A1002"] + [
        StaffRecord("A1002", "A1002", "李四", "办公室", "科员", ("党员",), active=False),
        StaffRecord("D4001", "D4001", "新同事", "办公室", "", ("党员",)),
    ]
    with any_db.atomic():
        assert upsert_staff(roster) == (1, 1, 4)
    assert expected_of(future) == {"A1001", "D4001"}
    assert "A1002" in expected_of(ids["morning"])  # history does not shift


def test_timestamps_round_trip_in_utc_with_microseconds(any_db):
    ids = make_office(any_db)
    row = StudySession.get_by_id(ids["morning"])
    assert row.start == dt.datetime(2026, 11, 28, 1, 0)
    stamp = dt.datetime(2026, 11, 28, 0, 51, 3, 123456)
    Attendance.update(signed_in_at=stamp).where(Attendance.session == ids["morning"]).execute()
    got = Attendance.select().where(Attendance.session == ids["morning"]).first().signed_in_at
    assert got == stamp


def test_visitor_becomes_expected_when_audience_grows(db):
    ids = make_office(db)
    from kiosk.desk import SignInDesk
    from tests.conftest import TZ

    out = SignInDesk(db, kiosk_id="k", tz=TZ).sign_in("A1002", at=wall("2026-11-28 13:55"),
                                                       session_id=ids["central"])
    assert out.result == "visitor"
    from db.models import SessionAudience

    SessionAudience.create(session=ids["central"], kind="staff", value="A1002")
    refresh_expected(ids["central"], now=wall("2026-11-28 14:10"))
    assert "A1002" in expected_of(ids["central"])
