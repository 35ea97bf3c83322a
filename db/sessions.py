"""Writing sessions and their audiences; the register's expected rows follow at once."""

from __future__ import annotations

from db.models import SessionAudience, StudySession, utcnow
from db.register import refresh_expected


def add_session(fields: dict, audience: list[tuple[str, str]]) -> int:
    """Insert a session with its audience terms and materialise its expected people."""
    session_id = StudySession.insert(updated_at=utcnow(), **fields).execute()
    if audience:
        SessionAudience.insert_many(
            [{"session": session_id, "kind": k, "value": v} for k, v in audience]
        ).execute()
    refresh_expected(session_id)
    return session_id
