"""The host's live view of one session: a snapshot of the register and a cheap change detector.

A snapshot is three small indexed reads — one GROUP BY for every count (per department and, summed,
in total), the expected people still pending (the missing list) and the latest sign-in events —
so it works the same on SQLite, PostgreSQL and MySQL/MariaDB.

Polling the snapshot itself would also keep up, but the view polls twice a second and nearly every
poll sees no change, so it polls a :class:`ChangeDetector` instead and refreshes only on change
(``bench/host_refresh.py`` measures both at 2,000 staff):

* SQLite: ``PRAGMA data_version``, which changes whenever *another* connection (another process,
  or another thread of this one) commits to the file — a few microseconds, no table read.
* PostgreSQL / MySQL: one statement counting the session's events, leaves and register rows
  (index-only counts), which changes with every sign-in, leave, host action or roster refresh.

"Absent" is not stored: a pending row of a session that has ended is absent, so the screen turns
未到 into 缺席 by the clock, without a refresh.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee as pw

from db.models import Attendance, Department, Leave, SignInEvent, Staff
from db.sync.verdicts import NOT_APPLIED

RECENT_RESULTS = ("present", "late", "visitor", "signed_out", "undo")


@dataclass(frozen=True)
class Counts:
    """Counts of one session (or one department of it) in the register's terms."""

    expected: int = 0
    present: int = 0
    late: int = 0
    excused: int = 0
    pending: int = 0
    visitors: int = 0
    signed_out: int = 0
    early_leave: int = 0

    @property
    def attended(self) -> int:
        """实到: present plus late (visitors are not counted)."""
        return self.present + self.late

    @property
    def rate(self) -> float | None:
        """Attendance rate (present + late) / expected; None when nobody is expected."""
        return self.attended / self.expected if self.expected else None

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(a + b for a, b in zip(self._values(), other._values(), strict=True)))

    def _values(self) -> tuple[int, ...]:
        return (self.expected, self.present, self.late, self.excused, self.pending, self.visitors,
                self.signed_out, self.early_leave)


@dataclass(frozen=True)
class DepartmentCounts:
    name: str
    counts: Counts


@dataclass(frozen=True)
class MissingPerson:
    staff_id: str
    name: str
    department: str


@dataclass(frozen=True)
class RecentSignIn:
    """One recent event of the session: a sign-in, sign-out or an undo."""

    at: dt.datetime
    staff_id: str
    name: str
    department: str
    method: str
    kiosk_id: str
    result: str
    actor: str = ""
    # kept at the centre but not applied (a door role's event out of its bounds: the register
    # does not hold it): the host sees it as 待核实, never as if it happened, and can 补签 it
    held: bool = False


@dataclass(frozen=True)
class LiveSnapshot:
    session_id: int
    totals: Counts
    departments: tuple[DepartmentCounts, ...]
    missing: tuple[MissingPerson, ...]
    recent: tuple[RecentSignIn, ...]


def _row_counts(expected: bool, status: str, early: bool, signed_out: bool, n: int) -> Counts:
    if not expected:
        return Counts(visitors=n)
    return Counts(
        expected=n,
        present=n if status == "present" else 0,
        late=n if status == "late" else 0,
        excused=n if status == "excused" else 0,
        pending=n if status == "pending" else 0,
        signed_out=n if signed_out else 0,
        early_leave=n if early else 0,
    )


def department_counts(session_id: int) -> list[DepartmentCounts]:
    """Every count per department, from ONE aggregate over the session's register rows."""
    out_flag = Attendance.signed_out_at.is_null(False)
    query = (Attendance
             .select(Staff.department, Attendance.expected, Attendance.status,
                     Attendance.early_leave, out_flag.alias("out"), pw.fn.COUNT(pw.SQL("*")))
             .join(Staff, on=(Attendance.staff == Staff.key))
             .join(Department, on=(Staff.department == Department.name))
             .where(Attendance.session == session_id)
             .group_by(Department.sort_order, Staff.department, Attendance.expected,
                       Attendance.status, Attendance.early_leave, out_flag)
             .order_by(Department.sort_order, Staff.department)
             .tuples())
    merged: dict[str, Counts] = {}
    for dept, expected, status, early, out, n in query:
        part = _row_counts(bool(expected), status, bool(early), bool(out), int(n))
        merged[dept] = merged.get(dept, Counts()) + part
    return [DepartmentCounts(name, counts) for name, counts in merged.items()]


def missing_people(session_id: int) -> list[MissingPerson]:
    """Expected people with neither a sign-in nor a leave, in the office's department order."""
    query = (Attendance
             .select(Staff.staff_id, Staff.name, Staff.department)
             .join(Staff, on=(Attendance.staff == Staff.key))
             .join(Department, on=(Staff.department == Department.name))
             .where((Attendance.session == session_id) & Attendance.expected
                    & (Attendance.status == "pending"))
             .order_by(Department.sort_order, Staff.department, Staff.key)
             .tuples())
    return [MissingPerson(*row) for row in query]


def recent_signins(session_id: int, limit: int = 12) -> list[RecentSignIn]:
    """The latest sign-in events of the session (newest first), names joined from the roster."""
    query = (SignInEvent
             .select(SignInEvent.at, Staff.staff_id, Staff.name, Staff.department,
                     SignInEvent.method, SignInEvent.kiosk_id, SignInEvent.result,
                     SignInEvent.actor, SignInEvent.staff_key, SignInEvent.note)
             .join(Staff, pw.JOIN.LEFT_OUTER, on=(SignInEvent.staff_key == Staff.key))
             .where((SignInEvent.session_id == session_id)
                    & SignInEvent.result.in_(RECENT_RESULTS))
             .order_by(SignInEvent.at.desc(), SignInEvent.seq.desc())
             .limit(limit)
             .tuples())
    return [RecentSignIn(at=at, staff_id=sid or key or "", name=name or "", department=dept or "",
                         method=method, kiosk_id=kiosk, result=result, actor=actor or "",
                         held=(note or "").startswith(NOT_APPLIED))
            for at, sid, name, dept, method, kiosk, result, actor, key, note in query]


def snapshot(session_id: int, recent_limit: int = 12) -> LiveSnapshot:
    """Everything the host view shows for one session, read in one transaction (consistent)."""
    db = _unwrap(Attendance._meta.database)
    # a read transaction; SQLite's default here is IMMEDIATE, which would take the write lock
    with (db.atomic("DEFERRED") if isinstance(db, pw.SqliteDatabase) else db.atomic()):
        departments = department_counts(session_id)
        missing = missing_people(session_id)
        recent = recent_signins(session_id, recent_limit)
    totals = Counts()
    for dept in departments:
        totals = totals + dept.counts
    return LiveSnapshot(session_id, totals, tuple(departments), tuple(missing), tuple(recent))


class ChangeDetector:
    """Tells cheaply whether the session's data may have changed since the last call.

    One detector belongs to one thread (its database connection): SQLite's ``data_version`` is
    per connection and changes when any *other* connection commits.
    """

    def __init__(self, db: pw.Database, session_id: int) -> None:
        self.db = db
        self.session_id = session_id
        self._last: tuple | None = None
        self.is_sqlite = isinstance(_unwrap(db), pw.SqliteDatabase)

    def token(self) -> tuple:
        if self.is_sqlite:
            return tuple(self.db.execute_sql("PRAGMA data_version").fetchone())
        return tuple(self.db.execute_sql(_COUNTS_SQL.format(
            event=_table(SignInEvent), leave=_table(Leave), att=_table(Attendance),
            q=_quote(self.db), p=_unwrap(self.db).param), (self.session_id,) * 3).fetchone())

    def changed(self) -> bool:
        """True on the first call and whenever the token moved since the previous call."""
        token = self.token()
        moved = token != self._last
        self._last = token
        return moved


_COUNTS_SQL = ("SELECT (SELECT COUNT(*) FROM {q}{event}{q} WHERE session_id = {p}),"
               " (SELECT COUNT(*) FROM {q}{leave}{q} WHERE session_id = {p}),"
               " (SELECT COUNT(*) FROM {q}{att}{q} WHERE session_id = {p})")


def _table(model: type[pw.Model]) -> str:
    return model._meta.table_name


def _quote(db: pw.Database) -> str:
    return "`" if isinstance(_unwrap(db), pw.MySQLDatabase) else '"'


def _unwrap(db: pw.Database) -> pw.Database:
    return db.obj if isinstance(db, pw.DatabaseProxy) else db
