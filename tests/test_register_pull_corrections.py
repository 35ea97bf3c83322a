"""A correction at the centre reaches the doors' local registers (FINDINGS 22).

Two doors as real door roles, a host as a real host role, an admin as a real admin role, on
PostgreSQL and MariaDB, through the real ``kiosk`` command: a sign-in at one door reaches the
other; the host undoes it at the centre; after their next round neither door answers "already
signed in", and the real arrival then scanned is applied at the centre. A leave recorded at the
centre and withdrawn there travels the same way. Then, on a real SQLite home, what a round must
not clear: a sign-in the door has not yet pushed.
"""

from __future__ import annotations

import datetime as dt
import json

from db import database, ledger, migrations
from db.models import Attendance, SignInEvent, StudySession
from db.sync.register_pull import CentreRegister, apply_register
from kiosk.host_actions import HostActions
from tests.centre_helpers import kiosk, new_home
from tests.conftest import TZ, make_office
from tests.live_centre import live_centre, now_utc, role_of  # noqa: F401 — fixtures


def local_row(home, sid: int, staff: str):
    handle = database.make_database(f"sqlite:///{home / 'kiosk.db'}")
    handle.connect()
    try:
        return (Attendance.select(Attendance.status, Attendance.signed_in_at, Attendance.kiosk_id)
                .where((Attendance.session == sid) & (Attendance.staff == staff))
                .tuples().first(handle))
    finally:
        handle.close()


def centre_row(live_centre, sid: int, staff: str):  # noqa: F811
    owner = live_centre.owner()
    try:
        return (Attendance.select(Attendance.status, Attendance.signed_in_at, Attendance.kiosk_id)
                .where((Attendance.session == sid) & (Attendance.staff == staff))
                .tuples().first(owner))
    finally:
        owner.close()


def signin(home, staff: str, sid: int) -> dict:
    return json.loads(kiosk(home, "signin", staff, "--session", str(sid), "--json").stdout)


def test_a_hosts_undo_and_leaves_at_the_centre_reach_every_door(live_centre, role_of, tmp_path):  # noqa: F811
    sid = live_centre.ids["now"]
    _, east_url = role_of("door")
    _, west_url = role_of("door")
    _, host_url = role_of("host")
    _, admin_url = role_of("admin")
    east, west = new_home(tmp_path, "east", "east-door"), new_home(tmp_path, "west", "west-door")
    kiosk(east, "sync", "--once", "--central", east_url)
    kiosk(west, "sync", "--once", "--central", west_url)

    # a wrong scan at the east door (someone else's card, say): both doors hold it
    assert signin(east, "A1001", sid)["result"] == "late"
    kiosk(east, "sync", "--once")
    kiosk(west, "sync", "--once")
    assert local_row(west, sid, "A1001")[2] == "east-door"
    assert signin(west, "A1001", sid)["result"] == "already"

    # the host undoes it at the centre, and records a leave for B2001
    host = database.bind(host_url)
    try:
        actions = HostActions(host, tz=TZ, kiosk_id="host-1")
        assert actions.undo_signin("A1001", sid, "误刷", "刘主任").result == "undone"
        assert actions.record_leave("B2001", sid, "出差", "刘主任").result == "leave"
    finally:
        host.close()
    for door in (east, west):
        kiosk(door, "sync", "--once")
        assert local_row(door, sid, "A1001") == ("pending", None, None)
        assert local_row(door, sid, "B2001")[0] == "excused"

    # the real arrival, at the west door: a fresh sign-in, which the centre applies
    arrived = signin(west, "A1001", sid)
    assert arrived["result"] == "late", arrived
    kiosk(west, "sync", "--once")
    assert centre_row(live_centre, sid, "A1001")[0] == "late"
    assert centre_row(live_centre, sid, "A1001")[2] == "west-door"
    kiosk(east, "sync", "--once")
    assert local_row(east, sid, "A1001")[2] == "west-door"
    assert signin(east, "A1001", sid)["result"] == "already"

    # the admin withdraws the leave at the centre: the doors expect B2001 again
    kiosk(tmp_path / "admin", "leave", "cancel", "B2001", "--session", str(sid), "--db", admin_url)
    for door in (east, west):
        kiosk(door, "sync", "--once")
        assert local_row(door, sid, "B2001") == ("pending", None, None)


def test_a_round_keeps_what_the_centre_has_not_seen_yet(tmp_path):
    """A home's own sign-in still queued (or pushed after the round read the centre) stays;
    one the centre has seen and does not hold goes, as does another door's."""
    handle = database.bind(f"sqlite:///{tmp_path / 'kiosk.db'}")
    migrations.upgrade(handle)
    try:
        day = (dt.datetime.now(TZ)).strftime("%Y-%m-%d")
        sid = make_office(handle, day=day)["morning"]
        uid = StudySession.get_by_id(sid).uid
        at = now_utc()
        with handle.atomic():
            for staff, kiosk_id in (("A1001", "here"), ("A1002", "here"), ("B2001", "east-door")):
                event_id = ledger.new_event_id()
                ledger.mark_signed_in(sid, staff, status="present", expected=True, at=at,
                                      method="id", kiosk_id=kiosk_id, event_id=event_id)
                if kiosk_id == "here":
                    ledger.append_event(ledger.Event(kiosk_id="here", at=at, method="id",
                                                     result="present", staff_key=staff,
                                                     session_id=sid, id=event_id))
            read_at = now_utc()
            # A1001's event was pushed before the round read the centre; A1002's is queued
            (SignInEvent.update(pushed_at=read_at - dt.timedelta(seconds=5))
             .where(SignInEvent.staff_key == "A1001").execute())
            changed = apply_register([], CentreRegister([], {uid}, read_at))
        assert changed == 2
        rows = dict(Attendance.select(Attendance.staff, Attendance.status)
                    .where(Attendance.session == sid).tuples())
        assert (rows["A1001"], rows["A1002"], rows["B2001"]) == ("pending", "present", "pending")
    finally:
        handle.close()
