"""One person's year for the study record (学习档案): their register rows and their leaves.

Same rules as :mod:`db.reports`: only sessions that started in ``[start, end)`` and by ``now``;
a pending row of a session that has ended is *absent*, of one still running *pending*; a row
with ``expected`` false is a visit (列席); a cancelled session is in no record. ``hours`` is
what the row earned: the session's credit hours when attended (present, late or visited), else 0.
"""

from __future__ import annotations

import datetime as dt

import peewee as pw

from db.models import Attendance, Leave, StudySession
from db.reports import session_hours


def session_rows(key: str, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> list[dict]:
    """Every session the person was expected at or attended, in start order."""
    s = StudySession
    expected = Attendance.expected == True  # noqa: E712 - SQL comparison
    attended = Attendance.status.in_(["present", "late"])
    status = pw.Case(None, [
        (~expected & attended, "visitor"),
        ((Attendance.status == "pending") & (s.end <= now), "absent"),
    ], Attendance.status)
    query = (Attendance.select(s.id.alias("session_id"), s.title, s.kind, s.start, s.end,
                               s.location, status.alias("status"), Attendance.expected,
                               Attendance.signed_in_at, Attendance.early_leave,
                               session_hours().alias("session_hours"))
             .join(s, on=(Attendance.session == s.id))
             .where((Attendance.staff == key) & (s.start >= start) & (s.start < end)
                    & (s.start <= now) & (expected | attended) & s.cancelled_at.is_null())
             .order_by(s.start, s.id))
    rows = []
    for row in query.dicts():
        hours = round(float(row.pop("session_hours") or 0), 2)
        row["hours"] = hours if row["status"] in ("present", "late", "visitor") else 0.0
        row["expected"] = bool(row["expected"])
        row["early_leave"] = bool(row["early_leave"])
        rows.append(row)
    return rows


def leave_rows(key: str, start: dt.datetime, end: dt.datetime) -> list[dict]:
    """The person's leaves for sessions starting in ``[start, end)`` (future ones included: a
    leave for a coming session is normal), in session order; a withdrawn leave is none."""
    s = StudySession
    query = (Leave.select(s.id.alias("session_id"), s.title, s.kind, s.start, Leave.reason,
                          Leave.recorded_at, Leave.recorded_by)
             .join(s, on=(Leave.session == s.id))
             .where((Leave.staff == key) & (s.start >= start) & (s.start < end)
                    & s.cancelled_at.is_null() & Leave.withdrawn_at.is_null())
             .order_by(s.start, s.id))
    return list(query.dicts())
