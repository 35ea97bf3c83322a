"""``kiosk init`` on a live centre never leaves a moment without the centre's triggers (REVIEW M4).

MariaDB commits each DDL statement at once: a DROP TRIGGER then CREATE TRIGGER let a door's event
in between be stored without the centre's stamp, marks or apply. A door's real login pushes in a
loop while the owner runs ``kiosk init`` again and again — each time made to re-create the rules
(their kept digest cleared, as after an upgrade) — and every event must come out stamped and
marked. An init with the rules current re-creates nothing at all.
"""

from __future__ import annotations

import threading
import uuid

import peewee as pw
import pytest

from db import database
from db.models import StudySession
from tests.centre_helpers import add_open_session, recent_day
from tests.test_centre_roles import door_role  # noqa: F401 — the role fixture
from tests.test_sync import centre, kiosk  # noqa: F401 — the centre fixture

CENTRE_DAY = recent_day()
INITS = 6


def _triggers(owner: pw.Database) -> list[tuple]:
    if isinstance(owner, pw.MySQLDatabase):
        return owner.execute_sql(
            "SELECT TRIGGER_NAME, ACTION_TIMING, EVENT_MANIPULATION, ACTION_ORDER, CREATED "
            "FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() "
            "AND EVENT_OBJECT_TABLE = 'sign_in_event' ORDER BY 2, 3, 4").fetchall()
    return owner.execute_sql(  # a re-created PostgreSQL trigger gets a new oid
        "SELECT tgname, oid FROM pg_trigger WHERE tgrelid = 'sign_in_event'::regclass "
        "AND NOT tgisinternal ORDER BY tgname").fetchall()


@pytest.mark.parametrize("centre", ["mysql", "postgresql"], indirect=True)
def test_init_on_a_live_centre_never_lets_an_event_past_the_rules(centre, door_role, tmp_path):  # noqa: F811
    role, door_url = door_role
    kiosk(tmp_path / "owner", "centre", "grant-door", role, "--db", centre.url)
    session = add_open_session(centre.url)
    owner = database.make_database(centre.url)
    owner.connect()
    uid = StudySession.select(StudySession.uid).where(StudySession.id == session).scalar(owner)
    kiosk(tmp_path / "owner", "init", "--db", centre.url, "--no-keys")
    before = _triggers(owner)
    kiosk(tmp_path / "owner", "init", "--db", centre.url, "--no-keys")
    assert _triggers(owner) == before  # rules current: nothing made again
    if isinstance(owner, pw.MySQLDatabase):
        names = [row[0] for row in before if row[1:3] == ("BEFORE", "INSERT")]
        assert names.index("kiosk_stamp_receiver") < names.index("kiosk_z_door_bounds"), before

    stop, sent, failures = threading.Event(), [], []

    def push() -> None:  # a stolen door's 补签s, claiming another receiver, as fast as it can
        door = database.make_database(door_url)
        door.connect()
        try:
            while not stop.is_set():
                event_id = str(uuid.uuid4())
                with door.atomic():
                    door.execute_sql(
                        "INSERT INTO sign_in_event (id, seq, kiosk_id, at, method, result, "
                        "reason, staff_key, session_uid, input, note, actor, received_by) VALUES "
                        f"(%s, 1, 'east-door', {now}, 'manual', 'present', '', 'A1001', %s, "
                        "'', '', 'x', 'forged')", (event_id, uid))
                sent.append(event_id)
        except Exception as exc:  # the test fails on it below
            failures.append(repr(exc))
        finally:
            door.close()

    now = ("UTC_TIMESTAMP()" if isinstance(owner, pw.MySQLDatabase)
           else "now() AT TIME ZONE 'utc'")
    pusher = threading.Thread(target=push)
    pusher.start()
    try:
        for _ in range(INITS):
            with owner.atomic():  # as after an upgrade: the rules are made again
                owner.execute_sql("DELETE FROM kiosk_rules_digest")
            kiosk(tmp_path / "owner", "init", "--db", centre.url, "--no-keys")
    finally:
        stop.set()
        pusher.join(60)
    assert failures == [] and len(sent) > 50, (failures, len(sent))
    rows = owner.execute_sql("SELECT received_by, note FROM sign_in_event "
                             "WHERE kiosk_id = 'east-door'").fetchall()
    assert len(rows) == len(sent)
    loose = [r for r in rows if not (r[0] or "").startswith(role)
             or not (r[1] or "").startswith("not_applied_door_role")]
    assert loose == [], f"{len(loose)} of {len(rows)} events past the rules: {loose[:3]}"
    assert owner.execute_sql("SELECT count(*) FROM attendance WHERE session_id = %s "
                             "AND signed_in_at IS NOT NULL", (session,)).fetchone() == (0,)
    if isinstance(owner, pw.MySQLDatabase):  # the order of the triggers kept through it all
        names = [row[0] for row in _triggers(owner) if row[1:3] == ("BEFORE", "INSERT")]
        assert names.index("kiosk_stamp_receiver") < names.index("kiosk_z_door_bounds")
    owner.close()
