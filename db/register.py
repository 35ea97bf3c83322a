"""Keeping the register's expected rows in step with session audiences and the roster.

A session's expected people (应到) are materialised as ``attendance`` rows with status
``pending`` when it is added; while a session has not started, a roster or audience change adds
and removes pending rows; once it has started only additions happen, so history never shifts.
"""

from __future__ import annotations

import datetime as dt

import peewee as pw

from db.models import Attendance, SessionAudience, Staff, StaffGroup, StudySession, utcnow


def audience_members(session_id: int, active_only: bool = True) -> pw.ModelSelect:
    """Active staff in a session's audience, as one SQL query (no per-person Python loop);
    with ``active_only=False`` also those deactivated since (their history stays theirs)."""
    aud = SessionAudience.alias("aud")
    grp = StaffGroup.alias("grp")
    everyone = pw.fn.EXISTS(
        aud.select(pw.SQL("1")).where((aud.session == session_id) & (aud.kind == "all"))
    )
    in_dept = Staff.department.in_(
        SessionAudience.select(SessionAudience.value).where(
            (SessionAudience.session == session_id) & (SessionAudience.kind == "dept")
        )
    )
    named = Staff.key.in_(
        SessionAudience.select(SessionAudience.value).where(
            (SessionAudience.session == session_id) & (SessionAudience.kind == "staff")
        )
    )
    in_group = pw.fn.EXISTS(
        grp.select(pw.SQL("1"))
        .join(aud, on=((aud.value == grp.name) & (aud.kind == "group")))
        .where((grp.staff == Staff.key) & (aud.session == session_id))
    )
    in_audience = everyone | in_dept | named | in_group
    return Staff.select(Staff.key).where(Staff.active & in_audience if active_only else in_audience)


def refresh_expected(session_id: int, now: dt.datetime | None = None) -> tuple[int, int]:
    """Bring one session's expected rows in line with its audience; returns (added, removed)."""
    now = now or utcnow()
    session = StudySession.get_by_id(session_id)
    members = audience_members(session_id)
    # visitors who are now in the audience become expected
    promoted = (
        Attendance.update(expected=True)
        .where((Attendance.session == session_id) & (~Attendance.expected)
               & Attendance.staff.in_(members))
        .execute()
    )
    existing = Attendance.select(Attendance.staff).where(Attendance.session == session_id)
    missing = members.where(Staff.key.not_in(existing))
    added = missing.count()
    if added:
        Attendance.insert_from(
            missing.select(pw.Value(session_id), Staff.key, pw.Value(True), pw.Value("pending"),
                          pw.Value(False)),
            [Attendance.session, Attendance.staff, Attendance.expected, Attendance.status,
             Attendance.early_leave],
        ).execute()
    added += promoted
    removed = 0
    if session.start > now:
        removed = (
            Attendance.delete()
            .where((Attendance.session == session_id) & (Attendance.status == "pending")
                   & Attendance.staff.not_in(audience_members(session_id)))
            .execute()
        )
    return added, removed


def refresh_all_upcoming(now: dt.datetime | None = None) -> None:
    """After a roster change: refresh every session that has not ended."""
    now = now or utcnow()
    for sid in StudySession.select(StudySession.id).where(StudySession.end > now).tuples():
        refresh_expected(sid[0], now)



def follow_audience(session_id: int, now: dt.datetime | None = None) -> tuple[int, int, int]:
    """After an admin edits a session: the expected list follows its audience, losing no sign-in.

    Unlike :func:`refresh_expected` (which leaves a started session's history alone), an explicit
    edit means the old expectation was wrong: someone no longer in the audience who has signed in
    stays present/late as a visitor (列席); one who has not is no longer expected (the row goes —
    it held no sign-in; a leave stays in the leave table). Returns (added, demoted, removed).
    """
    def outside():  # (a fresh subquery per statement; deactivated people keep their rows)
        return ((Attendance.session == session_id) & Attendance.expected
                & Attendance.staff.not_in(audience_members(session_id, active_only=False)))

    demoted = (Attendance.update(expected=False)
               .where(outside() & Attendance.signed_in_at.is_null(False)).execute())
    removed = Attendance.delete().where(outside() & Attendance.signed_in_at.is_null()).execute()
    added, _ = refresh_expected(session_id, now)
    return added, demoted, removed
