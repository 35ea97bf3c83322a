"""The admin's life-cycle changes travel through sync (SPEC §11): a real centre (PostgreSQL,
MariaDB), door homes driven by the real ``kiosk`` command in child processes."""

from __future__ import annotations

import json

from db import database
from db.models import Attendance, Leave
from tests.test_sync import DAY, Centre, centre, kiosk, new_home  # noqa: F401 - the fixture

__all__ = ["centre"]


def register_row(url: str, session_id: int, staff: str) -> dict | None:
    handle = database.bind(url)
    try:
        return (Attendance.select().where((Attendance.session == session_id)
                                          & (Attendance.staff == staff)).dicts().first())
    finally:
        handle.close()


def test_cancel_edit_deactivate_at_the_centre_reach_the_door(centre: Centre, tmp_path):
    door = new_home(tmp_path, "door", "door-1")
    kiosk(door, "sync", "--once", "--central", centre.url)
    admin = tmp_path / "admin"
    morning, finance = centre.ids["morning"], centre.ids["finance"]
    kiosk(admin, "session", "cancel", str(finance), "--reason", "停电", "--db", centre.url)
    kiosk(admin, "session", "edit", str(morning), "--title", "机关学习日(改)", "--location", "礼堂",
          "--db", centre.url)
    kiosk(admin, "staff", "deactivate", "A1002", "--db", centre.url)
    kiosk(door, "sync", "--once")
    listed = json.loads(kiosk(door, "session", "list", "--date", DAY, "--json").stdout)
    by_id = {r["id"]: r for r in listed}
    assert by_id[finance]["cancelled"] is True and by_id[finance]["cancel_reason"] == "停电"
    assert (by_id[morning]["title"], by_id[morning]["location"]) == ("机关学习日(改)", "礼堂")
    refused = kiosk(door, "signin", "B2001", "--session", str(finance), "--at", f"{DAY} 14:01",
                    "--json", check=1)
    assert json.loads(refused.stdout)["result"] == "rejected"
    inactive = kiosk(door, "signin", "A1002", "--at", f"{DAY} 08:55", "--json", check=1)
    assert json.loads(inactive.stdout)["reason"] == "inactive_staff"


def test_a_leave_withdrawn_at_a_door_is_withdrawn_at_the_centre(centre: Centre, tmp_path):
    door = new_home(tmp_path, "door", "door-1")
    kiosk(door, "sync", "--once", "--central", centre.url)
    morning = centre.ids["morning"]
    kiosk(door, "leave", "add", "B2001", "--session", str(morning), "--reason", "出差")
    kiosk(door, "sync", "--once")
    assert register_row(centre.url, morning, "B2001")["status"] == "excused"
    kiosk(door, "leave", "cancel", "B2001", "--session", str(morning))
    kiosk(door, "sync", "--once")
    assert register_row(centre.url, morning, "B2001")["status"] == "pending"
    handle = database.bind(centre.url)
    try:
        leave = Leave.select().where((Leave.session == morning) & (Leave.staff == "B2001")).get()
        assert leave.withdrawn_at is not None and leave.reason == "出差"  # kept, marked
    finally:
        handle.close()


def test_a_leave_withdrawn_at_the_centre_reaches_the_door(centre: Centre, tmp_path):
    door = new_home(tmp_path, "door", "door-1")
    admin = tmp_path / "admin"
    morning = centre.ids["morning"]
    kiosk(admin, "leave", "add", "B2002", "--session", str(morning), "--reason", "病假",
          "--db", centre.url)
    kiosk(door, "sync", "--once", "--central", centre.url)
    local = f"sqlite:///{door / 'kiosk.db'}"
    assert register_row(local, morning, "B2002")["status"] == "excused"
    kiosk(admin, "leave", "cancel", "B2002", "--session", str(morning), "--db", centre.url)
    kiosk(door, "sync", "--once")
    assert register_row(local, morning, "B2002")["status"] == "pending"


def test_an_edited_audience_reaches_the_door_losing_no_sign_in(centre: Centre, tmp_path):
    door = new_home(tmp_path, "door", "door-1")
    kiosk(door, "sync", "--once", "--central", centre.url)
    morning = centre.ids["morning"]
    signed = json.loads(kiosk(door, "signin", "A1001", "--at", f"{DAY} 08:55", "--json").stdout)
    assert signed["result"] == "present"
    kiosk(door, "sync", "--once")
    kiosk(tmp_path / "admin", "session", "edit", str(morning), "--audience", "dept:财务科",
          "--db", centre.url)
    kiosk(door, "sync", "--once")
    local = f"sqlite:///{door / 'kiosk.db'}"
    kept = register_row(local, morning, "A1001")
    assert (kept["status"], kept["expected"]) == ("present", False)  # a visitor now, not lost
    assert register_row(local, morning, "A1002") is None  # no longer expected at the door
    assert register_row(local, morning, "B2001")["expected"] is True
    at_centre = register_row(centre.url, morning, "A1001")
    assert (at_centre["status"], at_centre["expected"]) == ("present", False)
