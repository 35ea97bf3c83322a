"""Least privilege at the centre (SPEC §13), checked by the servers' own privilege checks.

A real PostgreSQL role / MariaDB account is made for the door; the owner grants it with the real
``kiosk centre grant-door`` command; the door syncs through the real ``kiosk`` command as that role;
then every statement a door must not run is tried with the door's own credential, and the server
must refuse it.
"""

from __future__ import annotations

import json
import os
import uuid
from urllib.parse import urlparse, urlunparse

import peewee as pw
import pytest

from db import database
from db.fleet import KioskFleet
from db.models import Attendance, SignInEvent, Staff
from tests.centre_helpers import add_open_session, recent_day
from tests.test_sync import centre, kiosk, new_home  # noqa: F401 — the centre fixture

# the office's day for the centre fixture: recent, so the centre still applies a door's sign-ins
# for it (db.sync.centre_guard_sql: a session over for more than 72 h is not a door's business)
DAY = CENTRE_DAY = recent_day()

PASSWORD = "d00r-Secret"
FORBIDDEN_UPDATES = ["department", "staff", "staff_group", "study_session", "session_audience",
                     "leave", "credit", "setting", "schema_version", "attendance", "sign_in_event"]
FORBIDDEN_INSERTS = {
    "department": "INSERT INTO department (name, sort_order) VALUES ('黑客科', 1)",
    "staff": "INSERT INTO staff ({k}, staff_id, name, department, title, active, badge_version, "
             "updated_at) VALUES ('X1', 'X1', 'x', '办公室', '', TRUE, 1, '2030-01-01')",
    "staff_group": "INSERT INTO staff_group (staff_id, name) VALUES ('A1001', '中心组2')",
    "study_session": "INSERT INTO study_session (title, kind, start, {e}, location, speaker, "
                     "open_before, late_after, require_signout, updated_at) VALUES ('x', 'other', "
                     "'2030-01-01', '2030-01-01', '', '', 30, 5, FALSE, '2030-01-01')",
    "session_audience": "INSERT INTO session_audience (session_id, kind, value) VALUES (1, 'all', 'x')",
    "setting": "INSERT INTO setting ({k}, value) VALUES ('badge_public_key2', 'x')",
    "attendance": "INSERT INTO attendance (session_id, staff_id, expected, status, early_leave) "
                  "VALUES (1, 'B2002', FALSE, 'present', FALSE)",
    "leave": "INSERT INTO {lv} (session_id, staff_id, reason, recorded_at, recorded_by, "
             "withdrawn_by) VALUES (1, 'B2002', 'x', '2030-01-01', 'x', '')",
}


@pytest.fixture
def door_role(centre):  # noqa: F811 (the fixture)
    """A login role / account with no rights yet, and the door's URL with its credential."""
    name = f"kd_{uuid.uuid4().hex[:10]}"
    engine = database.engine_of(centre.url)
    base = os.environ["KIOSK_TEST_PG_URL" if engine == "postgresql" else "KIOSK_TEST_MYSQL_URL"]
    admin = database.make_database(base)
    admin.connect()
    if engine == "postgresql":
        admin.execute_sql(f"CREATE ROLE {name} LOGIN PASSWORD '{PASSWORD}'")
    else:
        admin.execute_sql(f"CREATE USER '{name}'@'%%' IDENTIFIED BY '{PASSWORD}'")
    admin.close()
    parsed = urlparse(centre.url)
    url = urlunparse(parsed._replace(netloc=f"{name}:{PASSWORD}@{parsed.hostname}:{parsed.port}"))
    yield name, url
    owner = database.make_database(centre.url if engine == "postgresql" else base)
    owner.connect()
    if engine == "postgresql":
        owner.execute_sql(f"DROP OWNED BY {name}")
        owner.execute_sql(f"DROP ROLE {name}")
    else:
        owner.execute_sql(f"DROP USER '{name}'@'%%'")
    owner.close()


def refused(handle: pw.Database, sql: str) -> str:
    """Run ``sql`` as the door; the server's refusal (the test fails if it is accepted)."""
    try:
        with handle.atomic():
            cursor = handle.execute_sql(sql)
            count = cursor.rowcount
    except (pw.ProgrammingError, pw.OperationalError, pw.InternalError) as exc:
        return str(exc)
    pytest.fail(f"the server accepted {sql!r} ({count} rows)")


def test_a_door_role_adds_events_and_nothing_more(centre, door_role, tmp_path):  # noqa: F811
    role, door_url = door_role
    owner_home = tmp_path / "admin"
    door = new_home(tmp_path, "door", "door-1")
    # without the grant: the cause is named, never "schema too old"
    denied = kiosk(door, "sync", "--once", "--central", door_url, check=1)
    assert "permission denied for " in denied.stderr, denied.stderr
    assert "`kiosk centre grant-door ROLE`" in denied.stderr and "older schema" not in denied.stderr
    assert PASSWORD not in denied.stderr + denied.stdout
    first = kiosk(owner_home, "centre", "grant-door", role, "--db", centre.url)
    assert f"Granted {role} the rights of a door" in first.stdout and "sign_in_event" in first.stdout
    again = kiosk(owner_home, "centre", "grant-door", role, "--db", centre.url)  # idempotent
    assert again.stdout.replace(first.stdout, "") == ""

    # with it, sync works as before: the roster comes down, a sign-in goes up, the register follows
    open_now = add_open_session(centre.url)
    kiosk(door, "sync", "--once", "--central", door_url)
    assert "A1001" in kiosk(door, "staff", "list", "--json").stdout
    out = json.loads(kiosk(door, "signin", "A1001", "--json").stdout)
    assert out["result"] == "present"
    done = kiosk(door, "sync", "--once")
    assert "0 still queued" in done.stdout
    owner = database.make_database(centre.url)
    owner.connect()
    row = (Attendance.select().where((Attendance.session == open_now)
                                     & (Attendance.staff == "A1001")).get(owner))
    assert (row.status, row.kiosk_id) == ("present", "door-1")
    assert KioskFleet.select().where(KioskFleet.kiosk_id == "door-1").exists(owner)
    KioskFleet.insert(kiosk_id="door-9", last_seen=row.signed_in_at, door_time=row.signed_in_at,
                      db_user="someone_else").execute(owner)

    # as the door's own credential, every forbidden statement is refused by the server itself
    handle = database.make_database(door_url)
    handle.connect()
    q = handle.quote
    names = {"k": f"{q[0]}key{q[1]}", "e": f"{q[0]}end{q[1]}", "lv": f"{q[0]}leave{q[1]}"}
    try:
        for table in FORBIDDEN_UPDATES:
            ident = f"{q[0]}{table}{q[1]}"
            column = {"sign_in_event": "note", "setting": "value", "schema_version": "name",
                      "department": "sort_order", "staff_group": "name",
                      "session_audience": "value", "study_session": "title", "staff": "name",
                      "leave": "reason", "credit": "title", "attendance": "status"}[table]
            for sql in (f"UPDATE {ident} SET {column} = {column}", f"DELETE FROM {ident}"):
                message = refused(handle, sql)
                assert "denied" in message, (sql, message)
        for table, sql in FORBIDDEN_INSERTS.items():
            message = refused(handle, sql.format(**names))
            assert "denied" in message, (table, message)
        # another door's fleet row: invisible (PostgreSQL row security) or refused (MariaDB)
        try:
            with handle.atomic():
                handle.execute_sql("UPDATE kiosk_fleet SET queued = 99 WHERE kiosk_id = 'door-9'")
        except (pw.ProgrammingError, pw.OperationalError, pw.InternalError) as exc:
            assert "denied" in str(exc)
        # the one thing a door may do — add an event — is stamped with the role that did it,
        # whatever the event claims
        with handle.atomic():
            handle.execute_sql(
                "INSERT INTO sign_in_event (id, seq, kiosk_id, at, method, result, reason, input, "
                "note, actor, received_by) VALUES ('00000000-0000-4000-8000-00000000f00d', 1, "
                "'west door', '2030-03-04 01:00:00', 'id', 'rejected', 'unknown_staff', '', '', "
                "'', 'admin')")
    finally:
        handle.close()
    stamps = dict(SignInEvent.select(SignInEvent.kiosk_id, SignInEvent.received_by).tuples()
                  .execute(owner))
    assert set(stamps) == {"door-1", "west door"}
    assert all(by.split("@")[0] == role for by in stamps.values()), stamps
    assert (KioskFleet.select(KioskFleet.queued).where(KioskFleet.kiosk_id == "door-9")
            .scalar(owner)) == 0
    # a stolen door is cut off by revoking its role's right to add events: it keeps its queue
    if database.engine_of(centre.url) == "postgresql":
        owner.execute_sql(f"REVOKE INSERT ON sign_in_event FROM {role}")
    else:
        schema = owner.execute_sql("SELECT DATABASE()").fetchone()[0]
        owner.execute_sql(f"REVOKE INSERT ON `{schema}`.`sign_in_event` FROM '{role}'@'%%'")
    kiosk(door, "signin", "A1002", "--at", f"{DAY} 08:56")
    cut = kiosk(door, "sync", "--once", check=1)
    assert "permission denied for table sign_in_event" in cut.stderr, cut.stderr
    assert "1 events still queued" in cut.stderr
    # nothing a door tried changed anything
    assert Staff.select().count(owner) == 5
    assert SignInEvent.select().where(SignInEvent.note != "").count(owner) == 0
    owner.close()


@pytest.mark.parametrize("kind", ["host", "admin"])
def test_host_and_admin_roles_keep_their_own_rights_and_never_edit_an_event(centre, door_role, kind,  # noqa: F811
                                                                            tmp_path):
    role, url = door_role
    for _ in range(2):  # idempotent
        done = kiosk(tmp_path / "admin", "centre", f"grant-{kind}", role, "--db", centre.url)
        assert f"Granted {role}" in done.stdout
    handle = database.make_database(url)
    handle.connect()
    q = handle.quote
    try:
        assert SignInEvent.select().count(handle) == 0  # may read the log …
        assert Staff.select().count(handle) == 5
        if kind == "host":  # … its leaves, 补签 and undos are events: the register is not its
            lv = f"{q[0]}leave{q[1]}"
            for sql in (FORBIDDEN_INSERTS["leave"].format(lv=lv), FORBIDDEN_INSERTS["attendance"],
                        f"UPDATE {lv} SET reason = reason", f"DELETE FROM {lv}",
                        "UPDATE attendance SET status = status", "DELETE FROM attendance"):
                assert "denied" in refused(handle, sql), sql
        else:  # … or keep the roster (admin) …
            with handle.atomic():
                handle.execute_sql(FORBIDDEN_INSERTS["department"])
        for sql in ("UPDATE sign_in_event SET note = note", "DELETE FROM sign_in_event"):
            assert "denied" in refused(handle, sql)  # … and never change an event
        if kind == "host":
            assert "denied" in refused(handle, "UPDATE staff SET name = name")
    finally:
        handle.close()
    # and the real commands of that role work with just these rights
    home = tmp_path / "work"
    home.mkdir()
    if kind == "host":
        done = kiosk(home, "leave", "add", "B2001", "--session", str(centre.ids["morning"]),
                     "--reason", "出差", "--json", "--db", url)
        assert json.loads(done.stdout)["status"] == "excused"  # read back: the centre applied it
        owner = database.make_database(centre.url)
        owner.connect()
        try:
            row = (Attendance.select().where((Attendance.session == centre.ids["morning"])
                                             & (Attendance.staff == "B2001")).get(owner))
            assert row.status == "excused"
        finally:
            owner.close()
    else:
        roster = tmp_path / "roster.csv"
        roster.write_text("staff_id,name,department\nN5001,新人,办公室\n", encoding="utf-8")
        kiosk(home, "staff", "import", str(roster), "--db", url)
        kiosk(home, "session", "add", "--title", "新增学习", "--kind", "lecture", "--start",
              f"{DAY} 15:00", "--end", f"{DAY} 16:00", "--db", url)
        kiosk(home, "badge", "revoke", "A1001", "--db", url)


def test_grant_names_a_missing_role(centre, tmp_path):  # noqa: F811
    done = kiosk(tmp_path / "admin", "centre", "grant-door", "nobody_here", "--db", centre.url,
                 check=1)
    assert "nobody_here" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_a_door_reads_the_register_near_now_and_never_the_history(centre, door_role, tmp_path):  # noqa: F811
    """FINDINGS 20: a stolen door disk must not leak who was absent when, or why. The door reads
    the register of the sessions near the centre's clock and the leaves it may still use, through
    the owner's views; ``attendance`` and ``leave`` themselves are refused by the server."""
    import datetime as dt

    from db.models import Leave, utcnow
    from db.sessions import add_session
    from db.sync.door_reads import LEAVE_VIEW, REGISTER_VIEW

    role, door_url = door_role
    owner = database.make_database(centre.url)
    owner.connect()  # what grant-door gave a door before 0020: SELECT on both tables
    if database.engine_of(centre.url) == "postgresql":
        owner.execute_sql(f'GRANT SELECT ON attendance, "leave" TO {role}')
    else:
        schema = owner.execute_sql("SELECT DATABASE()").fetchone()[0]
        for table in ("attendance", "leave"):
            owner.execute_sql(f"GRANT SELECT ON `{schema}`.`{table}` TO '{role}'@'%%'")
    owner.close()
    regrant = kiosk(tmp_path / "admin", "centre", "grant-door", role, "--db", centre.url).stdout
    taken = [line for line in regrant.splitlines() if line.strip().startswith("REVOKE")]
    assert len(taken) == 2 and all("SELECT" in line for line in taken), regrant
    assert any("attendance" in line for line in taken) and any("leave" in line for line in taken)
    open_now = add_open_session(centre.url)
    handle = database.bind(centre.url)
    with handle.atomic():  # a session of last month, with its register and a leave
        old = add_session({"title": "上月学习", "kind": "other",
                           "start": utcnow() - dt.timedelta(days=30),
                           "end": utcnow() - dt.timedelta(days=30, hours=-2)}, [("all", "")])
        for sid, staff, why in ((old, "B2001", "旧病假-私事"), (open_now, "B2002", "今日出差-私事")):
            Leave.insert(session=sid, staff=staff, reason=why, recorded_by="admin").execute()
            (Attendance.update(status="excused")
             .where((Attendance.session == sid) & (Attendance.staff == staff)).execute())
    owner_rows = {sid for (sid,) in Attendance.select(Attendance.session).tuples()}
    handle.close()
    assert old in owner_rows and open_now in owner_rows

    door = database.make_database(door_url)
    door.connect()
    lv = f"{door.quote[0]}leave{door.quote[1]}"
    try:
        for sql in ("SELECT count(*) FROM attendance", f"SELECT count(*) FROM {lv}",
                    f"SELECT reason FROM {lv} WHERE session_id = {old}"):
            assert "denied" in refused(door, sql), sql
        seen = {sid for (sid,) in door.execute_sql(
            f"SELECT DISTINCT session_id FROM {REGISTER_VIEW}").fetchall()}
        assert open_now in seen and old not in seen, seen
        leaves = door.execute_sql(f"SELECT session_id, staff_id, reason FROM {LEAVE_VIEW}").fetchall()
        assert [(s, k, r) for s, k, r in leaves] == [(open_now, "B2002", "")]
    finally:
        door.close()

    # the door syncs as before: the register near now, today's leave (no reason), no history
    home = new_home(tmp_path, "door", "door-1")
    kiosk(home, "sync", "--once", "--central", door_url)
    assert json.loads(kiosk(home, "signin", "A1001", "--json").stdout)["result"] == "present"
    assert "0 still queued" in kiosk(home, "sync", "--once").stdout
    local = database.make_database(f"sqlite:///{home / 'kiosk.db'}")
    local.connect()
    try:
        held = list(Leave.select(Leave.session, Leave.staff, Leave.reason).tuples().execute(local))
        status = (Attendance.select(Attendance.status)
                  .where((Attendance.session == open_now) & (Attendance.staff == "B2002"))
                  .scalar(local))
    finally:
        local.close()
    assert held == [(open_now, "B2002", "")] and status == "excused"
