"""Global identities and the one-centre rule, against a real central PostgreSQL and MariaDB.

Homes are real ``KIOSK_HOME`` folders driven through the real ``kiosk`` command; the centre is
made by ``kiosk init --db URL`` (see ``tests/test_sync.py``, whose fixtures these share).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import uuid
from pathlib import Path

import pytest

from db import database
from db import sync as store
from db.models import Attendance, Credit, Leave, SignInEvent, Staff, StudySession, utcnow
from db.roster import upsert_staff
from db.sessions import add_session
from db.sync import door_reads
from kiosk import config
from kiosk.syncer import arrival_status
from tests.conftest import SMALL_ROSTER, wall
from tests.test_sync import (  # noqa: F401 — the centre fixture
    DAY,
    at_centre,
    centre,
    kiosk,
    local_events,
    new_home,
    signin,
)

ROSTER = "staff_id,name,department,groups\nA1001,张三,办公室,中心组\nZ9001,钱七,档案室,\n"


def local_rows(home: Path, model) -> list[dict]:
    handle = database.bind(config.sqlite_url_for(home))
    try:
        return list(model.select().dicts())
    finally:
        handle.close()


def centre_rows(place, model) -> list[dict]:
    handle = at_centre(place)
    try:
        return list(model.select().dicts())
    finally:
        handle.close()


def test_a_sign_in_goes_to_the_session_it_was_scanned_for_whatever_its_number(centre, tmp_path):  # noqa: F811 (the fixture)
    door = new_home(tmp_path, "door", "door-1")
    kiosk(door, "sync", "--once", "--central", centre.url)
    morning, central = centre.ids["morning"], centre.ids["central"]
    # this home numbers the morning session as the centre numbers the central-group one, and back
    with sqlite3.connect(door / "kiosk.db") as conn:
        for table, column in (("study_session", "id"), ("session_audience", "session_id"),
                              ("attendance", "session_id")):
            for old, new in ((morning, 9999), (central, morning), (9999, central)):
                conn.execute(f"UPDATE {table} SET {column} = ? WHERE {column} = ?", (new, old))
    morning_uid = {r["title"]: r["uid"] for r in centre_rows(centre, StudySession)}["机关学习日"]
    out = signin(door, "A1001", "08:55")
    assert (out["result"], out["session_id"]) == ("present", central)  # the local number
    kiosk(door, "sync", "--once")
    handle = at_centre(centre)
    event = SignInEvent.get(SignInEvent.staff_key == "A1001")
    assert (event.session_id, event.session_uid) == (morning, morning_uid)
    row = Attendance.get((Attendance.session == morning) & (Attendance.staff == "A1001"))
    assert (row.status, row.kiosk_id) == ("present", "door-1")
    assert Attendance.get((Attendance.session == central)
                          & (Attendance.staff == "A1001")).signed_in_at is None
    handle.close()
    # the pull matches sessions by uid: still three sessions here, under this home's numbers
    sessions = {r["uid"]: r["id"] for r in local_rows(door, StudySession)}
    assert len(sessions) == 3 and sessions[morning_uid] == central
    assert all(r["session_uid"] == morning_uid for r in local_events(door))


def test_an_event_for_a_session_the_centre_lacks_is_kept_and_attributed_to_none(centre):  # noqa: F811 (the fixture)
    central = database.make_database(centre.url)
    central.connect()
    row = {"id": str(uuid.uuid4()), "seq": 1, "kiosk_id": "door-9", "at": wall(f"{DAY} 08:55"),
           "method": "id", "result": "present", "reason": "", "staff_key": "A1001",
           "session_id": centre.ids["morning"], "session_uid": str(uuid.uuid4()), "input": "",
           "note": "", "actor": "", "pushed_at": None, "received_at": None, "badge_version": None}
    store.push_batch(central, [row], arrival_status)
    held = SignInEvent.select().where(SignInEvent.id == row["id"]).dicts().execute(central)[0]
    assert (held["session_id"], held["session_uid"]) == (None, row["session_uid"])
    assert not (Attendance.select().where(Attendance.signed_in_at.is_null(False))
                .exists(central))
    central.close()


def _as_before_global_identity(db: database.peewee.Database) -> None:
    """Turn a current database back into the schema-2 layout (no uids), as releases before
    migration 0003 left it; their ``schema_version`` then lacks 3 (and 18, whose views read the
    uid: ``kiosk init`` makes them again)."""
    if not isinstance(db, database.peewee.SqliteDatabase):
        for view in door_reads.VIEWS:
            db.execute_sql(f"DROP VIEW IF EXISTS {view}")
        db.execute_sql(f"DELETE FROM schema_version WHERE version = {door_reads.VIEWS_MIGRATION}")
    for table in ("staff", "study_session", "leave", "sign_in_event"):
        column = "session_uid" if table == "sign_in_event" else "uid"
        for index in db.get_indexes(table):
            if index.columns == [column]:
                on = f" ON {db.quote[0]}{table}{db.quote[1]}" if "mysql" in type(db).__name__.lower() else ""
                db.execute_sql(f"DROP INDEX {db.quote[0]}{index.name}{db.quote[1]}{on}")
        db.execute_sql(f"ALTER TABLE {db.quote[0]}{table}{db.quote[1]} DROP COLUMN {column}")
    db.execute_sql("DELETE FROM schema_version WHERE version = 3")
    db.execute_sql(f"DELETE FROM setting WHERE {db.quote[0]}key{db.quote[1]} = 'database_uid'")


def _count(url: str) -> int:
    handle = database.bind(url)
    try:
        return handle.execute_sql("SELECT COUNT(*) FROM sign_in_event").fetchone()[0]
    finally:
        handle.close()


def test_existing_centre_and_door_are_migrated_keeping_every_record(centre, tmp_path):  # noqa: F811 (the fixture)
    door = new_home(tmp_path, "door", "door-1")
    kiosk(door, "sync", "--once", "--central", centre.url)
    assert signin(door, "A1001", "08:55")["result"] == "present"
    kiosk(door, "sync", "--once")
    assert signin(door, "A1002", "08:57")["result"] == "present"  # queued over the upgrade
    assert signin(door, "B2001", "13:50")["result"] in ("present", "late")
    for url in (centre.url, config.sqlite_url_for(door)):
        handle = database.bind(url)
        _as_before_global_identity(handle)
        handle.close()
    before = {"centre": _count(centre.url), "door": _count(config.sqlite_url_for(door))}
    kiosk(tmp_path / "admin", "init", "--db", centre.url)
    kiosk(door, "init")
    centre_uids = {r["id"]: r["uid"] for r in centre_rows(centre, StudySession)}
    assert all(centre_uids.values()) and len(set(centre_uids.values())) == 3
    assert all(r["uid"] for r in centre_rows(centre, Staff))
    done = kiosk(door, "sync", "--once")
    assert "0 still queued" in done.stdout
    # the door took the centre's identities, and its queued events went to the right sessions
    assert {r["id"]: r["uid"] for r in local_rows(door, StudySession)} == centre_uids
    assert {r["key"]: r["uid"] for r in local_rows(door, Staff)} == {
        r["key"]: r["uid"] for r in centre_rows(centre, Staff)}
    events = centre_rows(centre, SignInEvent)
    assert len(events) == before["centre"] + 2 and len(local_events(door)) == before["door"]
    assert all(e["session_uid"] == centre_uids[e["session_id"]] for e in events)
    signed = {r["staff"] for r in centre_rows(centre, Attendance)
              if r["session"] == centre.ids["morning"] and r["signed_in_at"]}
    assert signed == {"A1001", "A1002"}


def _standalone_home(tmp_path: Path, name: str) -> Path:
    """An office that ran on its own: roster, a plan, sign-ins and a leave, never synced."""
    home = new_home(tmp_path, name, f"{name}-door")
    kiosk(home, "init")
    roster = tmp_path / f"{name}.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    kiosk(home, "staff", "import", str(roster))
    made = kiosk(home, "session", "add", "--title", "本地学习", "--kind", "lecture", "--start",
                 f"{DAY} 09:00", "--end", f"{DAY} 11:00", "--json")
    sid = json.loads(made.stdout)["id"]
    assert signin(home, "A1001", "08:55")["result"] == "present"
    kiosk(home, "leave", "add", "Z9001", "--session", str(sid), "--reason", "出差")
    kiosk(home, "credit", "add", "A1001", "--kind", "article", "--title", "学习心得",
          "--date", "2026-01-05", "--hours", "2")
    return home


def test_a_home_with_its_own_roster_is_refused_and_nothing_changes(centre, tmp_path):  # noqa: F811 (the fixture)
    home = _standalone_home(tmp_path, "office")
    config_before = (home / "config.toml").read_text(encoding="utf-8")
    local_before = {m.__name__: local_rows(home, m) for m in (Staff, StudySession, SignInEvent)}
    centre_before = {m.__name__: centre_rows(centre, m) for m in (Staff, StudySession, SignInEvent)}
    done = kiosk(home, "sync", "--once", "--central", centre.url, check=1)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "--adopt" in lines[0] and "2 people" in lines[0], done.stderr
    assert (home / "config.toml").read_text(encoding="utf-8") == config_before
    assert {m.__name__: local_rows(home, m) for m in (Staff, StudySession, SignInEvent)} == local_before
    assert {m.__name__: centre_rows(centre, m) for m in (Staff, StudySession, SignInEvent)} == centre_before
    # the running sync (no --once) stops too: retrying cannot make this home a mirror
    done = kiosk(home, "sync", "--central", centre.url, check=1, timeout=30)
    assert "--adopt" in done.stderr
    assert (home / "config.toml").read_text(encoding="utf-8") == config_before
    # --adopt refuses a centre that already holds a plan, and changes nothing either
    done = kiosk(home, "sync", "--adopt", "--central", centre.url, check=1)
    assert "already holds a study plan (3 sessions)" in done.stderr
    assert {m.__name__: centre_rows(centre, m) for m in (Staff, StudySession, SignInEvent)} == centre_before
    assert {m.__name__: local_rows(home, m) for m in (Staff, StudySession, SignInEvent)} == local_before


@pytest.fixture(params=["postgresql", "mysql"])
def empty_centre(request, tmp_path) -> str:
    """A central database made by ``kiosk init``: no roster, no plan, no key."""
    url = request.getfixturevalue("pg_url" if request.param == "postgresql" else "mysql_url")
    kiosk(tmp_path, "init", "--db", url, "--no-keys")
    return url


def test_adopt_moves_a_standalone_office_whole_to_an_empty_centre(empty_centre, tmp_path):
    engine_url = empty_centre
    home = _standalone_home(tmp_path, "office")
    local = {m.__name__: local_rows(home, m) for m in (Staff, StudySession, Leave, SignInEvent)}
    done = kiosk(home, "sync", "--adopt", "--central", engine_url)
    assert "2 people, 1 sessions, 1 leaves" in done.stdout and "0 still queued" in done.stdout
    handle = database.bind(engine_url)
    try:
        assert ({(r["key"], r["uid"]) for r in Staff.select().dicts()}
                == {(r["key"], r["uid"]) for r in local["Staff"]})
        assert ([(r["id"], r["uid"], r["title"]) for r in StudySession.select().dicts()]
                == [(r["id"], r["uid"], r["title"]) for r in local["StudySession"]])
        assert [(r["uid"], r["reason"]) for r in Leave.select().dicts()] == [
            (r["uid"], r["reason"]) for r in local["Leave"]]
        assert {r["id"] for r in SignInEvent.select().dicts()} == {r["id"] for r in local["SignInEvent"]}
        assert [(c.staff_id, c.title, c.hours) for c in Credit.select()] == [("A1001", "学习心得", 2.0)]
        row = Attendance.get(Attendance.staff == "A1001")
        assert (row.status, row.kiosk_id) == ("present", "office-door")
        assert Attendance.get(Attendance.staff == "Z9001").status == "excused"
    finally:
        handle.close()
    # now a mirror: it syncs plainly, and a second door joins it
    kiosk(home, "sync", "--once")
    door = new_home(tmp_path, "door2", "door-2")
    kiosk(door, "sync", "--once", "--central", engine_url)
    assert [r["uid"] for r in local_rows(door, StudySession)] == [
        r["uid"] for r in local["StudySession"]]
    # a second adopt is refused: the centre holds a plan now
    kiosk(home, "sync", "--adopt", check=1)



@pytest.fixture(params=["postgresql", "mysql"])
def centre_now(request, tmp_path) -> str:
    """A centre whose one session runs now (sign-ins at the real time, as at a door)."""
    url = request.getfixturevalue("pg_url" if request.param == "postgresql" else "mysql_url")
    kiosk(tmp_path, "init", "--db", url, "--no-keys")
    handle = database.bind(url)
    start = utcnow().replace(second=0, microsecond=0) - dt.timedelta(minutes=20)
    with handle.atomic():
        upsert_staff(SMALL_ROSTER)
        add_session({"title": "机关学习日", "kind": "learning_day", "start": start,
                     "end": start + dt.timedelta(hours=2)}, [("all", "")])
    handle.close()
    return url


def test_a_second_door_knows_who_signed_in_at_the_first(centre_now, tmp_path):
    east, west = new_home(tmp_path, "east", "east door"), new_home(tmp_path, "west", "west door")
    for door in (east, west):
        kiosk(door, "sync", "--once", "--central", centre_now)
    first = json.loads(kiosk(east, "signin", "A1001", "--json").stdout)
    assert first["result"] in ("present", "late")
    kiosk(east, "sync", "--once")
    kiosk(west, "sync", "--once")
    again = kiosk(west, "signin", "A1001", "--json")
    out = json.loads(again.stdout)
    assert (out["result"], out["already_kiosk_id"]) == ("already", "east door")
    assert out["already_at"][:16] == first["at"][:16]
    hhmm = first["at"][11:16]
    text = kiosk(west, "signin", "A1001").stdout
    assert f"already signed in at {hhmm} (east door)" in text
    zh = kiosk(west, "signin", "A1001", env={"KIOSK_LANG": "zh"}).stdout
    assert f"已于 {hhmm} 在 east door 签到" in zh
    # the east door itself answers without naming a door: the sign-in is its own
    assert "(east door)" not in kiosk(east, "signin", "A1001").stdout
    # the west door's "already" attempts travel as events; the centre still holds one sign-in
    kiosk(west, "sync", "--once")
    handle = database.bind(centre_now)
    try:
        rows = list(Attendance.select().where((Attendance.staff == "A1001")
                                              & Attendance.signed_in_at.is_null(False)))
        assert [(r.kiosk_id, r.status) for r in rows] == [("east door", first["result"])]
        assert SignInEvent.select().where(SignInEvent.result == "already").count() == 3
    finally:
        handle.close()


def test_adopt_with_the_admins_credential_says_it_needs_the_owners(empty_centre, tmp_path):
    """FINDINGS 41: it said "cannot connect … permission denied for table attendance"."""
    import os
    import uuid
    from urllib.parse import urlparse, urlunparse

    name = f"ka_{uuid.uuid4().hex[:10]}"
    engine = database.engine_of(empty_centre)
    base = os.environ["KIOSK_TEST_PG_URL" if engine == "postgresql" else "KIOSK_TEST_MYSQL_URL"]
    root = database.make_database(base)
    root.connect()
    root.execute_sql(f"CREATE ROLE {name} LOGIN" if engine == "postgresql"
                     else f"CREATE USER '{name}'@'%%'")
    try:
        grant = name if engine == "postgresql" else f"{name}@%"
        kiosk(tmp_path / "owner", "centre", "grant-admin", grant, "--db", empty_centre)
        parsed = urlparse(empty_centre)
        admin_url = urlunparse(parsed._replace(netloc=f"{name}@{parsed.hostname}:{parsed.port}"))
        home = _standalone_home(tmp_path, "office")
        done = kiosk(home, "sync", "--adopt", "--central", admin_url, check=1)
        assert "needs the centre owner's credential" in done.stderr, done.stderr
        assert "Cannot reach" not in done.stderr
    finally:
        if engine == "postgresql":
            owner = database.make_database(empty_centre)
            owner.connect()
            owner.execute_sql(f"DROP OWNED BY {name}")
            owner.close()
            root.execute_sql(f"DROP ROLE {name}")
        else:
            root.execute_sql(f"DROP USER '{name}'@'%%'")
        root.close()
