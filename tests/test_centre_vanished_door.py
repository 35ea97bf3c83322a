"""A door that vanishes mid-push no longer stalls the other doors for hours (FINDINGS 29).

The tester's scenario, on both servers: a door role's connection goes through a relay that
stalls (its Wi-Fi drops between its INSERT and its COMMIT), holding the register row of the
person it signed in. Another door's push for that person is refused within its round, saying
another connection holds these rows (not "cannot connect"); the server then ends the dead
door's session by itself (PostgreSQL: the ``idle_in_transaction_session_timeout`` grant-door
sets on the role — the dead door here connects as psql would, with no bounds of its own;
MariaDB: the ``idle_transaction_timeout`` a kiosk's connection sets when it connects), and the
next round of the other door pushes.
"""

from __future__ import annotations

import time
import uuid
from urllib.parse import urlparse

from db import database
from db.models import Attendance, StudySession, utcnow
from tests.centre_helpers import add_open_session, new_home, recent_day
from tests.relay import Relay
from tests.test_centre_roles import door_role  # noqa: F401 — the role fixture
from tests.test_sync import centre, kiosk  # noqa: F401 — the centre fixture

CENTRE_DAY = recent_day()


def _open_transactions(owner, role: str) -> int:
    if isinstance(owner, database.MySQLDatabase):
        return owner.execute_sql(
            "SELECT COUNT(*) FROM information_schema.INNODB_TRX t JOIN information_schema.PROCESSLIST p "
            "ON p.ID = t.trx_mysql_thread_id WHERE p.USER = %s", (role,)).fetchone()[0]
    return owner.execute_sql("SELECT COUNT(*) FROM pg_stat_activity WHERE usename = %s "
                             "AND state LIKE 'idle in transaction%%'", (role,)).fetchone()[0]


def test_a_door_gone_mid_push_holds_no_rows_for_long(centre, door_role, tmp_path):  # noqa: F811
    role, door_url = door_role
    granted = kiosk(tmp_path / "owner", "centre", "grant-door", role, "--db", centre.url).stdout
    mysql = database.engine_of(centre.url) == "mysql"
    if not mysql:
        assert "idle_in_transaction_session_timeout = '30s'" in granted, granted
    sid = add_open_session(centre.url)
    door_b = new_home(tmp_path, "door_b", "door-b")
    kiosk(door_b, "sync", "--once", "--central", centre.url)  # the roster and the plan come down
    owner = database.make_database(centre.url)
    owner.connect()
    uid = StudySession.select(StudySession.uid).where(StudySession.id == sid).scalar(owner)
    parsed = urlparse(centre.url)
    relay = Relay(parsed.hostname, parsed.port)
    # MariaDB has no per-account settings: the door's own (kiosk) connection bounds itself
    dead = database.make_database(relay.url(door_url), database.Timeouts() if mysql else None)
    try:
        dead.connect()
        dead.begin()  # the door's push: INSERT … and the centre applies it (row locked) …
        dead.execute_sql(
            "INSERT INTO sign_in_event (id, seq, kiosk_id, at, method, result, reason, staff_key, "
            "session_uid, input, note, actor) VALUES (%s, 1, 'door-a', %s, 'id', 'present', '', "
            "'A1001', %s, '', '', '')", (str(uuid.uuid4()), utcnow(), uid))
        relay.stall()  # … and its network drops before the COMMIT
        stalled_at = time.monotonic()
        assert _open_transactions(owner, role) == 1

        kiosk(door_b, "signin", "A1001")
        started = time.monotonic()
        held = kiosk(door_b, "sync", "--once", check=1)
        assert time.monotonic() - started < 30
        assert "Another connection holds these rows" in held.stderr, held.stderr
        assert "Cannot reach" not in held.stderr

        while _open_transactions(owner, role) and time.monotonic() - stalled_at < 60:
            time.sleep(1)  # the server ends the vanished door's session by itself
        assert _open_transactions(owner, role) == 0
        assert time.monotonic() - stalled_at < database.IDLE_IN_TRANSACTION_S + 15
        done = kiosk(door_b, "sync", "--once")
        assert "0 still queued" in done.stdout, done.stdout + done.stderr
        row = (Attendance.select().where((Attendance.session == sid)
                                         & (Attendance.staff == "A1001")).get(owner))
        assert (row.status, row.kiosk_id) == ("present", "door-b")
    finally:
        relay.close()
        owner.close()
        try:
            dead.close()
        except Exception:  # (its connection is gone)
            pass
