"""An event is applied once, at its arrival, whatever time its deliverer names (FINDINGS 25).

The tester's attack, as a real door role: the door delivers a sign-in with a ``received_at`` of
its own choosing, the host undoes it (the real host actions, as a real host role), and the door
then asks the centre to apply its old event again — on MariaDB by calling ``kiosk_apply_pushed``
with the old ids, on PostgreSQL by inserting the same event again. The host's undo must stand.
(That the centre stamps ``received_at`` itself is FINDINGS 2: tests/test_door_bounds.py.)
"""

from __future__ import annotations

import datetime as dt
import json
import uuid

import peewee as pw

from db import database
from db.models import Attendance, SignInEvent, StudySession
from kiosk.host_actions import HostActions
from tests.conftest import TZ
from tests.live_centre import live_centre, now_utc, role_of  # noqa: F401 — fixtures

FORGED = "2000-01-01 00:00:00"


def deliver(door: pw.Database, mysql: bool, event_id: str, uid: str, staff: str,
            at: dt.datetime, call: bool = True, received: object = FORGED) -> None:
    """The tester's statements: one sign-in with the door's own ``received_at``, then (MariaDB)
    the batch procedure with the same ids and time. ``INSERT`` that skips a known id, as the
    door's push does."""
    verb, tail = ("INSERT IGNORE", "") if mysql else ("INSERT", " ON CONFLICT DO NOTHING")
    with door.atomic():
        if mysql:
            door.execute_sql("SET @kiosk_batch = 1")
        door.execute_sql(
            f"{verb} INTO sign_in_event (id, seq, kiosk_id, {'`at`' if mysql else 'at'}, method, "
            "result, reason, staff_key, session_uid, input, note, actor, received_at, pushed_at) "
            f"VALUES (%s, 51, 'west-door', %s, 'id', 'present', '', %s, %s, '', '', '', %s, %s)"
            f"{tail}", (event_id, at, staff, uid, received, received))
        if mysql and call:
            apply_again(door, [event_id])


def apply_again(door: pw.Database, ids: list[str]) -> None:
    door.execute_sql("CALL kiosk_apply_pushed(%s, %s)", (json.dumps(ids), FORGED))


def signed_in(owner: pw.Database, sid: int, staff: str):
    return (Attendance.select(Attendance.signed_in_at)
            .where((Attendance.session == sid) & (Attendance.staff == staff)).scalar(owner))


def test_a_door_cannot_apply_its_event_again_over_a_hosts_undo(live_centre, role_of):  # noqa: F811
    mysql = live_centre.engine == "mysql"
    _, door_url = role_of("door")
    _, host_url = role_of("host")
    sid = live_centre.ids["now"]
    owner = live_centre.owner()
    door = database.make_database(door_url)
    door.connect()
    try:
        uid = StudySession.select(StudySession.uid).where(StudySession.id == sid).scalar(owner)
        event, at = str(uuid.uuid4()), now_utc() - dt.timedelta(minutes=1)
        deliver(door, mysql, event, uid, "A1001", at)
        assert signed_in(owner, sid, "A1001") == at

        host = database.bind(host_url)  # the host view's process, as the host's role
        try:
            undone = HostActions(host, tz=TZ, kiosk_id="host-1").undo_signin(
                "A1001", sid, "误刷", "刘主任")
            assert undone.result == "undone", undone
        finally:
            host.close()
        assert signed_in(owner, sid, "A1001") is None

        # the replay: the same event again (and, on MariaDB, the procedure named with its id,
        # in this transaction and in one of its own)
        deliver(door, mysql, event, uid, "A1001", at)
        if mysql:
            with door.atomic():
                door.execute_sql("SET @kiosk_batch = 1")
                apply_again(door, [event])
            apply_again(door, [event])
        assert signed_in(owner, sid, "A1001") is None  # the host's undo stands
        assert SignInEvent.select().where(SignInEvent.id == event).count(owner) == 1

        # the door still works: a new scan of someone else applies, once
        fresh = str(uuid.uuid4())
        deliver(door, mysql, fresh, uid, "A1002", at)
        assert signed_in(owner, sid, "A1002") == at
    finally:
        door.close()
        owner.close()


def test_mariadb_applies_an_event_only_from_the_connection_that_just_delivered_it(
        live_centre, role_of):  # noqa: F811
    """A batching insert never applied (no CALL) stays unapplied once its arrival is past; no
    other connection of the same account, nor the owner, can apply it."""
    if live_centre.engine != "mysql":
        return  # PostgreSQL applies what each INSERT inserts, in its statement trigger
    _, door_url = role_of("door")
    sid = live_centre.ids["now"]
    owner = live_centre.owner()
    door, other = database.make_database(door_url), database.make_database(door_url)
    door.connect()
    other.connect()
    try:
        uid = StudySession.select(StudySession.uid).where(StudySession.id == sid).scalar(owner)
        at = now_utc() - dt.timedelta(minutes=1)
        held = str(uuid.uuid4())
        deliver(door, True, held, uid, "B2001", at, call=False)
        assert signed_in(owner, sid, "B2001") is None
        apply_again(other, [held])  # the same account, another connection
        owner.execute_sql("CALL kiosk_apply_pushed(%s, NULL)", (json.dumps([held]),))
        assert signed_in(owner, sid, "B2001") is None
        # its arrival long past (its marker aged by the owner): the delivering connection too
        owner.execute_sql("UPDATE kiosk_pending SET `at` = `at` - INTERVAL 1 HOUR")
        apply_again(door, [held])
        assert signed_in(owner, sid, "B2001") is None
        # a batch applied as the push does it leaves no marker behind
        pushed = str(uuid.uuid4())
        deliver(door, True, pushed, uid, "B2002", at)
        assert signed_in(owner, sid, "B2002") == at
        left = list(owner.execute_sql("SELECT id FROM kiosk_pending").fetchall())
        assert left == [(held,)], left
    finally:
        door.close()
        other.close()
        owner.close()


def test_the_receive_time_is_the_centres_even_one_a_door_sends_from_a_minute_ago(
        live_centre, role_of):  # noqa: F811
    """FINDINGS 2 with 25: no time a door sends is kept, not even a plausible recent one (0014 kept
    one of the last five minutes on MariaDB for 0013's batch apply; 0016 stamps always)."""
    mysql = live_centre.engine == "mysql"
    _, door_url = role_of("door")
    sid = live_centre.ids["now"]
    owner = live_centre.owner()
    door = database.make_database(door_url)
    door.connect()
    try:
        uid = StudySession.select(StudySession.uid).where(StudySession.id == sid).scalar(owner)
        clock = "SELECT UTC_TIMESTAMP(6)" if mysql else \
            "SELECT CAST(now() AT TIME ZONE 'UTC' AS timestamp)"
        before = owner.execute_sql(clock).fetchone()[0]
        sent = before - dt.timedelta(minutes=3)
        event = str(uuid.uuid4())
        deliver(door, mysql, event, uid, "A1002", now_utc() - dt.timedelta(minutes=1),
                received=sent)
        stored = (SignInEvent.select(SignInEvent.received_at, SignInEvent.pushed_at)
                  .where(SignInEvent.id == event).tuples().get(owner))
        assert all(before <= stamp <= before + dt.timedelta(minutes=1) for stamp in stored), \
            (sent, stored)
        assert signed_in(owner, sid, "A1002") is not None  # and the push applied all the same
    finally:
        door.close()
        owner.close()
