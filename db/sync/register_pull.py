"""Pull today's register: each door learns who signed in at the other doors, and what the
centre changed since (a host's undo, 补签 or leave, an admin's withdrawal).

Every round reads the centre's rows of the sessions near now (starting or ending within a day of
it: a handful of sessions, at most a few thousand rows) that hold anything — a sign-in, or a
status other than ``pending`` (excused) — and the list of those sessions. A door then answers
"already signed in at 08:51 (east door)" for someone who signed in at another door, because the
row it holds names that door (``kiosk_id``).

For those sessions the centre's register is the truth (FINDINGS 22): a row this door holds is
made the centre's — its sign-in, sign-out and status; pending with no sign-in when the centre
holds nothing for that person (a visitor's row the centre deleted goes here too) — unless this
door has an event about that person and session that the centre had not seen when the round read
its register (not pushed yet, or pushed after the read by another process). Those rows are merged
by the centre's own rule instead (the earliest sign-in wins, ties by event id; the latest sign-out
counts) and settled by a later round. So after a host undoes a sign-in at the centre, the next
scan of that person at any door is a fresh sign-in, which the centre applies.

The quick look between rounds (:mod:`db.register_watch`) reads only recent sign-ins: it merges,
never clears.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import peewee as pw

from db.models import Attendance, SignInEvent, Staff, StudySession, utcnow
from db.sync.common import _chunks, central_now
from db.sync.door_reads import register_source

NEAR = dt.timedelta(days=1)
SIGN_IN_FIELDS = ("status", "signed_in_at", "method", "kiosk_id", "event_id")
ROW_FIELDS = (*SIGN_IN_FIELDS, "signed_out_at", "early_leave")
# local events that change a register row (what the centre's rules apply)
REGISTER_RESULTS = ("present", "late", "visitor", "signed_out", "leave", "undo", "leave_withdrawn")
NOTHING = {"status": "pending", "signed_in_at": None, "method": None, "kiosk_id": None,
           "event_id": None, "signed_out_at": None, "early_leave": False}


@dataclass
class CentreRegister:
    """What a round read: the rows holding anything, and the sessions they are the whole of."""

    rows: list[dict] = field(default_factory=list)
    sessions: set[str] = field(default_factory=set)  # uids
    read_at: dt.datetime | None = None  # this door's clock when the read began


def read_register(central: pw.Database, now: dt.datetime | None = None,
                  through_view: bool = False) -> CentreRegister:
    """The centre's rows holding a sign-in or a status of the sessions near ``now``, each naming
    its session by uid; and those sessions' uids. ``through_view``: a door's credential reads
    the centre's ``recent_attendance`` (:mod:`db.sync.door_reads`), whose window is the
    centre's clock, so "now" is the centre's too (a door's clock a day off would otherwise list
    a session whose rows the view leaves out, and clear them here)."""
    read_at = utcnow()
    now = now or (central_now(central) if through_view else read_at)
    near = (StudySession.start <= now + NEAR) & (StudySession.end >= now - NEAR)
    sessions = {uid for (uid,) in StudySession.select(StudySession.uid).where(near)
                .tuples().execute(central)}
    held = register_source(through_view)
    query = (held.select(StudySession.uid.alias("session_uid"), held.staff, held.expected,
                         held.status, held.signed_in_at, held.signed_out_at, held.early_leave,
                         held.method, held.kiosk_id, held.event_id)
             .join(StudySession, on=(held.session == StudySession.id))
             .where(near & (held.signed_in_at.is_null(False) | (held.status != "pending"))))
    return CentreRegister(list(query.dicts().execute(central)), sessions, read_at)


def apply_register(rows: list[dict], whole: CentreRegister | None = None) -> int:
    """Bring the local register in line with the centre's rows (the caller's transaction);
    returns the rows changed. ``whole``: the round's read, whose sessions' rows this door then
    makes the centre's (see the module's note); without it (the quick look) rows are merged only.
    """
    if not rows and not whole:
        return 0
    local_id: dict[str, int] = {}
    uids = sorted({r["session_uid"] for r in rows} | (whole.sessions if whole else set()))
    for chunk in _chunks(uids):
        local_id.update(StudySession.select(StudySession.uid, StudySession.id)
                        .where(StudySession.uid.in_(chunk)).tuples())
    known = set()
    for chunk in _chunks(sorted({r["staff"] for r in rows})):
        known.update(k for (k,) in Staff.select(Staff.key).where(Staff.key.in_(chunk)).tuples())
    sids = sorted(set(local_id.values()))
    held: dict[tuple[int, str], dict] = {}
    for chunk in _chunks(sids):
        for r in Attendance.select().where(Attendance.session.in_(chunk)).dicts():
            held[(r["session"], r["staff"])] = r
    unsettled = _unsettled(sids, whole.read_at) if whole else set()
    changed = 0
    theirs_by_pair: dict[tuple[int, str], dict] = {}
    for r in rows:
        sid = local_id.get(r["session_uid"])
        if sid is None or r["staff"] not in known:
            continue
        theirs_by_pair[(sid, r["staff"])] = r
        mine = held.get((sid, r["staff"]))
        if mine is None:
            Attendance.insert(session=sid, staff=r["staff"], expected=r["expected"],
                              **{f: r[f] for f in ROW_FIELDS}).execute()
            changed += 1
        elif whole and (sid, r["staff"]) not in unsettled:
            changed += _make(mine, {f: r[f] for f in ROW_FIELDS})
        else:
            changed += _merge(mine, r)
    if whole:
        complete = {local_id[uid] for uid in whole.sessions if uid in local_id}
        for pair, mine in held.items():
            if pair[0] in complete and pair not in theirs_by_pair and pair not in unsettled:
                changed += _clear(mine)
    return changed


def _unsettled(sids: list[int], read_at: dt.datetime | None) -> set[tuple[int, str]]:
    """(session, person) pairs of this door's events about the register that the centre had not
    seen when the round read it: still queued, or pushed since (another process's round)."""
    if read_at is None:
        return set()
    found: set[tuple[int, str]] = set()
    pending = SignInEvent.pushed_at.is_null() | (SignInEvent.pushed_at >= read_at)
    for chunk in _chunks(sids):
        found.update(SignInEvent.select(SignInEvent.session_id, SignInEvent.staff_key)
                     .where(SignInEvent.session_id.in_(chunk) & SignInEvent.staff_key.is_null(False)
                            & SignInEvent.result.in_(REGISTER_RESULTS) & pending)
                     .tuples())
    return found


def _make(mine: dict, theirs: dict) -> int:
    """The local row becomes the centre's (1 if anything changed)."""
    if all(mine[f] == theirs[f] for f in theirs):
        return 0
    Attendance.update(**theirs).where(Attendance.id == mine["id"]).execute()
    return 1


def _clear(mine: dict) -> int:
    """The centre holds nothing for this person: pending with no sign-in here too; a visitor's
    row (not expected) goes, as the centre's undo deleted it."""
    if not mine["expected"]:
        Attendance.delete().where(Attendance.id == mine["id"]).execute()
        return 1
    return _make(mine, NOTHING)


def _merge(mine: dict, theirs: dict) -> int:
    changed = 0
    where = Attendance.id == mine["id"]
    if theirs["signed_in_at"] is not None and _earlier(theirs, mine):
        Attendance.update(**{f: theirs[f] for f in SIGN_IN_FIELDS}).where(where).execute()
        changed += 1
    if theirs["signed_out_at"] and (mine["signed_out_at"] is None
                                    or theirs["signed_out_at"] > mine["signed_out_at"]):
        Attendance.update(signed_out_at=theirs["signed_out_at"],
                          early_leave=theirs["early_leave"]).where(where).execute()
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
