"""A host's and a door's credential at the centre hold exactly their kind's rights (issue 16).

Real PostgreSQL roles / MariaDB accounts, granted with the real ``kiosk centre grant-*`` command:
the host's 补签, undo and leave go through the real host actions as that role and reach the
register (the centre's rules apply its events), while the server itself refuses the same role a
direct write of the register; a re-grant takes back what an older build granted, saying so; a
door reads the public settings through the view and, on MariaDB, nothing of ``setting`` itself.
"""

from __future__ import annotations

import sqlite3

import peewee as pw
import pytest

from db import database
from db.models import Attendance, Leave, Setting, SignInEvent
from kiosk.host_actions import HostActions
from tests.conftest import TZ, wall
from tests.test_centre_roles import door_role, refused  # noqa: F401 — the role fixture
from tests.test_sync import DAY, centre, kiosk, new_home  # noqa: F401 — the centre fixture


def owner_of(centre):  # noqa: F811
    handle = database.make_database(centre.url)
    handle.connect()
    return handle


def as_owner(centre, *statements: str) -> None:  # noqa: F811
    handle = owner_of(centre)
    try:
        for sql in statements:
            handle.execute_sql(sql.replace("%", "%%") if "mysql" in centre.url else sql)
    finally:
        handle.close()


def old_host_grant(centre, role: str) -> list[str]:  # noqa: F811
    """What grant-host gave before this change (register and leave writes, the sequences)."""
    if database.engine_of(centre.url) == "postgresql":
        return [f"GRANT INSERT, UPDATE, DELETE ON attendance TO {role}",
                f"GRANT INSERT, UPDATE ON leave TO {role}",
                f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}"]
    schema = centre.url.rsplit("/", 1)[1]
    return [f"GRANT INSERT, UPDATE, DELETE ON `{schema}`.`attendance` TO '{role}'@'%'",
            f"GRANT INSERT, UPDATE ON `{schema}`.`leave` TO '{role}'@'%'"]


def register_row(owner: pw.Database, sid: int, key: str) -> Attendance | None:
    return (Attendance.select().where((Attendance.session == sid) & (Attendance.staff == key))
            .first(owner))


def test_a_host_role_corrects_the_register_only_through_events(centre, door_role, tmp_path):  # noqa: F811
    role, url = door_role
    owner_home = tmp_path / "owner"
    kiosk(owner_home, "centre", "grant-host", role, "--db", centre.url)
    as_owner(centre, *old_host_grant(centre, role))  # a centre granted by the previous build
    upgraded = kiosk(owner_home, "centre", "grant-host", role, "--db", centre.url).stdout
    revoked = upgraded.split("Granted")[0]
    assert f"Revoked from {role}" in revoked, upgraded
    assert "REVOKE DELETE, INSERT, UPDATE ON" in revoked and "attendance" in revoked, revoked
    assert "REVOKE INSERT, UPDATE ON" in revoked and "leave" in revoked, revoked
    if database.engine_of(centre.url) == "postgresql":
        assert "REVOKE ALL ON SEQUENCE" in revoked, revoked
    again = kiosk(owner_home, "centre", "grant-host", role, "--db", centre.url).stdout
    assert "Revoked" not in again and again == upgraded[len(revoked):], again  # idempotent

    morning = centre.ids["morning"]
    handle = database.bind(url)  # the host view's own process, as the host's role
    try:
        host = HostActions(handle, tz=TZ, kiosk_id="host-1", clock=lambda: wall(f"{DAY} 09:20"))
        made = host.manual_signin("A1002", morning, "忘带胸卡", "刘主任", at=wall(f"{DAY} 08:58"))
        assert (made.result, made.name) == ("present", "李四")
        late = host.manual_signin("B2001", morning, "会场补签", "刘主任")
        assert late.result == "late"
        assert host.manual_signin("A1002", morning, "再次", "刘主任").result == "already"
        leave = host.record_leave("B2002", morning, "病假", "刘主任")
        assert leave.result == "leave"
        undone = host.undo_signin("B2001", morning, "误签", "刘主任")
        assert undone.result == "undone"
        # the server itself refuses the same role any direct write of the register
        q = handle.quote
        for sql in ("UPDATE attendance SET status = 'present'", "DELETE FROM attendance",
                    "INSERT INTO attendance (session_id, staff_id, expected, status, early_leave) "
                    f"VALUES ({morning}, 'B2002', FALSE, 'present', FALSE)",
                    f"UPDATE {q[0]}leave{q[1]} SET reason = 'x'", f"DELETE FROM {q[0]}leave{q[1]}"):
            assert "denied" in refused(handle, sql), sql
    finally:
        handle.close()
    owner = owner_of(centre)
    try:
        row = register_row(owner, morning, "A1002")
        assert (row.status, row.method, row.kiosk_id, row.event_id) == ("present", "manual",
                                                                         "host-1", made.event_id)
        assert register_row(owner, morning, "B2001").signed_in_at is None  # the undo applied
        assert register_row(owner, morning, "B2002").status == "excused"
        assert Leave.select().where((Leave.staff == "B2002") & (Leave.session == morning)
                                    ).exists(owner)
        stamped = {e.result: e.received_by.split("@")[0] for e in SignInEvent.select().where(
            SignInEvent.kiosk_id == "host-1").execute(owner)}
        assert stamped == {"present": role, "late": role, "leave": role, "undo": role}, stamped
    finally:
        owner.close()


def test_a_door_reads_the_public_settings_and_no_others(centre, door_role, tmp_path):  # noqa: F811
    role, url = door_role
    engine = database.engine_of(centre.url)
    owner = owner_of(centre)
    with owner.atomic():
        Setting.insert(key="bulletin_issue:yearly:2026-02", value="3").execute(owner)
    owner.close()
    if engine == "mysql":  # as the previous build granted a door
        schema = centre.url.rsplit("/", 1)[1]
        as_owner(centre, f"GRANT SELECT ON `{schema}`.`setting` TO '{role}'@'%'")
    granted = kiosk(tmp_path / "owner", "centre", "grant-door", role, "--db", centre.url).stdout
    assert ("REVOKE SELECT ON" in granted) == (engine == "mysql"), granted
    handle = database.make_database(url)
    handle.connect()
    try:
        shown = dict(handle.execute_sql("SELECT * FROM public_setting").fetchall())
        assert set(shown) == {"badge_public_key", "database_uid"}, shown
        if engine == "mysql":  # no row-level security: the table itself is refused
            assert "denied" in refused(handle, "SELECT * FROM setting")
        else:  # row-level security shows an older door the same rows as the view
            rows = dict(handle.execute_sql("SELECT key, value FROM setting").fetchall())
            assert rows == shown, rows
    finally:
        handle.close()
    # and sync works as before: the door gets the key and checks the centre's identity
    door = new_home(tmp_path, "door", "door-1")
    kiosk(door, "sync", "--once", "--central", url)
    kiosk(door, "sync", "--once")
    local = sqlite3.connect(door / "kiosk.db")
    try:
        keys = dict(local.execute("SELECT key, value FROM setting").fetchall())
    finally:
        local.close()
    assert keys.get("badge_public_key") == shown["badge_public_key"]
    assert "bulletin_issue:yearly:2026-02" not in keys


@pytest.mark.parametrize("kind", ["door", "host"])
def test_a_role_changed_to_another_kind_loses_the_old_kinds_rights(centre, door_role, kind,  # noqa: F811
                                                                  tmp_path):
    """An admin's credential re-granted as a door or host keeps none of the admin's writes."""
    role, url = door_role
    kiosk(tmp_path / "owner", "centre", "grant-admin", role, "--db", centre.url)
    done = kiosk(tmp_path / "owner", "centre", f"grant-{kind}", role, "--db", centre.url).stdout
    assert f"Revoked from {role}" in done and "staff" in done.split("Granted")[0], done
    handle = database.make_database(url)
    handle.connect()
    try:
        for sql in ("UPDATE staff SET name = name", "DELETE FROM credit",
                    "UPDATE attendance SET expected = expected"):
            assert "denied" in refused(handle, sql), sql
    finally:
        handle.close()


def test_host_actions_with_a_door_credential_are_refused_before_anything_is_kept(
        centre, door_role, tmp_path):  # noqa: F811
    """A host view started with a door's credential says so before it writes anything: the door
    may not read the register to say what happened (FINDINGS 20), and the centre would keep
    the event without applying it."""
    role, url = door_role
    kiosk(tmp_path / "owner", "centre", "grant-door", role, "--db", centre.url)
    morning = centre.ids["morning"]
    handle = database.bind(url)
    try:
        host = HostActions(handle, tz=TZ, kiosk_id="door-1", clock=lambda: wall(f"{DAY} 09:20"))
        out = host.manual_signin("A1002", morning, "忘带胸卡", "x", at=wall(f"{DAY} 08:58"))
        assert (out.result, out.reason) == ("refused", "door_credential")
        assert host.record_leave("B2002", morning, "病假", "x").reason == "door_credential"
        assert host.undo_signin("A1001", morning, "扫错", "x").reason == "door_credential"
    finally:
        handle.close()
    owner = owner_of(centre)
    try:
        assert register_row(owner, morning, "A1002").signed_in_at is None
        assert not Leave.select().exists(owner)
        assert not SignInEvent.select().exists(owner)
    finally:
        owner.close()
