"""An admin's and a host's credential at the centre (FINDINGS 35, 38), as real roles.

Real PostgreSQL roles / MariaDB accounts granted by the real ``kiosk centre grant-*`` command:
the admin's credential deletes nothing the product never deletes (the server refuses it), the
schema refuses removing a session that has register rows whoever asks (``RESTRICT``, migration
0019, also on a centre whose keys were ``CASCADE``), and a host's or an admin's hand-made events
with no reason, a door's kiosk id or a future time are kept but never applied, while the host's
real actions still work.
"""

from __future__ import annotations

import datetime as dt
import uuid

import peewee as pw
import pytest

from db import database
from db.models import Attendance, Leave, SignInEvent, StudySession, utcnow
from db.sync.centre_admin_guard import restrict_deletes
from kiosk.host_actions import HostActions
from tests.conftest import TZ, wall
from tests.test_centre_hardening import DAY, MORNING_UTC, register
from tests.test_centre_roles import door_role, refused  # noqa: F401 — the role fixture
from tests.test_sync import centre, kiosk  # noqa: F401 — the centre fixture

CENTRE_DAY = DAY


def _owner(centre):  # noqa: F811
    handle = database.make_database(centre.url)
    handle.connect()
    return handle


def _event(handle: pw.Database, uid: str, staff: str, result: str, at, *, note: str = "",
           kiosk_id: str = "host-pc", method: str = "manual") -> str:
    event_id = str(uuid.uuid4())
    with handle.atomic():
        handle.execute_sql(
            "INSERT INTO sign_in_event (id, seq, kiosk_id, at, method, result, reason, staff_key, "
            "session_uid, input, note, actor) VALUES (%s, 95, %s, %s, %s, %s, '', %s, %s, '', %s, "
            "'x')", (event_id, kiosk_id, at, method, result, staff, uid, note))
    return event_id


def _note(owner: pw.Database, event_id: str) -> str:
    return SignInEvent.select(SignInEvent.note).where(SignInEvent.id == event_id).scalar(owner)


def test_the_admin_deletes_nothing_the_product_never_deletes(centre, door_role, tmp_path):  # noqa: F811
    role, url = door_role
    kiosk(tmp_path / "owner", "centre", "grant-admin", role, "--db", centre.url)
    owner = _owner(centre)
    morning = centre.ids["morning"]
    uid = StudySession.select(StudySession.uid).where(StudySession.id == morning).scalar(owner)
    _event(owner, uid, "A1002", "late", MORNING_UTC["late"], kiosk_id="east", method="id")
    _event(owner, uid, "B2001", "leave", MORNING_UTC["early"], note="出差")
    before = register(owner, morning)
    assert before["A1002"][0] == "late" and before["B2001"][0] == "excused"
    admin = database.make_database(url)
    admin.connect()
    q = admin.quote
    try:
        for table in ("study_session", "staff", "leave", "credit", "department", "setting"):
            message = refused(admin, f"DELETE FROM {q[0]}{table}{q[1]}")
            assert "denied" in message, (table, message)
    finally:
        admin.close()
    # whoever asks (the owner here), a session with register rows or leaves is not removed
    for sql in (f"DELETE FROM study_session WHERE id = {morning}",):
        with pytest.raises(pw.IntegrityError):
            with owner.atomic():
                owner.execute_sql(sql)
    assert register(owner, morning) == before
    assert Leave.select().where(Leave.session == morning).count(owner) == 1
    owner.close()


def test_a_centre_whose_register_followed_its_session_keeps_it_after_the_upgrade(centre):  # noqa: F811
    owner = _owner(centre)
    morning = centre.ids["morning"]
    try:
        mysql = database.engine_of(centre.url) == "mysql"
        with owner.atomic():  # as the schema of an older build: the register cascades
            if mysql:
                name = owner.execute_sql(
                    "SELECT CONSTRAINT_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE "
                    "CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = 'attendance' AND "
                    "REFERENCED_TABLE_NAME = 'study_session'").fetchone()[0]
                owner.execute_sql(f"ALTER TABLE attendance DROP FOREIGN KEY `{name}`")
                owner.execute_sql(f"ALTER TABLE attendance ADD CONSTRAINT `{name}` FOREIGN KEY "
                                  "(session_id) REFERENCES study_session (id) ON DELETE CASCADE")
            else:
                name = owner.execute_sql(
                    "SELECT conname FROM pg_constraint WHERE contype = 'f' AND conrelid = "
                    "'attendance'::regclass AND confrelid = 'study_session'::regclass").fetchone()[0]
                owner.execute_sql(f'ALTER TABLE attendance DROP CONSTRAINT "{name}", ADD CONSTRAINT '
                                  f'"{name}" FOREIGN KEY (session_id) REFERENCES study_session (id) '
                                  "ON DELETE CASCADE")
        with owner.atomic():
            done = restrict_deletes(owner)
        assert done and all("RESTRICT" in sql or "DROP" in sql for sql in done), done
        with owner.atomic():
            assert restrict_deletes(owner) == []  # idempotent
        rows = Attendance.select().where(Attendance.session == morning).count(owner)
        assert rows > 0
        with pytest.raises(pw.IntegrityError):
            with owner.atomic():
                owner.execute_sql(f"DELETE FROM study_session WHERE id = {morning}")
        assert Attendance.select().where(Attendance.session == morning).count(owner) == rows
    finally:
        owner.close()


@pytest.mark.parametrize("kind", ["host", "admin"])
def test_a_host_or_admin_event_keeps_the_host_views_rules(centre, door_role, kind, tmp_path):  # noqa: F811
    role, url = door_role
    kiosk(tmp_path / "owner", "centre", f"grant-{kind}", role, "--db", centre.url)
    owner = _owner(centre)
    morning = centre.ids["morning"]
    uid = StudySession.select(StudySession.uid).where(StudySession.id == morning).scalar(owner)
    with owner.atomic():  # a door bound to its kiosk id (db.sync.centre_guard_sql)
        owner.execute_sql("INSERT INTO kiosk_door (role, kiosk_id, bound_at) "
                          "VALUES ('some_door', 'east-door', %s)", (utcnow(),))
    handle = database.make_database(url)
    handle.connect()
    ahead = (utcnow() + dt.timedelta(minutes=5)).replace(microsecond=0)
    try:
        held = {  # the tester's: a 2099 sign-in, no reason, attributed to a door …
            "future": _event(handle, uid, "A1008", "present", ahead, note="补签"),
            "no_reason": _event(handle, uid, "A1001", "present", MORNING_UTC["late"],
                                method="id"),
            "door_kiosk": _event(handle, uid, "A1002", "late", MORNING_UTC["late"],
                                 note="补签", kiosk_id="east-door"),
        }
        undo = _event(handle, uid, "B2001", "leave", MORNING_UTC["early"], note="")
        # … and what a host really does: a 补签 with its reason from its own PC, applied
        fine = _event(handle, uid, "B2002", "late", MORNING_UTC["late"], note="忘带卡")
    finally:
        handle.close()
    for reason, event_id in held.items():
        assert _note(owner, event_id).startswith(f"not_applied_door_role:{reason}"), reason
    assert _note(owner, undo).startswith("not_applied_door_role:no_reason")
    assert _note(owner, fine) == "忘带卡"
    rows = register(owner, morning)
    assert rows["B2002"][0] == "late"
    assert all(rows[key][0] == "pending" for key in ("A1001", "A1002", "B2001")), rows
    assert "A1008" not in rows or rows["A1008"][0] == "pending"
    # the host view on a PC whose [kiosk] id is a door's: told so (a leave from it still stands)
    host = database.bind(url)
    try:
        actions = HostActions(host, tz=TZ, kiosk_id="east-door", clock=lambda: wall(f"{DAY} 09:20"))
        out = actions.manual_signin("A1002", morning, "忘带卡", actor="主持人")
        assert (out.result, out.reason) == ("refused", "door_kiosk_id"), out
        assert actions.record_leave("B2001", morning, "会议", actor="主持人").result == "leave"
    finally:
        host.close()
    assert register(owner, morning)["A1002"][0] == "pending"
    assert register(owner, morning)["B2001"][0] == "excused"
    owner.close()


def test_a_host_undoes_a_sign_in_a_fast_door_timed_ahead(centre, door_role, tmp_path):  # noqa: F811
    """The undo is timed at the sign-in it undoes (the centre's rule), which a door whose clock
    ran ahead timed after now: still applied."""
    role, url = door_role
    kiosk(tmp_path / "owner", "centre", "grant-host", role, "--db", centre.url)
    from tests.centre_helpers import add_open_session

    sid = add_open_session(centre.url)
    owner = _owner(centre)
    uid = StudySession.select(StudySession.uid).where(StudySession.id == sid).scalar(owner)
    ahead = (utcnow() + dt.timedelta(minutes=8)).replace(microsecond=0)
    _event(owner, uid, "A1001", "present", ahead, kiosk_id="east", method="id")
    assert register(owner, sid)["A1001"][1] is not None
    host = database.bind(url)
    try:
        done = HostActions(host, tz=TZ, kiosk_id="host-pc").undo_signin("A1001", sid, "扫错了人",
                                                                        actor="主持人")
        assert done.result == "undone", done
    finally:
        host.close()
    assert register(owner, sid)["A1001"][1] is None
    owner.close()
