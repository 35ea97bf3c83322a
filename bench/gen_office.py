"""Generate a big office for the report benchmarks: 5,000 staff in 40 departments, a year of
sessions (2026), ≥ 1,000,000 attendance rows — on SQLite or PostgreSQL.

The schema is the product's own (``migrations.upgrade``); rows are bulk-inserted through the
driver (``executemany`` on SQLite, ``COPY`` on PostgreSQL) because a million Peewee inserts would
take minutes. Statuses are deterministic (a hash of session and person): about 80 % present,
8 % late, 5 % excused, the rest never arrived (absent once the session is over); a few visitors.

    python bench/gen_office.py sqlite:///office.db
    python bench/gen_office.py postgresql://postgres@127.0.0.1:5432/office_bench
"""

from __future__ import annotations

import datetime as dt
import io
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
import homes  # noqa: E402,F401  (puts the project on sys.path)

TZ = ZoneInfo("Asia/Shanghai")
YEAR = 2026
STAFF = 5000
DEPARTMENTS = 40
CENTRAL = "中心组"


def _utc(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    local = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def plan_sessions() -> list[dict]:
    """Mon/Tue/Thu/Fri lectures and training for everyone, a monthly learning day for everyone,
    two central-group meetings a month (中心组 only)."""
    sessions = []
    day = dt.date(YEAR, 1, 1)
    kinds = {0: "lecture", 1: "training", 3: "seminar", 4: "exhibition"}
    while day.year == YEAR:
        if day.weekday() in kinds:
            sessions.append({"title": f"{day:%m月%d日}{kinds[day.weekday()]}", "kind": kinds[day.weekday()],
                             "start": _utc(day, 9), "end": _utc(day, 11),
                             "credit_hours": None if day.weekday() < 2 else 1.5, "audience": "all"})
        if day.day == 15:
            sessions.append({"title": f"{day.month}月机关学习日", "kind": "learning_day",
                             "start": _utc(day, 14), "end": _utc(day, 17, 30), "credit_hours": None,
                             "audience": "all"})
        if day.day in (8, 22):
            sessions.append({"title": f"{day.month}月中心组集中学习", "kind": "central_group",
                             "start": _utc(day, 15), "end": _utc(day, 17), "credit_hours": 2.0,
                             "audience": "group"})
        day += dt.timedelta(days=1)
    return sessions


def _status(session_id: int, n: int, session: dict) -> tuple[str, dt.datetime | None]:
    h = (session_id * 2654435761 + n * 40503) % 100
    if h < 80:
        return "present", session["start"] - dt.timedelta(minutes=h % 20)
    if h < 88:
        return "late", session["start"] + dt.timedelta(minutes=6 + h % 30)
    if h < 93:
        return "excused", None
    return "pending", None


def generate(url: str) -> dict:
    from db import database, migrations

    began = time.perf_counter()
    handle = database.bind(url)
    migrations.upgrade(handle)
    engine = database.engine_of(url)
    now = dt.datetime(YEAR, 11, 28, 4, 0)
    staff = [(f"S{n:05d}", f"S{n:05d}", f"员工{n:05d}", f"部门{n % DEPARTMENTS:02d}", "科员", True, 1, now)
             for n in range(1, STAFF + 1)]
    groups = [(key, CENTRAL) for n, (key, *_) in enumerate(staff, 1) if n % 50 == 0]
    groups += [(key, "党员") for n, (key, *_) in enumerate(staff, 1) if n % 5 == 0]
    central = {key for key, name in groups if name == CENTRAL}
    sessions = plan_sessions()
    tables = {
        "department": ("name", "sort_order"),
        "staff": ("key", "staff_id", "name", "department", "title", "active", "badge_version",
                  "updated_at"),
        "staff_group": ("staff_id", "name"),
        "study_session": ("id", "title", "kind", "start", "end", "location", "speaker", "credit_hours",
                          "open_before", "late_after", "require_signout", "updated_at"),
        "session_audience": ("session_id", "kind", "value"),
        "attendance": ("session_id", "staff_id", "expected", "status", "signed_in_at",
                       "signed_out_at", "early_leave", "method", "kiosk_id", "event_id"),
    }
    rows: dict[str, list[tuple]] = {name: [] for name in tables}
    rows["department"] = [(f"部门{d:02d}", d) for d in range(DEPARTMENTS)]
    rows["staff"] = staff
    rows["staff_group"] = groups
    for sid, s in enumerate(sessions, 1):
        rows["study_session"].append((sid, s["title"], s["kind"], s["start"], s["end"], "礼堂", "",
                                      s["credit_hours"], 30, 5, False, now))
        rows["session_audience"].append((sid, "all", "") if s["audience"] == "all"
                                        else (sid, "group", CENTRAL))
        for n, person in enumerate(staff, 1):
            if s["audience"] != "all" and person[0] not in central:
                continue
            status, at = _status(sid, n, s)
            rows["attendance"].append((sid, person[0], True, status, at, None, False,
                                       "id" if at else None, "kiosk-1" if at else None, None))
        for v in range(3):  # visitors (列席) from outside the audience
            if s["audience"] != "all":
                key = staff[(sid * 7 + v) % STAFF][0]
                if key not in central:
                    rows["attendance"].append((sid, key, False, "present", s["start"], None, False,
                                               "id", "kiosk-1", None))
    conn = handle.connection()
    with handle.atomic():
        for name, cols in tables.items():
            _bulk(engine, conn, name, cols, rows[name])
        if engine == "postgresql":
            handle.execute_sql("SELECT setval(pg_get_serial_sequence('study_session', 'id'), "
                               "(SELECT MAX(id) FROM study_session))")
    if engine == "postgresql":
        handle.execute_sql("ANALYZE")
    else:
        handle.execute_sql("ANALYZE")
        handle.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    handle.close()
    return {"sessions": len(sessions), "staff": STAFF, "attendance": len(rows["attendance"]),
            "seconds": time.perf_counter() - began, "now": now}


def _bulk(engine: str, conn, table: str, cols: tuple[str, ...], rows: list[tuple]) -> None:
    if not rows:
        return
    if engine == "postgresql":
        buffer = io.StringIO()
        for row in rows:
            buffer.write("\t".join(_copy_cell(v) for v in row) + "\n")
        buffer.seek(0)
        quoted = ", ".join(f'"{c}"' for c in cols)
        with conn.cursor() as cursor:
            cursor.copy_expert(f'COPY "{table}" ({quoted}) FROM STDIN', buffer)
        return
    marks = ", ".join("?" * len(cols))
    quoted = ", ".join(f'"{c}"' for c in cols)
    conn.executemany(f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})',
                     [tuple(str(v) if isinstance(v, dt.datetime) else v for v in row) for row in rows])


def _copy_cell(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    info = generate(sys.argv[1])
    print(f"{info['staff']} staff, {info['sessions']} sessions, {info['attendance']:,} attendance rows "
          f"in {info['seconds']:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
