"""The centre's rules as database code give the rules' results, however a batch is applied.

PostgreSQL applies a pushed batch in a statement trigger, MariaDB in ``kiosk_apply_pushed`` (one
call per batch, m0013), a SQLite test centre in Python (:mod:`db.sync.centre_rules`): random
batches of every kind of event, pushed through the real ``push_batch``, must leave the same
register and leaves everywhere. Then what only MariaDB's batch procedure has to get right: an
account applies only its own, newly delivered events (each once: test_centre_apply_once), and
an insert that never calls it is stamped and marked all the same.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from urllib.parse import urlparse, urlunparse

import peewee as pw
import pytest

from db import database, migrations
from db import sync as store
from db.models import Attendance, Leave, SignInEvent, StudySession
from kiosk.syncer import arrival_status
from tests.centre_helpers import SECRET, drop_password_user, with_password_user
from tests.conftest import make_office, wall

DAY = "2026-03-04"
PEOPLE = ["A1001", "A1002", "B2001", "B2002", "C3001", "Z9999"]  # C3001 inactive, Z9999 unknown
ATTENDANCE = (Attendance.session, Attendance.staff, Attendance.expected, Attendance.status,
              Attendance.signed_in_at, Attendance.signed_out_at, Attendance.early_leave,
              Attendance.method, Attendance.kiosk_id, Attendance.event_id)
LEAVE = (Leave.session, Leave.staff, Leave.reason, Leave.recorded_at, Leave.recorded_by,
         Leave.event_id, Leave.withdrawn_at, Leave.withdrawn_by)


def centre(url: str, keep: bool = False) -> dict[str, int]:
    """Migrate ``url`` and give it the small office (``keep``: leave the models bound to it)."""
    handle = database.bind(url)
    try:
        migrations.upgrade(handle)
        return make_office(handle, day=DAY)
    finally:
        if not keep:
            handle.close()


def random_batches(seed: int, sessions: list[int | None], count: int = 40,
                   people: list[str] = PEOPLE) -> list[list[dict]]:
    """Batches of every kind a door or a host sends, with ties in time (then the id decides)."""
    rng = random.Random(seed)
    kinds = [("present", "id"), ("late", "qr"), ("visitor", "card"), ("present", "manual"),
             ("signed_out", "id"), ("leave", "manual"), ("undo", "manual"),
             ("leave_withdrawn", "manual"), ("refused", "id")]
    batches, n = [], 0
    for _ in range(count):
        batch = []
        for _ in range(rng.randint(1, 12)):
            n += 1
            result, method = rng.choice(kinds)
            minute = rng.choice([0, 20, 45]) + rng.choice([0, 330])  # ties are common
            note = {"signed_out": rng.choice(["", "early_leave"]), "leave": rng.choice(["出差", ""]),
                    "undo": "扫错"}.get(result, "")
            batch.append({
                "id": f"{rng.getrandbits(32):08x}-0000-4000-8000-{n:012d}", "seq": n,
                "kiosk_id": rng.choice(["door-1", "door-2", "host"]),
                "at": wall(f"{DAY} 08:30") + dt.timedelta(minutes=minute), "method": method,
                "result": result, "reason": "", "staff_key": rng.choice(people),
                "session_id": rng.choice(sessions), "input": "", "note": note,
                "actor": "host" if method == "manual" else "", "pushed_at": None,
                "received_at": None, "badge_version": None})
        batches.append(batch)
    return batches


def tied(seed: int, session: int) -> list[dict]:
    """One batch of ties in time for A1002: the smaller id's sign-in and the larger id's sign-out
    must win, however the batch is ordered."""
    rows = []
    for n, (result, kiosk_id) in enumerate([("present", "door-2"), ("present", "door-1"),
                                            ("signed_out", "door-1"), ("signed_out", "door-2")]):
        rows.append({"id": f"{seed:08x}-0000-4000-8000-{n:012d}", "seq": n, "kiosk_id": kiosk_id,
                     "at": wall(f"{DAY} {'08:50' if result == 'present' else '10:40'}"),
                     "method": "id", "result": result, "reason": "", "staff_key": "A1002",
                     "session_id": session, "input": "", "note": "",
                     "actor": "", "pushed_at": None, "received_at": None, "badge_version": None})
    return rows[::-1] if seed % 2 else rows


def register(handle: pw.Database) -> tuple[list, list]:
    rows = sorted(Attendance.select(*ATTENDANCE).tuples().execute(handle), key=repr)
    leaves = sorted(Leave.select(*LEAVE).tuples().execute(handle), key=repr)
    return rows, leaves


def push_all(url: str, batches: list[list[dict]]) -> tuple[list, list]:
    handle = database.make_database(url)
    handle.connect()
    try:
        for batch in batches:
            store.push_batch(handle, batch, arrival_status)
        return register(handle)
    finally:
        handle.close()


@pytest.mark.parametrize("engine", ["postgresql", "mysql"])
def test_the_centres_rules_give_the_python_rules_results(engine, request, sqlite_url):
    url = request.getfixturevalue("pg_url" if engine == "postgresql" else "mysql_url")
    ids = centre(url)
    assert centre(sqlite_url) == ids
    sessions = [*ids.values(), None]
    crowded = ([ids["morning"], ids["central"]], ["A1001", "B2002"])  # many ties in one batch
    for seed, (where, who) in ((1, (sessions, PEOPLE)), (2, crowded), (3, (sessions, PEOPLE))):
        batches = [tied(seed, ids["morning"]), *random_batches(seed, where, people=who)]
        held, expected = push_all(url, batches), push_all(sqlite_url, batches)
        assert held == expected
    rows, leaves = held
    assert sum(1 for r in rows if r[4] is not None) > 5 and leaves  # the batches did something


def test_mariadb_and_postgresql_agree_on_batches_sent_again(pg_url, mysql_url):
    """A re-sent batch applies nothing on the servers (only rows the INSERT added count), even
    after a later undo or withdrawal: the two servers agree event for event."""
    ids = centre(pg_url)
    assert centre(mysql_url) == ids
    sessions = [*ids.values(), None]
    rng = random.Random(7)
    batches = random_batches(7, sessions, count=60)
    sent = [b if n < 5 or rng.random() > 0.3 else batches[rng.randrange(n)]
            for n, b in enumerate(batches)]
    assert push_all(pg_url, sent) == push_all(mysql_url, sent)


@pytest.fixture
def mariadb(mysql_url):
    ids = centre(mysql_url, keep=True)
    other = with_password_user(mysql_url)
    yield mysql_url, other, ids
    drop_password_user(mysql_url, other)


def sign_in(event_id: str, session: int, staff: str = "A1001") -> dict:
    """A door's accepted scan, as a push stores it (the session named by its uid)."""
    uid = StudySession.select(StudySession.uid).where(StudySession.id == session).scalar()
    return {"id": event_id, "session_uid": uid, "seq": 1, "kiosk_id": "door-1", "at": wall(f"{DAY} 08:55"),
            "method": "id", "result": "present", "reason": "", "staff_key": staff,
            "session_id": session, "input": "", "note": "", "actor": "", "pushed_at": None,
            "received_at": None, "badge_version": None}


def signed_in(handle: pw.Database, session: int, staff: str = "A1001"):
    return (Attendance.select(Attendance.signed_in_at)
            .where((Attendance.session == session) & (Attendance.staff == staff))
            .scalar(database=handle))


def test_mariadb_applies_only_what_this_account_just_delivered(mariadb):
    owner_url, other_url, ids = mariadb
    morning = ids["morning"]
    owner, other = database.make_database(owner_url), database.make_database(other_url)
    owner.connect()
    other.connect()
    try:
        # said it batches, never called: stamped like any event, left unapplied
        event = sign_in("10000000-0000-4000-8000-000000000001", morning)
        received = store.central_now(other)  # a push's receive time: the centre's (0014 keeps it)
        with other.atomic():
            other.execute_sql("SET @kiosk_batch = 1")
            store.push._insert_events(other, [{**event, "received_at": received}], as_json=True)
        received_by = (SignInEvent.select(SignInEvent.received_by)
                       .where(SignInEvent.id == event["id"]).scalar(database=owner))
        assert received_by.startswith(other_url.split("//")[1].split(":")[0] + "@")
        assert signed_in(owner, morning) is None
        # another account naming those events applies nothing
        owner.execute_sql("CALL kiosk_apply_pushed(%s, %s)",
                          (json.dumps([event["id"]]), wall(f"{DAY} 09:00")))
        assert signed_in(owner, morning) is None
        # the connection that delivered them, just now, does, whatever time it names (the
        # centre's own clock times the arrival, FINDINGS 25); the flag is off again
        other.execute_sql("SET @kiosk_batch = 1")
        other.execute_sql("CALL kiosk_apply_pushed(%s, %s)",
                          (json.dumps([event["id"]]), wall("2000-01-01 08:00")))
        assert signed_in(owner, morning) == event["at"]
        assert other.execute_sql("SELECT @kiosk_batch").fetchone()[0] is None
        # without the flag a plain INSERT is applied by the row trigger, as before 0013
        plain = sign_in("10000000-0000-4000-8000-000000000002", morning, staff="B2001")
        store.push._insert_events(other, [plain])
        assert signed_in(owner, morning, "B2001") == plain["at"]
    finally:
        owner.close()
        other.close()


def test_a_door_may_call_the_batch_apply_and_nothing_else(mariadb):
    """The per-event and per-batch procedures the triggers call are the owner's alone."""
    owner_url, _, ids = mariadb
    owner = database.make_database(owner_url)
    owner.connect()
    name = owner.execute_sql("SELECT DATABASE()").fetchone()[0]
    user = f"kb{uuid.uuid4().hex[:8]}"
    owner.execute_sql(f"CREATE USER '{user}'@'%%' IDENTIFIED BY '{SECRET}'")
    try:
        owner.execute_sql(f"GRANT INSERT ON `{name}`.`sign_in_event` TO '{user}'@'%%'")
        owner.execute_sql(f"GRANT EXECUTE ON PROCEDURE `{name}`.`kiosk_apply_pushed` "
                          f"TO '{user}'@'%%'")
        parsed = urlparse(owner_url)
        door = database.make_database(urlunparse(parsed._replace(
            netloc=f"{user}:{SECRET}@{parsed.hostname}:{parsed.port}")))
        door.connect()
        try:
            event = sign_in("10000000-0000-4000-8000-000000000003", ids["morning"])
            with door.atomic():
                received = store.central_now(door)
                door.execute_sql("SET @kiosk_batch = 1")
                store.push._insert_events(door, [{**event, "received_at": received}], as_json=True)
                door.execute_sql("CALL kiosk_apply_pushed(%s, %s)",
                                 (json.dumps([event["id"]]), received))
            assert signed_in(owner, ids["morning"]) == event["at"]
            for call in ("kiosk_apply_one('x')", "kiosk_apply_batch()"):
                with pytest.raises(pw.DatabaseError, match="denied"):
                    door.execute_sql(f"CALL {call}")
        finally:
            door.close()
    finally:
        owner.execute_sql(f"DROP USER IF EXISTS '{user}'@'%%'")
        owner.close()


def test_upgrading_gives_older_event_writers_the_batch_procedure(mariadb):
    """An account that could add events before 0013 (a door granted by an older build) may call
    the procedure once the centre is upgraded, so its next push (a new build) goes through."""
    from db.migrations import m0013_centre_batch_apply as m0013

    owner_url, other_url, _ = mariadb
    user = other_url.split("//")[1].split(":")[0]
    owner = database.make_database(owner_url)
    owner.connect()
    try:
        def grants() -> str:
            return " ".join(g for (g,) in owner.execute_sql(f"SHOW GRANTS FOR '{user}'@'%%'"))

        assert "kiosk_apply_pushed" not in grants()
        name = owner.execute_sql("SELECT DATABASE()").fetchone()[0]
        owner.execute_sql(f"GRANT INSERT ON `{name}`.`sign_in_event` TO '{user}'@'%%'")
        m0013.apply(owner, None)
        assert f"GRANT EXECUTE ON PROCEDURE `{name}`.`kiosk_apply_pushed`" in grants()
    finally:
        owner.close()
