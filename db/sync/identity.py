"""Whose rows these are: a home mirrors one centre, and shares its rows' global identities.

Rows are matched between a home and the centre by their ``uid`` (migration 0003). Two checks run
before anything is pushed, so a refusal changes nothing on either side:

- a home upgraded from before global identities (*provisional*, see m0003) first takes the
  centre's uids for the rows it shares with it by their old keys (staff ID, session number,
  leave), rewriting its queued events' ``session_uid`` to match;
- a home must mirror the centre: every person and session it holds must be one the centre holds
  (same uid). A home with its own roster or plan is refused with :class:`ForeignHome` — it can
  move to an empty centre whole with ``kiosk sync --adopt`` (:mod:`db.sync.adopt`).
"""

from __future__ import annotations

import peewee as pw

from db.models import Leave, SignInEvent, Staff, StudySession
from db.sync.common import (
    DATABASE_UID,
    IN_CHUNK,
    MIRROR_KEY,
    PROVISIONAL_KEY,
    _chunks,
    check_central,
    get_state,
    set_state,
)
from db.sync.door_reads import door_view, leave_source
from db.sync.public_setting import read_public


class ForeignHome(RuntimeError):
    """This home holds people or sessions the centre does not: it does not mirror that centre."""

    def __init__(self, staff: int, sessions: int) -> None:
        super().__init__(f"{staff} people and {sessions} sessions are not at the centre")
        self.staff = staff
        self.sessions = sessions


def centre_identity(central: pw.Database) -> str:
    """The centre database's own uid (its ``database_uid`` setting, made by m0003)."""
    return read_public(central, (DATABASE_UID,)).get(DATABASE_UID, "")


def adopt_central_identities(central: pw.Database) -> int:
    """On a provisional home: take the centre's uids for shared rows; the rows changed.

    Sessions are shared by number and staff by staff ID (how homes and centres matched before);
    a session this home holds under a number the centre lacks keeps its own uid (and the mirror
    check then names it). Runs once: the provisional mark is removed in the same transaction.
    """
    if get_state(PROVISIONAL_KEY) is None:
        return 0
    sessions = dict(StudySession.select(StudySession.id, StudySession.uid).tuples().execute(central))
    staff = dict(Staff.select(Staff.key, Staff.uid).tuples().execute(central))
    held = leave_source(door_view(central))  # a door's: the leaves it may still use (0020)
    leaves = {(s, k): u for s, k, u in held.select(held.session, held.staff, held.uid)
              .tuples().execute(central)}
    changed = 0
    with Staff._meta.database.atomic():
        for sid, old in list(StudySession.select(StudySession.id, StudySession.uid).tuples()):
            new = sessions.get(sid)
            if new and new != old:
                StudySession.update(uid=new).where(StudySession.id == sid).execute()
                (SignInEvent.update(session_uid=new)
                 .where((SignInEvent.session_id == sid) | (SignInEvent.session_uid == old)).execute())
                changed += 1
        for key, old in list(Staff.select(Staff.key, Staff.uid).tuples()):
            if staff.get(key) and staff[key] != old:
                changed += Staff.update(uid=staff[key]).where(Staff.key == key).execute()
        for sid, key, old in list(Leave.select(Leave.session, Leave.staff, Leave.uid).tuples()):
            new = leaves.get((sid, key))
            if new and new != old:
                changed += (Leave.update(uid=new)
                            .where((Leave.session == sid) & (Leave.staff == key)).execute())
        set_state(PROVISIONAL_KEY, None)
    return changed


def check_mirror(central: pw.Database) -> None:
    """Refuse (:class:`ForeignHome`) a home whose roster or plan did not come from this centre.

    Cheap when nothing changed: the centre's identity and the local row counts found mirrored
    last time are remembered (nothing is ever deleted, so equal counts mean the same rows).
    """
    counts = f"{Staff.select().count()}:{StudySession.select().count()}"
    mark = f"{centre_identity(central)}:{counts}"
    if get_state(MIRROR_KEY) == mark:
        return
    staff = _missing_at(central, Staff)
    sessions = _missing_at(central, StudySession)
    if staff or sessions:
        raise ForeignHome(staff, sessions)
    with Staff._meta.database.atomic():
        set_state(MIRROR_KEY, mark)


def _missing_at(central: pw.Database, model) -> int:
    """How many of this home's rows of ``model`` the centre does not hold (by uid)."""
    local = [u for (u,) in model.select(model.uid).tuples()]
    missing = 0
    for chunk in _chunks(local, IN_CHUNK):
        held = {u for (u,) in model.select(model.uid).where(model.uid.in_(chunk)).tuples()
                .execute(central)}
        missing += sum(1 for u in chunk if u not in held)
    return missing


def ready_to_push(central: pw.Database) -> None:
    """What a round checks before it pushes anything: the centre's schema, then (once) the
    centre's identities on a provisional home, then that this home mirrors the centre."""
    check_central(central)
    adopt_central_identities(central)
    check_mirror(central)
