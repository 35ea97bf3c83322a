"""What a door's bounds (migration 0014, db/sync/centre_guard_sql) cost a push: the same 10,000
events pushed by the product's own code (``db.sync.push.push_batch``, batches of
``PUSH_BATCH``) into a fresh centre as the owner (not bound: only the receive-time stamp) and as a
door role granted by ``kiosk centre grant-door``'s code (its kiosk id, its latest time and each
sign-in's session checked per event). Both sides apply the register in the database as usual.

Usage: ``python bench/door_push.py [--url postgresql://postgres@host/anydb | mysql://root@…]``
(default ``KIOSK_TEST_PG_URL``; the account must create databases and roles). Prints the best of
``--runs`` runs per side and the ratio door / owner.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from db import database, migrations  # noqa: E402
from db.models import StudySession, utcnow  # noqa: E402
from db.roster import StaffRecord, upsert_staff  # noqa: E402
from db.sessions import add_session  # noqa: E402
from db.sync import grants  # noqa: E402
from db.sync.common import PUSH_BATCH  # noqa: E402
from db.sync.push import push_batch  # noqa: E402
from kiosk.syncer import arrival_status  # noqa: E402

STAFF, SESSIONS = 2000, 5
PASSWORD = "bench-Door-1"


def admin_run(base: str, sql: str) -> None:
    handle = database.make_database(base)
    handle.connect()
    handle.execute_sql(sql.replace("%", "%%") if base.startswith("mysql") else sql)
    handle.close()


def fresh_centre(base: str) -> tuple[str, str]:
    """A new database with the schema, 2,000 people and five sessions of yesterday evening."""
    name = f"bench_door_{uuid.uuid4().hex[:8]}"
    admin_run(base, f"CREATE DATABASE {name}")
    url = urlunparse(urlparse(base)._replace(path=f"/{name}"))
    handle = database.bind(url)
    migrations.upgrade(handle)
    start = (utcnow() - dt.timedelta(hours=20)).replace(microsecond=0)
    with handle.atomic():
        upsert_staff([StaffRecord(f"X{i:05d}", f"X{i:05d}", f"同事{i}", "办公室", "", ())
                      for i in range(STAFF)])
        for s in range(SESSIONS):
            add_session({"title": f"学习{s}", "kind": "other",
                         "start": start + dt.timedelta(minutes=30 * s),
                         "end": start + dt.timedelta(minutes=30 * s + 25)}, [("all", "")])
    handle.close()
    return url, name


def events(url: str) -> list[dict]:
    """The door's queue: each person at each session, in the order the door made them."""
    handle = database.make_database(url)
    handle.connect()
    sessions = list(StudySession.select(StudySession.id, StudySession.uid, StudySession.start)
                    .order_by(StudySession.start).tuples().execute(handle))
    handle.close()
    rows, seq = [], 0
    for sid, uid, start in sessions:
        for i in range(STAFF):
            seq += 1
            rows.append({"id": str(uuid.uuid4()), "seq": seq, "kiosk_id": "east-door",
                         "at": start - dt.timedelta(minutes=5) + dt.timedelta(milliseconds=i),
                         "method": "id", "result": "present", "reason": "",
                         "staff_key": f"X{i:05d}", "session_id": sid, "input": "", "note": "",
                         "actor": "", "pushed_at": None, "received_at": None,
                         "badge_version": None, "session_uid": uid})
    return rows


def push_all(url: str, rows: list[dict]) -> float:
    handle = database.make_database(url)
    handle.connect()
    began = time.perf_counter()
    for i in range(0, len(rows), PUSH_BATCH):
        push_batch(handle, rows[i:i + PUSH_BATCH], arrival_status)
    took = time.perf_counter() - began
    handle.close()
    return took


def door_url(base: str, url: str, role: str) -> str:
    mysql = base.startswith("mysql")
    admin_run(base, f"CREATE USER '{role}'@'%' IDENTIFIED BY '{PASSWORD}'" if mysql
              else f"CREATE ROLE {role} LOGIN PASSWORD '{PASSWORD}'")
    owner = database.make_database(url)
    owner.connect()
    grants.grant(owner, "door", role)
    owner.close()
    parsed = urlparse(url)
    return urlunparse(parsed._replace(netloc=f"{role}:{PASSWORD}@{parsed.hostname}:{parsed.port}"))


def one_run(base: str, as_door: bool) -> float:
    url, name = fresh_centre(base)
    role = f"bench_door_{uuid.uuid4().hex[:6]}"
    try:
        target = door_url(base, url, role) if as_door else url
        took = push_all(target, events(url))
        check = database.make_database(url)
        check.connect()
        applied = check.execute_sql("SELECT count(*) FROM attendance WHERE signed_in_at IS NOT NULL"
                                    ).fetchone()[0]
        check.close()
        assert applied == STAFF * SESSIONS, f"only {applied} applied"  # like with like
        return took
    finally:
        admin_run(base, f"DROP DATABASE {name}")
        if as_door:
            if base.startswith("mysql"):
                admin_run(base, f"DROP USER '{role}'@'%'")
            else:
                admin_run(base, f"DROP ROLE {role}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("KIOSK_TEST_PG_URL"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not args.url:
        print("give --url or set KIOSK_TEST_PG_URL")
        return 2
    owner = [one_run(args.url, False) for _ in range(args.runs)]
    door = [one_run(args.url, True) for _ in range(args.runs)]
    n = STAFF * SESSIONS
    print(f"centre: {database.redact_url(args.url)}; {n:,} events in batches of {PUSH_BATCH}")
    print(f"as the owner (not bound): best {min(owner):.3f} s  ({n / min(owner):,.0f} events/s)")
    print(f"as a door role (bounds checked): best {min(door):.3f} s  ({n / min(door):,.0f} events/s)")
    print(f"ratio door / owner (best): {min(door) / min(owner):.2f}x   "
          f"(median: {sorted(door)[len(door) // 2] / sorted(owner)[len(owner) // 2]:.2f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
