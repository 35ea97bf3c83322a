"""Read queries the kiosk, CLI and host view share; they return plain values, not models."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import peewee as pw

from db import signin_sql
from db.models import (
    Attendance,
    Department,
    SessionAudience,
    Setting,
    SignInEvent,
    Staff,
    StaffGroup,
    StudySession,
)

NEAR_BEFORE = dt.timedelta(hours=24)
NEAR_AFTER = dt.timedelta(hours=2)


def staff_row(key: str) -> dict | None:
    """One person with their groups (sorted), or None — one prepared statement (hot path)."""
    return signin_sql.staff_row(key)


def audiences(session_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    terms: dict[int, list[tuple[str, str]]] = defaultdict(list)
    if session_ids:
        for sid, kind, value in (SessionAudience
                                 .select(SessionAudience.session, SessionAudience.kind,
                                         SessionAudience.value)
                                 .where(SessionAudience.session.in_(session_ids)).tuples()):
            terms[sid].append((kind, value))
    return terms


def session_rows(query: pw.ModelSelect) -> list[dict]:
    """Sessions as dicts with an ``audience`` list of (kind, value) terms."""
    rows = list(query.dicts())
    terms = audiences([r["id"] for r in rows])
    for r in rows:
        r["audience"] = terms.get(r["id"], [])
    return rows


def sessions_near(at: dt.datetime, until: dt.datetime | None = None) -> list[dict]:
    """Sessions whose sign-in or sign-out window could contain ``at`` (the rules decide);
    with ``until``, those for any instant from ``at`` to ``until`` (a cache's span)."""
    q = (StudySession.select()
         .where((StudySession.start <= (until or at) + NEAR_BEFORE)
                & (StudySession.end >= at - NEAR_AFTER) & StudySession.cancelled_at.is_null())
         .order_by(StudySession.start, StudySession.id))
    return session_rows(q)


def sessions_between(start: dt.datetime, end: dt.datetime, cancelled: bool = True) -> list[dict]:
    """Sessions starting in ``[start, end)``; ``cancelled=False`` leaves out cancelled ones."""
    q = (StudySession.select()
         .where((StudySession.start >= start) & (StudySession.start < end))
         .order_by(StudySession.start, StudySession.id))
    if not cancelled:
        q = q.where(StudySession.cancelled_at.is_null())
    return session_rows(q)


def session_by_id(session_id: int) -> dict | None:
    rows = session_rows(StudySession.select().where(StudySession.id == session_id))
    return rows[0] if rows else None


def recorded_for(staff_key: str, session_ids: list[int]) -> dict[int, dict]:
    """session id → the register row (status, expected, signed in/out) — prepared (hot path)."""
    return signin_sql.recorded_for(staff_key, session_ids)


def signed_in_door(session_id: int, staff_key: str) -> str:
    """The kiosk id of the door where this person's sign-in to the session was recorded ("" if
    none): a pulled register row names the door it came from."""
    row = (Attendance.select(Attendance.kiosk_id)
           .where((Attendance.session == session_id) & (Attendance.staff == staff_key))
           .tuples().first())
    return (row[0] or "") if row else ""


def roster(include_inactive: bool = True) -> list[dict]:
    """All staff with their groups, ordered by department order then staff ID."""
    q = (Staff.select(Staff.key, Staff.staff_id, Staff.name, Staff.department, Staff.title,
                      Staff.active, Staff.badge_version, Staff.card)
         .join(Department)
         .order_by(Department.sort_order, Department.name, Staff.key))
    if not include_inactive:
        q = q.where(Staff.active)
    rows = list(q.dicts())
    groups: dict[str, list[str]] = defaultdict(list)
    for key, name in StaffGroup.select(StaffGroup.staff, StaffGroup.name).order_by(
            StaffGroup.name).tuples():
        groups[key].append(name)
    for r in rows:
        r["groups"] = groups.get(r["key"], [])
    return rows


def department_names() -> set[str]:
    return {n for (n,) in Department.select(Department.name).tuples()}


def group_names() -> set[str]:
    return {n for (n,) in StaffGroup.select(StaffGroup.name).distinct().tuples()}


def staff_keys(keys: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(keys), 500):
        chunk = keys[i:i + 500]
        found |= {k for (k,) in Staff.select(Staff.key).where(Staff.key.in_(chunk)).tuples()}
    return found


def get_setting(key: str, database: pw.Database | None = None) -> str | None:
    """One office setting, from the bound database or (``database``) another one, e.g. the centre."""
    query = Setting.select(Setting.value).where(Setting.key == key).tuples()
    row = next(iter(query.execute(database)), None) if database is not None else query.first()
    return row[0] if row else None


def set_setting(key: str, value: str) -> None:
    Setting.insert(key=key, value=value).on_conflict(
        conflict_target=[Setting.key], update={Setting.value: value}
    ).execute() if not _is_mysql() else Setting.replace(key=key, value=value).execute()


def _is_mysql() -> bool:
    return isinstance(Setting._meta.database.obj, pw.MySQLDatabase)


def events_between(start: dt.datetime, end: dt.datetime) -> pw.ModelSelect:
    """The event log in time order (a query: callers stream it)."""
    return (SignInEvent.select()
            .where((SignInEvent.at >= start) & (SignInEvent.at < end))
            .order_by(SignInEvent.at, SignInEvent.seq))


def staff_names(keys: set[str]) -> dict[str, tuple[str, str]]:
    """key → (name, department) for a set of keys."""
    out: dict[str, tuple[str, str]] = {}
    keys_list = sorted(k for k in keys if k)
    for i in range(0, len(keys_list), 500):
        chunk = keys_list[i:i + 500]
        for key, name, dept in (Staff.select(Staff.key, Staff.name, Staff.department)
                                .where(Staff.key.in_(chunk)).tuples()):
            out[key] = (name, dept)
    return out


def has_table(database: pw.Database, name: str) -> bool:
    """Whether the database holds table ``name`` (False when it cannot even be asked)."""
    try:
        return database.table_exists(name)
    except pw.DatabaseError:
        return False


def office_counts(database: pw.Database) -> dict[str, int]:
    """Rows of the roster, the plan and the sign-in log, by table name, for the tables that
    exist (a database made by another program, or half-made, may lack some)."""
    return {model._meta.table_name: model.select().count(database)
            for model in (Staff, StudySession, SignInEvent)
            if has_table(database, model._meta.table_name)}
