"""Reports on a generated office (bench/gen_office.py: 5,000 staff, a year, ≥ 1M attendance rows):
the monthly and annual report as the product builds them (``kiosk.reports.model`` over
``db/reports.py``) vs hand-written SQL computing the same figures on the same database, on SQLite
and (with ``KIOSK_TEST_PG_URL``) PostgreSQL. Targets: ≤ 1.5× hand SQL; monthly < 1 s on SQLite.

The hand-written side runs one aggregate query per view — per session, per department, per
person, totals, and the month-by-month trend (monthly); per person and session kind plus the
roster (annual) — and shapes nothing beyond lists of tuples.

    python bench/reports.py [--rounds 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_office  # noqa: E402
from homes import kiosk_command, kiosk_env, machine, table  # noqa: E402
from scratch_centre import create_database, drop_database  # noqa: E402
from timing import best_of  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
MONTH = (gen_office.YEAR, 11)
NOW = dt.datetime(gen_office.YEAR, 11, 28, 4, 0)  # 12:00 in Shanghai: most of the year is over


def _hours(engine: str) -> str:
    if engine == "postgresql":
        return 'COALESCE(s.credit_hours, EXTRACT(EPOCH FROM (s."end" - s.start)) / 3600.0)'
    return 'COALESCE(s.credit_hours, (julianday(s."end") - julianday(s.start)) * 24.0)'


def _aggregates(engine: str, p: str) -> str:
    def count(cond: str) -> str:
        return f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END)"

    return ", ".join([
        count("a.expected"), count("a.expected AND a.status = 'present'"),
        count("a.expected AND a.status = 'late'"), count("a.expected AND a.status = 'excused'"),
        count(f"a.expected AND a.status = 'pending' AND s.\"end\" <= {p}"),
        count(f"a.expected AND a.status = 'pending' AND s.\"end\" > {p}"),
        count("NOT a.expected"), count("a.early_leave"),
        count("a.status IN ('present', 'late')"),
        f"SUM(CASE WHEN a.status IN ('present', 'late') THEN {_hours(engine)} ELSE 0 END)",
    ])


def hand_monthly(db, engine: str) -> int:
    p = db.param
    start, end = _bounds(*MONTH)
    year_start = _bounds(MONTH[0], 1)[0]
    now = _value(engine, NOW)
    agg = _aggregates(engine, p)
    period = f"s.start >= {p} AND s.start < {p}"
    args = (now, now, _value(engine, start), _value(engine, end))
    q = {
        "sessions": f"SELECT s.id, s.title, s.kind, s.start, {agg} FROM study_session s "
                    f"LEFT JOIN attendance a ON a.session_id = s.id WHERE {period} "
                    f"GROUP BY s.id ORDER BY s.start, s.id",
        "departments": f"SELECT st.department, d.sort_order, COUNT(DISTINCT a.staff_id), {agg} "
                       f"FROM attendance a JOIN study_session s ON s.id = a.session_id "
                       f"JOIN staff st ON st.key = a.staff_id JOIN department d ON d.name = st.department "
                       f"WHERE {period} GROUP BY st.department, d.sort_order "
                       f"ORDER BY d.sort_order, st.department",
        "people": f"SELECT st.key, st.staff_id, st.name, st.department, {agg} "
                  f"FROM attendance a JOIN study_session s ON s.id = a.session_id "
                  f"JOIN staff st ON st.key = a.staff_id JOIN department d ON d.name = st.department "
                  f"WHERE {period} GROUP BY st.key, st.staff_id, st.name, st.department, d.sort_order "
                  f"ORDER BY d.sort_order, st.department, st.key",
        "totals": f"SELECT {agg} FROM attendance a JOIN study_session s ON s.id = a.session_id "
                  f"WHERE {period}",
    }
    rows = 0
    for sql in q.values():
        rows += len(db.execute_sql(sql, args).fetchall())
    rows += len(db.execute_sql(f"SELECT COUNT(*) FROM study_session s WHERE {period}",
                               args[2:]).fetchall())
    trend = db.execute_sql(q["sessions"], (now, now, _value(engine, year_start), _value(engine, end)))
    rows += len(trend.fetchall())
    return rows


def hand_annual(db, engine: str) -> int:
    p = db.param
    start, end = _bounds(MONTH[0], 1)[0], _bounds(MONTH[0], 12)[1]
    now = _value(engine, NOW)
    agg = _aggregates(engine, p)
    per_kind = db.execute_sql(
        f"SELECT a.staff_id, s.kind, {agg} FROM attendance a JOIN study_session s "
        f"ON s.id = a.session_id WHERE s.start >= {p} AND s.start < {p} "
        f"GROUP BY a.staff_id, s.kind ORDER BY a.staff_id, s.kind",
        (now, now, _value(engine, start), _value(engine, end))).fetchall()
    roster = db.execute_sql(
        "SELECT st.key, st.staff_id, st.name, st.department, st.active FROM staff st "
        "JOIN department d ON d.name = st.department ORDER BY d.sort_order, d.name, st.key").fetchall()
    groups = db.execute_sql("SELECT staff_id, name FROM staff_group ORDER BY name").fetchall()
    return len(per_kind) + len(roster) + len(groups)


def _bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    from kiosk import timefmt

    return timefmt.month_bounds_utc(year, month, TZ)


def _value(engine: str, value: dt.datetime):
    return value if engine == "postgresql" else str(value)


def product_monthly() -> int:
    from kiosk.reports import model

    report = model.monthly(*MONTH, _options(), detail=False)
    return len(report["sessions"]) + len(report["departments"]) + len(report["people"])


def product_annual() -> int:
    from kiosk.reports import model

    return len(model.annual(MONTH[0], _options())["people"])


def _options():
    from kiosk.config import DEFAULT_TARGETS
    from kiosk.reports.model import ReportOptions

    return ReportOptions(tz=TZ, now=NOW, targets=DEFAULT_TARGETS)


def bench(url: str, rounds: int, label: str) -> list[tuple]:
    from db import database

    info = gen_office.generate(url)
    engine = database.engine_of(url)
    handle = database.bind(url)
    rows = []
    try:
        for name, ours, hand in (("monthly", product_monthly, lambda: hand_monthly(handle, engine)),
                                 ("annual", product_annual, lambda: hand_annual(handle, engine))):
            ours(), hand()  # warm the caches once for both
            t_ours, t_hand = 1e9, 1e9
            for _ in range(rounds):  # alternate, keep the best of each
                t_ours = min(t_ours, best_of(ours, 1))
                t_hand = min(t_hand, best_of(hand, 1))
            rows.append((label, name, f"{info['attendance']:,}", f"{t_ours:.3f}", f"{t_hand:.3f}",
                         f"{t_ours / t_hand:.2f}×"))
    finally:
        handle.close()
    return rows


def cli_monthly(url: str, home: Path) -> float:
    env = kiosk_env(home, KIOSK_DB=url)
    began = time.perf_counter()
    done = subprocess.run(kiosk_command() + ["report", "monthly", "--month", f"{MONTH[0]}-{MONTH[1]:02d}",
                                             "--format", "json", "--out", "-"],
                          env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - began
    if done.returncode != 0:
        return float("nan")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'office.db'}"
        results += bench(url, args.rounds, "SQLite")
        cli = cli_monthly(url, Path(tmp) / "home")
        pg_base = os.environ.get("KIOSK_TEST_PG_URL")
        if pg_base:
            results += _bench_pg(pg_base, args.rounds)
    print(f"reports: {args.rounds} rounds — {machine()}")
    print(table(results, ("engine", "report", "attendance rows", "ours best s", "hand SQL best s",
                          "ratio")))
    print(f"`kiosk report monthly --format json` as a whole process on SQLite: {cli:.2f} s")
    sqlite_monthly = next(float(r[3]) for r in results if r[0] == "SQLite" and r[1] == "monthly")
    ok = all(float(r[5].rstrip("×")) <= 1.5 for r in results) and sqlite_monthly < 1.0
    print(f"targets (≤ 1.5×; monthly < 1 s on SQLite): {'met' if ok else 'MISSED'}")
    return 0


def _bench_pg(base: str, rounds: int) -> list[tuple]:
    from db import database

    url, name = create_database(base, "office_bench_")
    try:
        return bench(url, rounds, "PostgreSQL")
    finally:
        if database.proxy.obj is not None and not database.proxy.obj.is_closed():
            database.proxy.obj.close()
        drop_database(base, name)


if __name__ == "__main__":
    sys.exit(main())
