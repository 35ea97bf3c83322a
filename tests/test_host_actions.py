"""The host's audited actions on real databases: leave, 补签 and undo, each an event."""

from __future__ import annotations

from db import live
from db.models import Attendance, SignInEvent
from kiosk.desk import SignInDesk
from kiosk.host_actions import HostActions
from tests.conftest import TZ, make_office, wall


def actions(handle):
    return HostActions(handle, tz=TZ, kiosk_id="host-1", clock=lambda: wall("2026-11-28 09:20"))


def test_manual_signin_is_an_audited_event(any_db):
    ids = make_office(any_db)
    out = actions(any_db).manual_signin("a1002", ids["morning"], "忘带胸卡", "刘主任",
                                        at=wall("2026-11-28 08:58"))
    assert (out.result, out.name) == ("present", "李四")
    row = Attendance.get((Attendance.session == ids["morning"]) & (Attendance.staff == "A1002"))
    assert (row.status, row.method, row.kiosk_id, row.event_id) == ("present", "manual", "host-1",
                                                                     out.event_id)
    event = SignInEvent.get_by_id(out.event_id)
    assert (event.method, event.result, event.note, event.actor) == ("manual", "present", "忘带胸卡",
                                                                     "刘主任")
    late = actions(any_db).manual_signin("B2001", ids["morning"], "会场补签", "刘主任")
    assert late.result == "late" and late.at == wall("2026-11-28 09:20")
    again = actions(any_db).manual_signin("A1002", ids["morning"], "再次", "刘主任")
    assert again.result == "already" and again.already_at == wall("2026-11-28 08:58")
    assert live.snapshot(ids["morning"]).totals.attended == 2


def test_undo_keeps_history_and_restores_leave(any_db):
    ids = make_office(any_db)
    desk = SignInDesk(any_db, kiosk_id="door-1", tz=TZ)
    first = desk.sign_in("A1001", at=wall("2026-11-28 08:50"))
    desk.record_leave("B2001", ids["morning"], "出差", at=wall("2026-11-28 08:00"))
    desk.sign_in("B2001", at=wall("2026-11-28 08:55"))
    host = actions(any_db)
    undone = host.undo_signin("A1001", ids["morning"], "误扫他人胸卡", "刘主任")
    assert undone.result == "undone"
    assert host.undo_signin("B2001", ids["morning"], "误签", "刘主任").result == "undone"
    assert SignInEvent.get_or_none(SignInEvent.id == first.event_id) is not None  # history kept
    event = SignInEvent.get_by_id(undone.event_id)
    assert (event.result, event.method, event.note, event.actor) == ("undo", "manual", "误扫他人胸卡",
                                                                     "刘主任")
    totals = live.snapshot(ids["morning"]).totals
    assert (totals.attended, totals.excused, totals.pending) == (0, 1, 3)
    again = host.undo_signin("A1001", ids["morning"], "再次", "刘主任")
    assert (again.result, again.reason) == ("refused", "not_signed_in")


def test_leave_and_refusals(db):
    ids = make_office(db)
    host = actions(db)
    leave = host.record_leave("B2002", ids["morning"], "病假", "刘主任")
    assert (leave.result, leave.name) == ("leave", "赵六")
    assert live.snapshot(ids["morning"]).totals.excused == 1
    assert SignInEvent.get(SignInEvent.result == "leave").actor == "刘主任"
    refused = [
        host.manual_signin("A1001", ids["morning"], "   ", "x").reason,
        host.manual_signin("ZZZ", ids["morning"], "r", "x").reason,
        host.manual_signin("A1001", 999, "r", "x").reason,
        host.manual_signin("C3001", ids["morning"], "r", "x").reason,
        host.manual_signin("A1001", ids["central"], "r", "x").reason,  # 14:00 session, at 09:20
        host.record_leave("A1001", ids["morning"], "", "x").reason,
        host.record_leave("A1002", ids["central"], "r", "x").reason,
    ]
    assert refused == ["reason_required", "unknown_staff", "session_not_found", "inactive_staff",
                       "not_open_yet", "reason_required", "not_expected"]
    assert SignInEvent.select().where(SignInEvent.method == "manual").count() == 1


def test_a_manual_signin_reports_what_the_register_holds(any_db):
    """Someone added to the roster after the session was made has no register row yet: the
    outcome says what the register now holds (expected and late, or a visitor at a centre, whose
    rules do not read audiences), never more."""
    from db.roster import StaffRecord, upsert_staff

    ids = make_office(any_db)
    with any_db.atomic():
        upsert_staff([StaffRecord("N5001", "N5001", "新人", "办公室", "科员", ())])
    out = actions(any_db).manual_signin("N5001", ids["morning"], "新入职", "刘主任")
    row = Attendance.get((Attendance.session == ids["morning"]) & (Attendance.staff == "N5001"))
    assert row.signed_in_at == wall("2026-11-28 09:20")
    assert out.result == ("late" if row.expected else "visitor"), (out, row.expected)
