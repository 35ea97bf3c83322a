"""Leaves with a centre's credentials (FINDINGS 28), as real roles on PostgreSQL and MariaDB.

A host records and withdraws a leave through events, as its other corrections (its role may not
write ``leave``); a door's credential is refused, with a line saying whose credential it takes.
"""

from __future__ import annotations

import json

from db.models import Attendance, Leave, SignInEvent
from tests.centre_helpers import kiosk
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
        assert events == {(host, False), (door, True)}, events  # the door's kept, not applied
    finally:
        owner.close()
    # nothing left to withdraw: said so
    again = kiosk(here, "leave", "cancel", "B2001", "--session", sid, "--db", host_url, check=1)
    assert "B2001" in again.stderr

