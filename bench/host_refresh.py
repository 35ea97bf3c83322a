"""How much one refresh of the host view costs at 2,000 staff, and what a change check costs.

Run: ``python bench/host_refresh.py [--staff 2000] [--departments 30] [--repeat 200]``

Builds a throw-away SQLite office (WAL, synchronous=FULL, as in production), signs in about half
of the audience, then times, per call:

* ``snapshot``      — ``db.live.snapshot`` (counts per status and department, missing list, latest)
* ``raw baseline``  — the same three statements through the bare ``sqlite3`` module, measured in
                      this same run, so the Peewee overhead is visible
* ``data_version``  — ``PRAGMA data_version`` (the SQLite change detector the view polls)
* ``counts token``  — the portable detector used on PostgreSQL/MySQL (three index counts)
* ``MAX(seq)``      — the other obvious candidate

Target: a refresh ≤ 10 ms; the poll should be orders of magnitude cheaper than the refresh.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import call_times  # noqa: E402

from db import database, ledger, live, migrations  # noqa: E402
from db.roster import StaffRecord, upsert_staff  # noqa: E402
from db.sessions import add_session  # noqa: E402

RAW_COUNTS = """
SELECT s.department, a.expected, a.status, a.early_leave, a.signed_out_at IS NOT NULL, COUNT(*)
FROM attendance a JOIN staff s ON a.staff_id = s.key JOIN department d ON s.department = d.name
WHERE a.session_id = ?
GROUP BY d.sort_order, s.department, a.expected, a.status, a.early_leave, a.signed_out_at IS NOT NULL
ORDER BY d.sort_order, s.department"""
RAW_MISSING = """
SELECT s.staff_id, s.name, s.department
FROM attendance a JOIN staff s ON a.staff_id = s.key JOIN department d ON s.department = d.name
WHERE a.session_id = ? AND a.expected AND a.status = 'pending'
ORDER BY d.sort_order, s.department, s.key"""
RAW_RECENT = """
SELECT e.at, s.staff_id, s.name, s.department, e.method, e.kiosk_id, e.result, e.actor, e.staff_key
FROM sign_in_event e LEFT JOIN staff s ON e.staff_key = s.key
WHERE e.session_id = ? AND e.result IN ('present', 'late', 'visitor', 'signed_out', 'undo')
ORDER BY e.at DESC, e.seq DESC LIMIT 12"""


def build_office(staff: int, departments: int) -> int:
    start = dt.datetime(2026, 11, 28, 1, 0)
    records = [StaffRecord(f"S{i:05d}", f"S{i:05d}", f"员工{i:05d}", f"部门{i % departments:02d}")
               for i in range(staff)]
    db = database.proxy.obj
    with db.atomic():
        upsert_staff(records)
        sid = add_session({"title": "机关学习日", "kind": "learning_day", "start": start,
                           "end": start + dt.timedelta(hours=2)}, [("all", "")])
        for i, rec in enumerate(records[: staff // 2]):
            at = start - dt.timedelta(minutes=20) + dt.timedelta(seconds=i)
            status = "late" if i % 10 == 0 else "present"
            event_id = ledger.new_event_id()
            ledger.mark_signed_in(sid, rec.key, status=status, expected=True, at=at, method="qr",
                                  kiosk_id=f"door-{i % 3}", event_id=event_id)
            ledger.append_event(ledger.Event(kiosk_id=f"door-{i % 3}", at=at, method="qr",
                                             result=status, staff_key=rec.key, session_id=sid,
                                             id=event_id))
    return sid


def per_call(fn, repeat: int) -> float:
    """Median seconds per call over ``repeat`` calls (after one warm-up)."""
    return statistics.median(call_times(fn, repeat, warm=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=2000)
    parser.add_argument("--departments", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        db = database.bind(f"sqlite:///{path}")
        migrations.upgrade(db)
        sid = build_office(args.staff, args.departments)
        raw = sqlite3.connect(path)

        def raw_refresh():
            raw.execute("BEGIN")
            raw.execute(RAW_COUNTS, (sid,)).fetchall()
            raw.execute(RAW_MISSING, (sid,)).fetchall()
            raw.execute(RAW_RECENT, (sid,)).fetchall()
            raw.execute("COMMIT")

        detector = live.ChangeDetector(db, sid)
        portable = live.ChangeDetector(db, sid)
        portable.is_sqlite = False
        snap = live.snapshot(sid)
        rows = [
            ("snapshot (peewee)", per_call(lambda: live.snapshot(sid), args.repeat)),
            ("raw baseline (sqlite3)", per_call(raw_refresh, args.repeat)),
            ("  counts only (peewee)", per_call(lambda: live.department_counts(sid), args.repeat)),
            ("  missing list (peewee)", per_call(lambda: live.missing_people(sid), args.repeat)),
            ("poll: PRAGMA data_version", per_call(detector.token, args.repeat * 10)),
            ("poll: counts token", per_call(portable.token, args.repeat * 10)),
            ("poll: SELECT MAX(seq)", per_call(
                lambda: db.execute_sql("SELECT MAX(seq) FROM sign_in_event").fetchone(),
                args.repeat * 10)),
        ]
        print(f"{args.staff} staff, {args.departments} departments, {snap.totals.attended} signed in, "
              f"{len(snap.missing)} missing (SQLite WAL, synchronous=FULL)")
        for name, seconds in rows:
            print(f"{name:28s} {seconds * 1000:8.3f} ms")
        full, base = rows[0][1], rows[1][1]
        print(f"peewee/raw = {full / base:.2f}; refresh target ≤ 10 ms: "
              f"{'met' if full <= 0.010 else 'MISSED'}; one data_version poll costs "
              f"{rows[4][1] / full * 100:.2f}% of one refresh")
        raw.close()
        db.close()


if __name__ == "__main__":
    main()
