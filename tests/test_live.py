"""The host view's data: counts, missing list, latest sign-ins and the change detector,
on real databases (SQLite file; PostgreSQL and MariaDB where configured)."""

from __future__ import annotations

import sqlite3

from db import database, live
from kiosk.desk import SignInDesk
from kiosk.host_actions import HostActions
from tests.conftest import TZ, make_office, wall


def test_counts_missing_and_recent(any_db):
    ids = make_office(any_db)
    desk = SignInDesk(any_db, kiosk_id="door-1", tz=TZ)
    desk.sign_in("A1001", at=wall("2026-11-28 08:50"))
    desk.sign_in("B2001", at=wall("2026-11-28 09:10"), method="qr")
    desk.record_leave("B2002", ids["morning"], "出差", at=wall("2026-11-28 08:00"))
    snap = live.snapshot(ids["morning"])
    totals = snap.totals
    assert (totals.expected, totals.present, totals.late, totals.excused, totals.pending) == (4, 1, 1, 1, 1)
    assert totals.attended == 2 and totals.rate == 0.5 and totals.visitors == 0
    assert [(d.name, d.counts.expected, d.counts.attended) for d in snap.departments] == [
        ("办公室", 2, 1), ("财务科", 2, 1)]
    assert [(m.staff_id, m.name, m.department) for m in snap.missing] == [("A1002", "李四", "办公室")]
    assert [(r.name, r.method, r.kiosk_id, r.result) for r in snap.recent] == [
        ("王五", "qr", "door-1", "late"), ("张三", "id", "door-1", "present")]


def test_visitor_signout_and_early_leave_are_counted(any_db):
    ids = make_office(any_db)
    desk = SignInDesk(any_db, kiosk_id="door-1", tz=TZ)
    desk.sign_in("B2001", at=wall("2026-11-28 13:55"), session_id=ids["finance"])
    desk.sign_in("B2002", at=wall("2026-11-28 13:56"), session_id=ids["finance"])
    out = desk.sign_in("B2001", at=wall("2026-11-28 14:20"), session_id=ids["finance"])
    assert out.result == "signed_out" and out.early_leave
    desk.sign_in("B2002", at=wall("2026-11-28 14:58"), session_id=ids["finance"])
    HostActions(any_db, tz=TZ).manual_signin("A1002", ids["finance"], "来旁听", "host",
                                            at=wall("2026-11-28 14:01"))
    totals = live.snapshot(ids["finance"]).totals
    assert (totals.expected, totals.present, totals.signed_out, totals.early_leave) == (2, 2, 2, 1)
    assert totals.visitors == 1 and totals.rate == 1.0


def test_detector_sees_a_commit_from_another_connection(db, sqlite_url):
    ids = make_office(db)
    detector = live.ChangeDetector(db, ids["morning"])
    assert detector.changed()  # the first call always refreshes
    assert not detector.changed()
    other = sqlite3.connect(database.sqlite_path(sqlite_url))
    other.execute("UPDATE attendance SET status='present' WHERE staff_id='A1002'")
    other.commit()
    other.close()
    assert detector.changed()
    assert not detector.changed()


def test_detector_tracks_session_writes_on_servers(any_db):
    """The portable token (used on PostgreSQL/MySQL) moves with a sign-in and a leave."""
    ids = make_office(any_db)
    detector = live.ChangeDetector(any_db, ids["morning"])
    detector.is_sqlite = False  # exercise the portable token on SQLite too
    before = detector.token()
    SignInDesk(any_db, kiosk_id="door-1", tz=TZ).sign_in("A1001", at=wall("2026-11-28 08:50"))
    after_signin = detector.token()
    assert after_signin != before
    SignInDesk(any_db, kiosk_id="door-1", tz=TZ).record_leave("A1002", ids["morning"], "病假")
    assert detector.token() != after_signin
