"""Aggregates of the attendance register for reports: one GROUP BY query per view.

Every function reads sessions whose ``start`` lies in the half-open UTC interval ``[start, end)``
(naive UTC, the form the columns store) *and* that have started by ``now`` (``start <= now``):
a session still in the future has not been held, so it is left out of every figure (SPEC §6:
"every session that started in the month") even when people signed in early. ``now`` (naive UTC)
also decides absence, which is derived: an expected row still ``pending`` is *absent* once its
session's end is ``<= now`` and merely *pending* before that (a running session keeps its
pending rows). Counts come back as ``int`` and hours as ``float`` on every engine
(MariaDB returns ``Decimal`` sums; they are converted here), so callers can compare and serialise
them directly.

Counts per group (see :data:`COUNT_KEYS`): ``expected`` rows; of those ``present`` (on time),
``late``, ``excused``, ``absent`` and ``pending``; ``visitors`` (rows with ``expected`` false,
列席); ``visited`` (visitor rows attended, i.e. present or late); ``early_leaves`` (any row marked
早退); ``sessions_attended`` (present or late, visitors included: = present + late + visited) and
``credit_hours`` (the credit hours of exactly those sessions; a session without ``credit_hours``
earns its length in hours).

Public functions (all take ``start, end, now``; used by the reports and ``bench/``):
``totals``, ``session_stats``, ``department_stats``, ``people_stats``, ``people_kind_stats``
and ``detail_rows``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import peewee as pw

from db.models import Attendance, Department, Staff, StudySession

COUNT_KEYS = ("expected", "present", "late", "excused", "absent", "pending", "visitors",
              "visited", "early_leaves", "sessions_attended")


def session_hours() -> pw.Node:
    """A session's credit hours: its ``credit_hours``, else its length in hours (per engine)."""
    database = StudySession._meta.database.obj
    s = StudySession
    if isinstance(database, pw.PostgresqlDatabase):
        length = pw.fn.EXTRACT(pw.NodeList((pw.SQL("EPOCH FROM"), s.end - s.start))) / 3600.0
    elif isinstance(database, pw.MySQLDatabase):
        length = pw.fn.TIMESTAMPDIFF(pw.SQL("SECOND"), s.start, s.end) / 3600.0
    else:  # julianday: half the cost of two strftime('%s') casts per row (bench/reports.py)
        length = (pw.fn.julianday(s.end) - pw.fn.julianday(s.start)) * 24.0
    return pw.fn.COALESCE(s.credit_hours, length)


def _count(condition) -> pw.Node:
    return pw.fn.SUM(pw.Case(None, [(condition, 1)], 0))


def _aggregates(now: dt.datetime) -> list[pw.Node]:
    """The count and hour columns; valid on attendance rows joined (possibly LEFT) to sessions."""
    expected = Attendance.expected == True  # noqa: E712 - SQL comparison, not Python truth
    visitor = Attendance.expected == False  # noqa: E712
    status = Attendance.status
    attended = status.in_(["present", "late"])
    pending = expected & (status == "pending")
    return [
        _count(expected).alias("expected"),
        _count(expected & (status == "present")).alias("present"),
        _count(expected & (status == "late")).alias("late"),
        _count(expected & (status == "excused")).alias("excused"),
        _count(pending & (StudySession.end <= now)).alias("absent"),
        _count(pending & (StudySession.end > now)).alias("pending"),
        _count(visitor).alias("visitors"),
        _count(visitor & attended).alias("visited"),
        _count(Attendance.early_leave == True).alias("early_leaves"),  # noqa: E712
        _count(attended).alias("sessions_attended"),
        pw.fn.SUM(pw.Case(None, [(attended, session_hours())], 0)).alias("credit_hours"),
    ]


def _plain(row: dict) -> dict:
    """Engine-neutral numbers: counts to int, hours to float (rounded to 1/100 hour)."""
    for key in COUNT_KEYS:
        row[key] = int(row.get(key) or 0)
    hours = row.get("credit_hours") or 0
    row["credit_hours"] = round(float(hours), 2)
    for key, value in row.items():
        if isinstance(value, Decimal):
            row[key] = float(value)
    return row


def _in_period(start: dt.datetime, end: dt.datetime, now: dt.datetime, finished: bool = False):
    """Sessions starting in ``[start, end)`` that have started by ``now`` (future ones are not held);
    with ``finished``, only those that have also ended by ``now`` (a month in progress counts its
    finished sessions only: a running session's pending people are not yet absent nor present).
    A cancelled session is in no report."""
    held = ((StudySession.start >= start) & (StudySession.start < end) & (StudySession.start <= now)
            & StudySession.cancelled_at.is_null())
    return held & (StudySession.end <= now) if finished else held


def totals(start: dt.datetime, end: dt.datetime, now: dt.datetime, *,
           finished: bool = False) -> dict:
    """All sessions of the period together (one row; ``sessions`` = how many sessions)."""
    row = (Attendance.select(*_aggregates(now))
           .join(StudySession, on=(Attendance.session == StudySession.id))
           .where(_in_period(start, end, now, finished)).dicts().first()) or {}
    row = _plain(dict(row))
    row["sessions"] = StudySession.select().where(_in_period(start, end, now, finished)).count()
    return row


def session_stats(start: dt.datetime, end: dt.datetime, now: dt.datetime) -> list[dict]:
    """One row per session (sessions without any register row included), in start order.

    Keys: ``id``, ``title``, ``kind``, ``start``, ``end`` (naive UTC), ``location``, ``speaker``,
    ``hours`` (the session's credit hours) and the counts.
    """
    s = StudySession
    query = (s.select(s.id, s.title, s.kind, s.start, s.end, s.location, s.speaker,
                      session_hours().alias("hours"), *_aggregates(now))
             .join(Attendance, pw.JOIN.LEFT_OUTER, on=(Attendance.session == s.id))
             .where(_in_period(start, end, now))
             .group_by(s.id, s.title, s.kind, s.start, s.end, s.location, s.speaker,
                       s.credit_hours)
             .order_by(s.start, s.id))
    rows = []
    for row in query.dicts():
        row = _plain(row)
        row["hours"] = round(float(row["hours"] or 0), 2)
        rows.append(row)
    return rows


def department_stats(start: dt.datetime, end: dt.datetime, now: dt.datetime, *,
                     finished: bool = False) -> list[dict]:
    """One row per department (of the person's current department), in the office's order.

    Keys: ``department``, ``sort_order``, ``people`` (distinct people with a row) and the counts.
    """
    query = (Attendance.select(Staff.department.alias("department"),
                               Department.sort_order.alias("sort_order"),
                               pw.fn.COUNT(Attendance.staff.distinct()).alias("people"),
                               *_aggregates(now))
             .join(StudySession, on=(Attendance.session == StudySession.id))
             .switch(Attendance)
             .join(Staff, on=(Attendance.staff == Staff.key))
             .join(Department, on=(Staff.department == Department.name))
             .where(_in_period(start, end, now, finished))
             .group_by(Staff.department, Department.sort_order)
             .order_by(Department.sort_order, Staff.department))
    rows = []
    for row in query.dicts():
        row = _plain(row)
        row["people"] = int(row["people"])
        rows.append(row)
    return rows


def people_stats(start: dt.datetime, end: dt.datetime, now: dt.datetime, *,
                 finished: bool = False) -> list[dict]:
    """One row per person with any register row in the period, by department order then ID.

    Keys: ``key``, ``staff_id``, ``name``, ``department``, ``active`` and the counts.
    """
    query = (Attendance.select(Staff.key, Staff.staff_id, Staff.name, Staff.department,
                               Staff.active, *_aggregates(now))
             .join(StudySession, on=(Attendance.session == StudySession.id))
             .switch(Attendance)
             .join(Staff, on=(Attendance.staff == Staff.key))
             .join(Department, on=(Staff.department == Department.name))
             .where(_in_period(start, end, now, finished))
             .group_by(Staff.key, Staff.staff_id, Staff.name, Staff.department, Staff.active,
                       Department.sort_order)
             .order_by(Department.sort_order, Staff.department, Staff.key))
    rows = []
    for row in query.dicts():
        row = _plain(row)
        row["active"] = bool(row["active"])
        rows.append(row)
    return rows


def people_kind_stats(start: dt.datetime, end: dt.datetime, now: dt.datetime, *,
                      finished: bool = False, staff_key: str | None = None) -> list[dict]:
    """One row per (person, session kind) — what annual targets restricted to kinds need.

    Keys: ``key``, ``kind`` and the counts (``sessions_attended`` and ``credit_hours`` per kind).
    ``staff_key`` limits it to one person (the study record).
    """
    where = _in_period(start, end, now, finished)
    if staff_key is not None:
        where &= Attendance.staff == staff_key
    query = (Attendance.select(Attendance.staff.alias("key"), StudySession.kind,
                               *_aggregates(now))
             .join(StudySession, on=(Attendance.session == StudySession.id))
             .where(where)
             .group_by(Attendance.staff, StudySession.kind)
             .order_by(Attendance.staff, StudySession.kind))
    return [_plain(row) for row in query.dicts()]


def detail_rows(start: dt.datetime, end: dt.datetime, now: dt.datetime) -> list[dict]:
    """The register itself (明细): one row per (session, person) with the derived status.

    ``status`` is one of present, late, excused, absent, pending, visitor.
    """
    expected = Attendance.expected == True  # noqa: E712
    status = pw.Case(None, [
        (~expected, "visitor"),
        ((Attendance.status == "pending") & (StudySession.end <= now), "absent"),
    ], Attendance.status)
    query = (Attendance.select(StudySession.id.alias("session_id"), StudySession.title,
                               StudySession.start, Staff.staff_id, Staff.name, Staff.department,
                               status.alias("status"), Attendance.signed_in_at,
                               Attendance.signed_out_at, Attendance.early_leave, Attendance.method)
             .join(StudySession, on=(Attendance.session == StudySession.id))
             .switch(Attendance)
             .join(Staff, on=(Attendance.staff == Staff.key))
             .join(Department, on=(Staff.department == Department.name))
             .where(_in_period(start, end, now))
             .order_by(StudySession.start, StudySession.id, Department.sort_order,
                       Staff.department, Staff.key))
    rows = list(query.dicts())
    for row in rows:
        row["early_leave"] = bool(row["early_leave"])
    return rows
