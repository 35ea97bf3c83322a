"""Pushing queued sign-ins to a central PostgreSQL or MariaDB: the product's sync vs a raw baseline.

Since migration 0008 the centre applies events itself (triggers run with the owner's rights; a
door only INSERTs): ``run_once`` then costs the insert plus the database applying the rules. The
raw baseline inserts the same rows into a copy of the centre whose triggers are switched off
(PostgreSQL ``DISABLE TRIGGER USER``; MariaDB: dropped), so it measures a bare insert, the cost
a door could not go below.

1. One kiosk with 10,000 queued accepted sign-ins (2,000 staff × 5 sessions) runs
   ``SyncAgent.run_once()`` — read the queue from SQLite, insert the events at the centre
   (idempotent), apply them to the centre's register (earliest wins), mark them pushed locally,
   then the incremental pull. Baseline: psycopg2 ``execute_values`` (page_size 1000, one commit)
   of the same 10,000 event rows, with the same columns and values the product stores
   (``received_at``/``pushed_at`` set, ``badge_version``), into a copy of the same centre
   (``ON CONFLICT DO NOTHING``).

   Like with like: the baseline only inserts events, while ``run_once`` also applies the register,
   marks the local rows and pulls. So two ratios are printed: the FULL one (``run_once`` vs
   ``execute_values``: the target, ≤ 2×) and INSERT-ONLY (the product's own event insert,
   ``db.sync.push._insert_events`` in one transaction on a fresh copy, vs ``execute_values``). Each
   side runs on its own fresh copy of the centre made from one template, so no side finds the
   other's rows or a warmer table. INSERT-ONLY is below 1× because the product sends each column
   as one array parameter (``INSERT … SELECT * FROM unnest(…)``) instead of a quoted ``VALUES`` list.
   When the server runs on this machine a CPU line follows: the bench process's CPU plus the
   server's own CPU for that one connection (its PostgreSQL backend, or its MariaDB thread by
   ``PROCESSLIST.TID``), read from /proc — on a shared machine wall time also waits for everyone
   else's work, CPU seconds do not.
2. Ten kiosk processes, each with 2,000 queued sign-ins (overlapping people, like doors of one
   hall), start pushing at the same instant; events/s = all events / (last finish − start).

Usage: ``python bench/sync_push.py [--url postgresql://user@host:5432/anydb | mysql://…]``
(default: ``KIOSK_TEST_PG_URL``). It creates and drops its own databases on that server. On
MariaDB the baseline is PyMySQL's ``executemany`` (multi-row ``INSERT IGNORE``, 1,000 rows per
call, one commit) into a copy whose two triggers are dropped, so it never applies anything; each
copy of the centre is copied table by table (MariaDB has no template databases), its triggers and
procedures made again. There ``run_once`` (a centre at 0013) inserts each batch as one
``JSON_TABLE`` statement, its rows stamped by the ``BEFORE INSERT`` trigger, then calls
``kiosk_apply_pushed`` once per batch (see :mod:`db.sync.centre_mariadb`); INSERT-ONLY times that
same JSON statement.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

STAFF = 2000
SESSIONS = 5
DAY_START = dt.datetime(2030, 3, 4, 1, 0)  # 09:00 Shanghai


def _server_url(base: str, name: str) -> str:
    return urlunparse(urlparse(base)._replace(path=f"/{name}"))


def _admin(base: str, sql: str) -> None:
    from db import database

    admin = database.make_database(base)
    admin.connect()
    admin.execute_sql(sql)
    admin.close()


def _is_mysql(url: str) -> bool:
    return url.startswith(("mysql", "mariadb"))


def create_db(base: str, prefix: str) -> tuple[str, str]:
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    if _is_mysql(base):
        _admin(base, f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
    else:
        _admin(base, f'CREATE DATABASE "{name}"')
    return name, _server_url(base, name)


def drop_db(base: str, name: str) -> None:
    if _is_mysql(base):
        _admin(base, f"DROP DATABASE IF EXISTS `{name}`")
        return
    _admin(base, f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
    _admin(base, f'DROP DATABASE IF EXISTS "{name}"')


def copy_centre(base: str, template: str, prefix: str) -> tuple[str, str]:
    """A fresh copy of the centre: by template (PostgreSQL) or made again (MariaDB)."""
    name, url = create_db(base, prefix)
    if _is_mysql(base):
        from db import database
        from db.sync import door_reads
        from db.sync.centre_mariadb import MY_GUARD, MY_RULES
        from db.sync.public_setting import VIEW_SQL

        handle = database.make_database(url)
        handle.connect()
        tables = [t for (t, _) in handle.execute_sql(
            f"SHOW FULL TABLES FROM `{template}` WHERE Table_type = 'BASE TABLE'").fetchall()]
        for table in tables:  # the same rows (and uids) as the template; no foreign keys needed
            handle.execute_sql(f"CREATE TABLE `{table}` LIKE `{template}`.`{table}`")
            handle.execute_sql(f"INSERT INTO `{table}` SELECT * FROM `{template}`.`{table}`")
        # what the migrations make besides tables: the view, the rules, the register's guard
        for statement in VIEW_SQL["mysql"] + MY_RULES + MY_GUARD:
            handle.execute_sql(statement)
        door_reads.install(handle)
        handle.close()
        return name, url
    drop_db(base, name)
    _admin(base, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return name, url


def without_rules(url: str) -> None:
    """Switch the centre's rule triggers off (the bare-insert baseline's copy)."""
    from db import database

    handle = database.make_database(url)
    handle.connect()
    if _is_mysql(url):
        from db.sync.centre_mariadb import TRIGGERS

        for trigger in TRIGGERS:
            handle.execute_sql(f"DROP TRIGGER IF EXISTS {trigger}")
    else:
        handle.execute_sql("ALTER TABLE sign_in_event DISABLE TRIGGER USER")
    handle.close()


class ServerCpu:
    """CPU seconds the server spent for one connection: its PostgreSQL backend process, or its
    MariaDB thread (``information_schema.PROCESSLIST.TID``), read from /proc — so only when the
    server runs on this machine. With the client's own ``process_time`` this gives a figure the
    other users of a shared machine do not move (wall time waits for their work too)."""

    def __init__(self, cursor_execute, mysql: bool) -> None:
        self.path = None
        if mysql:
            tid = cursor_execute("SELECT TID FROM information_schema.PROCESSLIST "
                                 "WHERE ID = CONNECTION_ID()")
            server = subprocess.run(["pgrep", "-x", "mariadbd|mysqld"], capture_output=True,
                                    text=True).stdout.split()
            if tid is not None and server:
                self.path = f"/proc/{server[0]}/task/{tid}/stat"
        else:
            self.path = f"/proc/{cursor_execute('SELECT pg_backend_pid()')}/stat"
        if self.path and not os.path.exists(self.path):
            self.path = None

    def seconds(self) -> float | None:
        if self.path is None:
            return None
        fields = Path(self.path).read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu(began_client: float, server: ServerCpu, began_server: float | None) -> float | None:
    """Client CPU since ``began_client`` plus the server's CPU for the connection (or None)."""
    now = server.seconds()
    if now is None or began_server is None:
        return None
    return time.process_time() - began_client + now - began_server


def make_centre(url: str) -> None:
    """Schema by the product's migrations; roster and sessions by its own writers."""
    from db import database, migrations
    from db.roster import StaffRecord, upsert_staff
    from db.sessions import add_session

    handle = database.bind(url)
    migrations.upgrade(handle)
    with handle.atomic():
        upsert_staff([StaffRecord(f"S{n:05d}", f"S{n:05d}", f"员工{n}", f"部门{n % 20:02d}", "",
                                  ("中心组",) if n % 10 == 0 else ()) for n in range(STAFF)])
        for s in range(SESSIONS):
            start = DAY_START + dt.timedelta(days=s)
            add_session({"title": f"学习{s}", "kind": "lecture", "start": start,
                         "end": start + dt.timedelta(hours=2)}, [("all", "")])
    handle.close()


def synced_home(home: Path, central: str) -> None:
    """A fresh kiosk home that got the roster and sessions by ``kiosk sync`` (the real command)."""
    home.mkdir(parents=True)
    env = {**os.environ, "KIOSK_HOME": str(home), "KIOSK_LANG": "en"}
    env.pop("KIOSK_DB", None)
    kiosk = Path(sys.executable).parent / "kiosk"
    done = subprocess.run([str(kiosk), "sync", "--once", "--central", central], env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"kiosk sync failed: {done.stderr[-400:]}")


def queue_events(home: Path, kiosk_id: str, pairs: list[tuple[int, int]], minute: int) -> list[dict]:
    """Insert accepted sign-ins as the desk would have logged them (not yet pushed)."""
    from db import database
    from db.models import SignInEvent, StudySession

    handle = database.bind(f"sqlite:///{home / 'kiosk.db'}")
    uids = dict(StudySession.select(StudySession.id, StudySession.uid).tuples())
    handle.close()
    rows = []
    for n, (staff, session) in enumerate(pairs):
        at = DAY_START + dt.timedelta(days=session - 1, minutes=minute - 20, microseconds=n)
        rows.append({"id": str(uuid.uuid4()), "seq": n, "kiosk_id": kiosk_id, "at": at,
                     "method": "id", "result": "present", "reason": "", "staff_key": f"S{staff:05d}",
                     "session_id": session, "session_uid": uids[session], "input": "",
                     "note": "", "actor": ""})
    handle = database.bind(f"sqlite:///{home / 'kiosk.db'}")
    with handle.atomic():
        for i in range(0, len(rows), 500):
            SignInEvent.insert_many(rows[i:i + 500]).execute()
    handle.close()
    return rows


def push_once(home: Path) -> tuple[float, float | None]:
    """The product's sync round on ``home``: (seconds, CPU seconds of this process and of the
    centre's connection); asserts nothing stays queued. The central connection is opened before
    the clock starts (as the baseline's is); ``run_once`` reuses it."""
    from db import database
    from kiosk import config
    from kiosk.syncer import SyncAgent

    os.environ["KIOSK_HOME"] = str(home)
    settings = config.load(environ={"KIOSK_HOME": str(home)})
    database.bind(settings.db_url)
    agent = SyncAgent(settings)
    central = agent._central_db(settings.central_url)
    central.connect()
    server = ServerCpu(lambda sql: central.execute_sql(sql).fetchone()[0],
                       _is_mysql(settings.central_url))
    began, began_client, began_server = time.perf_counter(), time.process_time(), server.seconds()
    report = agent.run_once()
    elapsed = time.perf_counter() - began
    cpu = _cpu(began_client, server, began_server)
    if not report.reachable or report.error or report.queued:
        raise SystemExit(f"sync failed: {report}")
    agent.close()
    database.proxy.obj.close()
    return elapsed, cpu


def _as_stored(rows: list[dict], now: dt.datetime) -> list[dict]:
    """The rows as the centre stores them (acknowledged and received now)."""
    return [{**r, "pushed_at": now, "received_at": now, "badge_version": r.get("badge_version")}
            for r in rows]


def raw_push(url: str, rows: list[dict]) -> tuple[float, float | None]:
    if _is_mysql(url):
        return raw_push_mysql(url, rows)
    import psycopg2
    from psycopg2.extras import execute_values

    from db.sync import EVENT_COLUMNS

    p = urlparse(url)
    con = psycopg2.connect(host=p.hostname, port=p.port or 5432, user=p.username,
                           password=p.password, dbname=p.path.lstrip("/"))
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    values = [tuple(r[c] for c in EVENT_COLUMNS) for r in _as_stored(rows, now)]
    server = ServerCpu(lambda sql: _fetch_one(con, sql), mysql=False)
    began, began_client, began_server = time.perf_counter(), time.process_time(), server.seconds()
    with con.cursor() as cur:
        execute_values(cur, f"INSERT INTO sign_in_event ({', '.join(EVENT_COLUMNS)}) VALUES %s "
                            "ON CONFLICT DO NOTHING", values, page_size=1000)
    con.commit()
    elapsed = time.perf_counter() - began
    cpu = _cpu(began_client, server, began_server)
    con.close()
    return elapsed, cpu


def _fetch_one(con, sql: str):
    with con.cursor() as cur:
        cur.execute(sql)
        return cur.fetchone()[0]


def raw_push_mysql(url: str, rows: list[dict]) -> tuple[float, float | None]:
    import pymysql

    from db.sync import EVENT_COLUMNS

    p = urlparse(url)
    con = pymysql.connect(host=p.hostname, port=p.port or 3306, user=p.username,
                          password=p.password or "", database=p.path.lstrip("/"), charset="utf8mb4")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    values = [tuple(r[c] for c in EVENT_COLUMNS) for r in _as_stored(rows, now)]
    marks = ", ".join(["%s"] * len(EVENT_COLUMNS))
    server = ServerCpu(lambda sql: _fetch_one(con, sql), mysql=True)
    began, began_client, began_server = time.perf_counter(), time.process_time(), server.seconds()
    with con.cursor() as cur:
        for i in range(0, len(values), 1000):
            cur.executemany(f"INSERT IGNORE INTO sign_in_event ({', '.join(EVENT_COLUMNS)}) "
                            f"VALUES ({marks})", values[i:i + 1000])
    con.commit()
    elapsed = time.perf_counter() - began
    cpu = _cpu(began_client, server, began_server)
    con.close()
    return elapsed, cpu


def product_insert(url: str, rows: list[dict]) -> float:
    """Only the product's event insert (the statement ``push_batch`` uses), one transaction."""
    from db import database
    from db.sync import push as store

    central = database.make_database(url)
    central.connect()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    began = time.perf_counter()
    stored = _as_stored(rows, now)
    with central.atomic():
        store._insert_events(central, stored, as_json=True)  # (PostgreSQL: its unnest statement)
    elapsed = time.perf_counter() - began
    central.close()
    return elapsed


def worker(home: str, start_at: float) -> None:
    """One kiosk process of the concurrent run: wait for the common start, push, print times."""
    from db import database
    from kiosk import config

    settings = config.load(environ={"KIOSK_HOME": home})
    database.bind(settings.db_url)  # warm: imports and local connection before the start
    while time.time() < start_at:
        time.sleep(0.001)
    began = time.time()
    push_once(Path(home))
    print(f"{began} {time.time()}")


def report_one(url: str, n: int, ours: list[float], raw: list[float], inserts: list[float]) -> None:
    from db.database import redact_url

    best_ours, best_raw = min(ours), min(raw)
    engine = "MariaDB" if _is_mysql(url) else "PostgreSQL"
    print(f"central {engine}: {redact_url(url)}  ({os.cpu_count()} cores; rules in the "
          "database, baseline into a copy without them)")
    print(f"1 kiosk, {n} queued events: sync run_once best {best_ours:.3f} s "
          f"(median {statistics.median(ours):.3f} s) = {n / best_ours:,.0f} events/s")
    baseline = "PyMySQL executemany" if _is_mysql(url) else "psycopg2 execute_values"
    print(f"raw {baseline} of the same rows: best {best_raw:.3f} s "
          f"(median {statistics.median(raw):.3f} s) = {n / best_raw:,.0f} events/s")
    print(f"FULL ratio (run_once / raw, best): {best_ours / best_raw:.2f}x   "
          f"(median: {statistics.median(ours) / statistics.median(raw):.2f}x)   target <= 2x")
    print(f"product event insert alone: best {min(inserts):.3f} s (median {statistics.median(inserts):.3f} s)"
          f"; INSERT-ONLY ratio (best): {min(inserts) / best_raw:.2f}x   "
          f"(median: {statistics.median(inserts) / statistics.median(raw):.2f}x)")
    sys.stdout.flush()


def report_cpu(ours: list[float | None], raw: list[float | None]) -> None:
    """The same comparison in CPU seconds (client process + the server's work for that
    connection), when the server is local: what the rules cost, whatever else the machine runs."""
    if None in ours or None in raw:
        return
    print(f"CPU (client + server connection): run_once best {min(ours):.3f} s "
          f"(median {statistics.median(ours):.3f} s), raw best {min(raw):.3f} s "
          f"(median {statistics.median(raw):.3f} s); CPU ratio best "
          f"{min(ours) / min(raw):.2f}x (median {statistics.median(ours) / statistics.median(raw):.2f}x); "
          f"load average {os.getloadavg()[0]:.2f}")
    sys.stdout.flush()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("KIOSK_TEST_PG_URL"),
                        help="a PostgreSQL or MariaDB URL on the server to use (any existing database)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--worker", nargs=2, metavar=("HOME", "START"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], float(args.worker[1]))
        return 0
    if not args.url:
        raise SystemExit("give --url or set KIOSK_TEST_PG_URL")

    pairs = [(st, se) for se in range(1, SESSIONS + 1) for st in range(STAFF)]
    ours, raw, inserts = [], [], []
    ours_cpu: list[float | None] = []
    raw_cpu: list[float | None] = []
    made: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
        tmp_path = Path(tmp)
        try:
            name, centre = create_db(args.url, "bench_sync")
            made.append(name)
            make_centre(centre)
            master = tmp_path / "master"
            synced_home(master, centre)
            for r in range(args.rounds):
                # a fresh centre register for each round
                rname, rurl = copy_centre(args.url, name, "bench_round")
                made.append(rname)
                home = tmp_path / f"one{r}"
                shutil.copytree(master, home)
                (home / "config.toml").write_text(f'[sync]\ncentral = "{rurl}"\n', encoding="utf-8")
                rows = queue_events(home, "door-1", pairs, minute=10)
                took, cpu = push_once(home)
                ours.append(took)
                ours_cpu.append(cpu)
                bname, burl = copy_centre(args.url, name, "bench_raw")
                made.append(bname)
                without_rules(burl)
                took, cpu = raw_push(burl, rows)
                raw.append(took)
                raw_cpu.append(cpu)
                iname, iurl = copy_centre(args.url, name, "bench_ins")
                made.append(iname)
                without_rules(iurl)
                inserts.append(product_insert(iurl, rows))
            report_one(args.url, len(pairs), ours, raw, inserts)
            report_cpu(ours_cpu, raw_cpu)
            # ten kiosk processes at once, against one fresh centre
            tname, turl = copy_centre(args.url, name, "bench_ten")
            made.append(tname)
            homes = []
            per_kiosk = 2000
            for k in range(10):
                home = tmp_path / f"ten{k}"
                shutil.copytree(master, home)
                (home / "config.toml").write_text(f'[kiosk]\nid = "door-{k}"\n[sync]\ncentral = "{turl}"\n',
                                                  encoding="utf-8")
                mine = [((k * 150 + j // SESSIONS) % STAFF, j % SESSIONS + 1) for j in range(per_kiosk)]
                queue_events(home, f"door-{k}", mine, minute=k)
                homes.append(home)
            start_at = time.time() + 3.0
            procs = [subprocess.Popen([sys.executable, __file__, "--worker", str(h), str(start_at)],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                     for h in homes]
            spans = []
            for p in procs:
                out, err = p.communicate(timeout=300)
                if p.returncode != 0:
                    raise SystemExit(f"worker failed: {err[-400:]}")
                spans.append(tuple(float(x) for x in out.split()))
            ten_wall = max(e for _, e in spans) - start_at
            from db import database
            from db.models import SignInEvent

            check = database.make_database(turl)
            check.connect()
            stored = SignInEvent.select().count(check)
            check.close()
            if stored != 10 * per_kiosk:
                raise SystemExit(f"centre holds {stored} events, expected {10 * per_kiosk}")
        finally:
            for n in made:
                drop_db(args.url, n)

    print(f"10 kiosk processes × {per_kiosk} events at once: {10 * per_kiosk / ten_wall:,.0f} events/s "
          f"(all done in {ten_wall:.2f} s; slowest kiosk {max(e - b for b, e in spans):.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
