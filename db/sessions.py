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


def upsert_session(fields: dict, audience: list[tuple[str, str]]) -> tuple[int, str]:
    """Add a planned session, or update the one with the same title and start.

    Returns (id, "added" | "updated" | "unchanged"): importing the same study plan twice must not
    double every session (each person would then be asked to choose between twins).
    """
    row = (StudySession.select().where((StudySession.title == fields["title"])
                                       & (StudySession.start == fields["start"]))
           .order_by(StudySession.id).first())
    if row is None:
        return add_session(fields, audience), "added"
    old_terms = sorted((a.kind, a.value) for a in
                       SessionAudience.select().where(SessionAudience.session == row.id))
    changed = {k: v for k, v in fields.items() if getattr(row, k) != v}
    if not changed and old_terms == sorted(audience):
        return row.id, "unchanged"
    StudySession.update(updated_at=utcnow(), **fields).where(StudySession.id == row.id).execute()
    if old_terms != sorted(audience):
        SessionAudience.delete().where(SessionAudience.session == row.id).execute()
        if audience:
            SessionAudience.insert_many(
                [{"session": row.id, "kind": k, "value": v} for k, v in audience]).execute()
    refresh_expected(row.id)
    return row.id, "updated"
