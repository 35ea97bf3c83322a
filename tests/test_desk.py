"""The sign-in service on real databases: decisions written with their events, atomically."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from db.models import Attendance, SignInEvent
from kiosk.desk import SignInDesk
from tests.conftest import make_office, wall

TZ = ZoneInfo("Asia/Shanghai")


def desk(handle, **kw):
    return SignInDesk(handle, kiosk_id="door-1", tz=TZ, **kw)


def test_on_time_late_already_visitor(any_db):
    ids = make_office(any_db)
    d = desk(any_db)
    first = d.sign_in("a1001\r\n", at=wall("2026-11-28 08:51"))
    assert (first.result, first.staff_id, first.session_id) == ("present", "A1001", ids["morning"])
    again = d.sign_in("A1001", at=wall("2026-11-28 09:30"))
    assert again.result == "already" and again.already_at == wall("2026-11-28 08:51")
    late = d.sign_in("B2001", at=wall("2026-11-28 09:05") .replace(second=1))
    assert late.result == "late"
    row = Attendance.get((Attendance.session == ids["morning"]) & (Attendance.staff == "A1001"))
    assert row.status == "present" and row.event_id == first.event_id
    assert SignInEvent.select().count() == 3
    assert Attendance.select().where(Attendance.signed_in_at.is_null(False)).count() == 2


def test_grace_boundary_is_on_time(db):
    make_office(db)
    assert desk(db).sign_in("A1002", at=wall("2026-11-28 09:05")).result == "present"


def test_rejections_are_logged(any_db):
    make_office(any_db)
    d = desk(any_db)
    assert d.sign_in("NOPE", at=wall("2026-11-28 09:00")).reason == "unknown_staff"
    assert d.sign_in("C3001", at=wall("2026-11-28 09:00")).reason == "inactive_staff"
    assert d.sign_in("A1001", at=wall("2026-11-28 08:00")).reason == "no_open_session"
    assert d.sign_in("x" * 300, at=wall("2026-11-28 09:00")).reason == "invalid_input"
    assert d.sign_in("A1\x1b[2J", at=wall("2026-11-28 09:00")).reason == "invalid_input"
    assert d.sign_in("😀😀", at=wall("2026-11-28 09:00")).reason == "invalid_input"
    events = list(SignInEvent.select().order_by(SignInEvent.seq))
    assert [e.reason for e in events] == ["unknown_staff", "inactive_staff", "no_open_session",
                                          "invalid_input", "invalid_input", "invalid_input"]
    assert all(e.result == "rejected" for e in events)
    assert "\x1b" not in events[4].input and "\\x1b" in events[4].input
    assert Attendance.select().where(Attendance.signed_in_at.is_null(False)).count() == 0


def test_no_open_session_names_next_today(db):
    ids = make_office(db)
    out = desk(db).sign_in("A1001", at=wall("2026-11-28 12:00"))
    assert out.reason == "no_open_session"
    assert out.next_session is not None and out.next_session.start == wall("2026-11-28 14:00")
    assert out.next_session.id in (ids["central"], ids["finance"])


def test_ambiguous_then_chosen(db):
    ids = make_office(db)
    d = desk(db)
    out = d.sign_in("B2002", at=wall("2026-11-28 13:50"))  # 中心组 and 财务科: both open
    assert out.reason == "ambiguous_session"
    assert {s.id for s in out.choices} == {ids["central"], ids["finance"]}
    chosen = d.sign_in("B2002", at=wall("2026-11-28 13:50"), session_id=ids["finance"])
    assert chosen.result == "present" and chosen.session_id == ids["finance"]


def test_expected_at_one_of_two_open_goes_there(db):
    ids = make_office(db)
    out = desk(db).sign_in("A1001", at=wall("2026-11-28 13:55"))
    assert out.result == "present" and out.session_id == ids["central"]


def test_signout_and_early_leave(db):
    ids = make_office(db)
    d = desk(db)
    assert d.sign_in("B2001", at=wall("2026-11-28 13:58")).result == "present"
    assert d.sign_in("B2001", at=wall("2026-11-28 14:01")).result == "already"
    out = d.sign_in("B2001", at=wall("2026-11-28 14:30"))
    assert out.result == "signed_out" and out.early_leave
    row = Attendance.get((Attendance.session == ids["finance"]) & (Attendance.staff == "B2001"))
    assert row.early_leave and row.signed_out_at == wall("2026-11-28 14:30")


def test_typed_ids_can_be_disabled(db):
    make_office(db)
    out = desk(db, allow_typed_id=False).sign_in("A1001", at=wall("2026-11-28 09:00"))
    assert out.reason == "typed_id_disabled"


def test_leave_then_signin_beats_leave(any_db):
    ids = make_office(any_db)
    d = desk(any_db)
    d.record_leave("A1002", ids["morning"], "出差", at=wall("2026-11-28 08:00"))
    row = Attendance.get((Attendance.session == ids["morning"]) & (Attendance.staff == "A1002"))
    assert row.status == "excused"
    assert d.sign_in("A1002", at=wall("2026-11-28 09:10")).result == "late"
    row = Attendance.get_by_id(row.id)
    assert row.status == "late"
