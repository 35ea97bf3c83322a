"""Pull today's register: each door learns who signed in at the other doors.

Every round reads the centre's signed-in rows of the sessions near now (starting or ending within
a day of it: a handful of sessions, at most a few thousand rows) and merges them into the local
register by the centre's own rule: the earliest sign-in wins (ties by event id), the latest
sign-out counts. A door then answers "already signed in at 08:51 (east door)" for someone who
signed in at another door, because the row it holds names that door (``kiosk_id``).

The merge never removes a sign-in this door holds (it may not have been pushed yet); the centre
settles those when they arrive.
"""

from __future__ import annotations

import datetime as dt

import peewee as pw

from db.models import Attendance, Staff, StudySession, utcnow
from db.sync.common import _chunks

NEAR = dt.timedelta(days=1)
SIGN_IN_FIELDS = ("status", "signed_in_at", "method", "kiosk_id", "event_id")


def read_register(central: pw.Database, now: dt.datetime | None = None) -> list[dict]:
    """The centre's signed-in rows of the sessions near ``now``, each naming its session by uid."""
    now = now or utcnow()
    query = (Attendance.select(StudySession.uid.alias("session_uid"), Attendance.staff,
                               Attendance.expected, Attendance.status, Attendance.signed_in_at,
                               Attendance.signed_out_at, Attendance.early_leave, Attendance.method,
                               Attendance.kiosk_id, Attendance.event_id)
             .join(StudySession, on=(Attendance.session == StudySession.id))
             .where((StudySession.start <= now + NEAR) & (StudySession.end >= now - NEAR)
                    & Attendance.signed_in_at.is_null(False)))
    return list(query.dicts().execute(central))


def apply_register(rows: list[dict]) -> int:
    """Merge the centre's rows into the local register (the caller's transaction); rows changed."""
    if not rows:
        return 0
    local_id: dict[str, int] = {}
    for chunk in _chunks(sorted({r["session_uid"] for r in rows})):
        local_id.update(StudySession.select(StudySession.uid, StudySession.id)
                        .where(StudySession.uid.in_(chunk)).tuples())
    known = set()
    for chunk in _chunks(sorted({r["staff"] for r in rows})):
        known.update(k for (k,) in Staff.select(Staff.key).where(Staff.key.in_(chunk)).tuples())
    held: dict[tuple[int, str], dict] = {}
    for chunk in _chunks(sorted(set(local_id.values()))):
        for r in Attendance.select().where(Attendance.session.in_(chunk)).dicts():
            held[(r["session"], r["staff"])] = r
    changed = 0
    for r in rows:
        sid = local_id.get(r["session_uid"])
        if sid is None or r["staff"] not in known:
            continue
        mine = held.get((sid, r["staff"]))
        if mine is None:
            Attendance.insert(session=sid, staff=r["staff"], expected=r["expected"],
                              signed_out_at=r["signed_out_at"], early_leave=r["early_leave"],
                              **{f: r[f] for f in SIGN_IN_FIELDS}).execute()
            changed += 1
            continue
        where = Attendance.id == mine["id"]
        if _earlier(r, mine):
            Attendance.update(**{f: r[f] for f in SIGN_IN_FIELDS}).where(where).execute()
            changed += 1
        if r["signed_out_at"] and (mine["signed_out_at"] is None
                                   or r["signed_out_at"] > mine["signed_out_at"]):
            Attendance.update(signed_out_at=r["signed_out_at"],
                              early_leave=r["early_leave"]).where(where).execute()
            changed += 1
    return changed


def _earlier(theirs: dict, mine: dict) -> bool:
    """The centre's sign-in beats the one held here (none held, earlier, or as early with a
    smaller event id) — the centre's own rule."""
    if mine["signed_in_at"] is None:
        return True
    if theirs["signed_in_at"] != mine["signed_in_at"]:
        return theirs["signed_in_at"] < mine["signed_in_at"]
    return (theirs["event_id"] or "") < (mine["event_id"] or "") if mine["event_id"] else False
