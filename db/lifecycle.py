"""The admin's life-cycle writes — deactivate, edit, cancel, withdraw — none of which deletes history.

Each write bumps the ``updated_at`` (or leave time) that ``kiosk sync`` pulls by, so doors follow.
The caller (``kiosk.lifecycle``) validates, appends the audit event and holds the transaction.
"""

from __future__ import annotations

import datetime as dt

from db.models import Attendance, Leave, SessionAudience, Staff, StudySession
from db.register import follow_audience, refresh_all_upcoming


def deactivate_staff(key: str, at: dt.datetime) -> bool:
    """Mark a person inactive (they stay in every past register); False if already inactive.

    Pending rows of sessions that have not started drop out of the expected list.
    """
    changed = (Staff.update(active=False, updated_at=at)
               .where((Staff.key == key) & Staff.active).execute())
    if changed:
        refresh_all_upcoming(at)
    return bool(changed)


def update_session(session_id: int, fields: dict, audience: list[tuple[str, str]] | None,
                   at: dt.datetime) -> tuple[int, int, int]:
    """Change a session's fields (and audience); the expected list follows.

    Returns (added, demoted to visitor, removed) of the register's expected rows.
    """
    StudySession.update(updated_at=at, **fields).where(StudySession.id == session_id).execute()
    if audience is not None:
        SessionAudience.delete().where(SessionAudience.session == session_id).execute()
        if audience:
            SessionAudience.insert_many([{"session": session_id, "kind": k, "value": v}
                                         for k, v in audience]).execute()
    return follow_audience(session_id, at)


def cancel_session(session_id: int, reason: str, at: dt.datetime) -> bool:
    """Cancel a session (kept, marked, with its reason); False if it was already cancelled."""
    return bool(StudySession.update(cancelled_at=at, cancel_reason=reason, updated_at=at)
                .where((StudySession.id == session_id) & StudySession.cancelled_at.is_null())
                .execute())


def active_leave(session_id: int, staff_key: str) -> dict | None:
    """The leave recorded (and not withdrawn) for this person at this session, or None."""
    return (Leave.select(Leave.reason, Leave.recorded_at, Leave.recorded_by)
            .where((Leave.session == session_id) & (Leave.staff == staff_key)
                   & Leave.withdrawn_at.is_null()).dicts().first())


def withdraw_leave(session_id: int, staff_key: str, at: dt.datetime, actor: str) -> bool:
    """Withdraw a leave (the row stays, marked); an excused person is expected again (pending).

    False when there is no leave to withdraw.
    """
    changed = (Leave.update(withdrawn_at=at, withdrawn_by=actor[:64])
               .where((Leave.session == session_id) & (Leave.staff == staff_key)
                      & Leave.withdrawn_at.is_null()).execute())
    if changed:
        (Attendance.update(status="pending")
         .where((Attendance.session == session_id) & (Attendance.staff == staff_key)
                & (Attendance.status == "excused")).execute())
    return bool(changed)


def standing_leave(session_id: int, staff_key: str) -> dict | None:
    """The leave not withdrawn of this person and session (its ``recorded_at``), or None."""
    return (Leave.select(Leave.recorded_at)
            .where((Leave.session == session_id) & (Leave.staff == staff_key)
                   & Leave.withdrawn_at.is_null()).dicts().first())


def leave_rows(limit: int = 500) -> list[dict]:
    """The latest leaves (withdrawn ones included, marked), newest session first, with names."""
    L = Leave  # noqa: N806 - short alias for a long query
    query = (L.select(L.session.alias("session_id"), StudySession.title, StudySession.start,
                      Staff.staff_id, Staff.name, Staff.department, L.reason, L.recorded_at,
                      L.withdrawn_at)
             .join(StudySession, on=(L.session == StudySession.id))
             .switch(L).join(Staff, on=(L.staff == Staff.key))
             .order_by(StudySession.start.desc(), Staff.key).limit(limit))
    return list(query.dicts())
