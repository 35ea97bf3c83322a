"""Leaves with a centre's credentials (FINDINGS 28, 17), as real roles on PostgreSQL and MariaDB.

A host records and withdraws a leave through events, as its other corrections (its role may not
write ``leave``); a door's credential is refused both, with a line saying where to do it — with
``--db`` as here, and on a door's own home, which learns at its sync round that its credential is
a door's. A home whose credential is the admin's keeps recording leaves that travel to the centre.
"""

from __future__ import annotations

import json

from db import database
from db.models import Attendance, Leave, SignInEvent
from kiosk.host_actions import HostActions
from tests.centre_helpers import kiosk, new_home
from tests.conftest import TZ
from tests.live_centre import live_centre, role_of  # noqa: F401 — fixtures


def at_centre(live_centre, sid: int, staff: str):  # noqa: F811
    owner = live_centre.owner()
    try:
        status = (Attendance.select(Attendance.status).where(
            (Attendance.session == sid) & (Attendance.staff == staff)).scalar(owner))
        leave = (Leave.select(Leave.withdrawn_at, Leave.withdrawn_by).where(
            (Leave.session == sid) & (Leave.staff == staff)).tuples().first(owner))
        return status, leave
    finally:
        owner.close()


def test_a_host_withdraws_a_leave_it_recorded(live_centre, role_of, tmp_path):  # noqa: F811
    sid = str(live_centre.ids["now"])
    host, host_url = role_of("host")
    door, door_url = role_of("door")
    here = tmp_path / "host"
    kiosk(here, "leave", "add", "B2001", "--session", sid, "--reason", "会议", "--by", "刘主任",
          "--db", host_url)
    assert at_centre(live_centre, int(sid), "B2001")[0] == "excused"
    # a door's credential: refused, saying whose credential it takes; the leave stands
    added = kiosk(here, "leave", "add", "B2002", "--session", sid, "--reason", "x", "--db",
                  door_url, check=1)  # review m3: kept, not applied — not a grant to re-run
    assert "credential is a door's" in added.stderr and "grant-host" not in added.stderr
    denied = kiosk(here, "leave", "cancel", "B2001", "--session", sid, "--db", door_url, check=1)
    assert "credential is a door's" in denied.stderr, denied.stderr
    assert at_centre(live_centre, int(sid), "B2001")[1][0] is None
    done = json.loads(kiosk(here, "leave", "cancel", "B2001", "--session", sid, "--json",
                            "--db", host_url).stdout)
    assert done == {"staff_id": "B2001", "session_id": int(sid), "withdrawn": True}
    status, (withdrawn_at, _by) = at_centre(live_centre, int(sid), "B2001")
    assert status == "pending" and withdrawn_at is not None
    owner = live_centre.owner()
    try:
        events = {(e.received_by.split("@")[0], e.note.startswith("not_applied"))
                  for e in SignInEvent.select().where((SignInEvent.result == "leave_withdrawn")
                                                      & (SignInEvent.staff_key == "B2001"))
                  .execute(owner)}
        assert events == {(host, False)}, events  # the door's refused before it wrote anything
    finally:
        owner.close()
    # nothing left to withdraw: said so
    again = kiosk(here, "leave", "cancel", "B2001", "--session", sid, "--db", host_url, check=1)
    assert "B2001" in again.stderr


DOOR_LINE = "credential for the centre is a door's"


def test_a_door_home_refuses_leaves_and_corrections_a_host_home_keeps_them(
        live_centre, role_of, tmp_path):  # noqa: F811
    sid = str(live_centre.ids["now"])
    _, door_url = role_of("door")
    _, admin_url = role_of("admin")
    door = new_home(tmp_path, "door", "east-door")
    kiosk(door, "sync", "--once", "--central", door_url)
    added = kiosk(door, "leave", "add", "B2001", "--session", sid, "--reason", "病假", check=1)
    assert DOOR_LINE in added.stderr and added.stdout == "", added.stdout + added.stderr
    cancelled = kiosk(door, "leave", "cancel", "B2001", "--session", sid, check=1)
    assert DOOR_LINE in cancelled.stderr, cancelled.stderr
    zh = kiosk(door, "leave", "add", "B2001", "--session", sid, "--reason", "病假", check=1,
               env={"KIOSK_LANG": "zh"})
    assert "签到终端的账号" in zh.stderr, zh.stderr
    handle = database.bind(f"sqlite:///{door / 'kiosk.db'}")  # the host view on that home
    try:
        host = HostActions(handle, tz=TZ, kiosk_id="east-door")
        for outcome in (host.manual_signin("A1002", int(sid), "忘带卡", "刘主任"),
                        host.undo_signin("A1002", int(sid), "误刷", "刘主任"),
                        host.record_leave("B2001", int(sid), "病假", "刘主任")):
            assert (outcome.result, outcome.reason) == ("refused", "door_home"), outcome
        assert Attendance.get((Attendance.session == int(sid))
                              & (Attendance.staff == "B2001")).status == "pending"
    finally:
        handle.close()
    kiosk(door, "sync", "--once")
    assert at_centre(live_centre, int(sid), "B2001") == ("pending", None)
    owner = live_centre.owner()
    try:
        assert not SignInEvent.select().where(SignInEvent.kiosk_id == "east-door").exists(owner)
    finally:
        owner.close()

    # a home whose credential is the admin's records leaves that travel (SPEC §11)
    office = new_home(tmp_path, "office", "office-pc")
    kiosk(office, "sync", "--once", "--central", admin_url)
    kiosk(office, "leave", "add", "B2001", "--session", sid, "--reason", "病假")
    kiosk(office, "sync", "--once")
    assert at_centre(live_centre, int(sid), "B2001")[0] == "excused"
    kiosk(office, "leave", "cancel", "B2001", "--session", sid)
    kiosk(office, "sync", "--once")
    status, (withdrawn_at, _by) = at_centre(live_centre, int(sid), "B2001")
    assert status == "pending" and withdrawn_at is not None
