"""Pull: what changed at the centre, read first, then applied locally in one short transaction.

Departments (all: a few dozen rows), staff with their groups, sessions with their audiences and
leaves changed since a watermark (``updated_at``/``recorded_at`` minus an overlap, because those
times come from the writers' clocks, not from commit order), today's register as the centre
holds it — every door's sign-ins, a host's corrections (:mod:`db.sync.register_pull`) — and the
public badge key, never anything else from ``setting``; and what this home's credential is
(:mod:`db.sync.credential`). Everything is read from the centre before anything is written
locally, so the kiosk's sign-ins never wait on the network.
"""

from __future__ import annotations

import datetime as dt

import peewee as pw

from db.models import (
    Attendance,
    Department,
    Leave,
    SessionAudience,
    Setting,
    Staff,
    StaffGroup,
    StudySession,
)
from db.register import follow_audience, refresh_all_upcoming
from db.sync import credential
from db.sync.common import LEAVE_FIELDS, PULL_OVERLAP, PULLED_SETTINGS, SyncState, _chunks
from db.sync.door_reads import door_view, leave_source
from db.sync.public_setting import read_public
from db.sync.pull_credits import apply_credits, read_credits
from db.sync.register_pull import CentreRegister, apply_register, read_register


def _watermark(name: str) -> dt.datetime | None:
    row = SyncState.get_or_none(SyncState.key == f"pull.{name}")
    return dt.datetime.fromisoformat(row.value) if row else None


def _set_watermark(name: str, value: dt.datetime | None) -> None:
    if value is None:
        return
    old = _watermark(name)
    if old is not None and old >= value:
        return
    updated = SyncState.update(value=value.isoformat()).where(SyncState.key == f"pull.{name}").execute()
    if not updated:
        SyncState.insert(key=f"pull.{name}", value=value.isoformat()).execute()



class Snapshot:
    """What a pull read from the centre; applied locally by :func:`apply_snapshot`."""

    def __init__(self) -> None:
        self.departments: list[dict] = []
        self.staff: list[dict] = []
        self.groups: dict[str, list[str]] = {}
        self.sessions: list[dict] = []
        self.audiences: dict[str, list[tuple[str, str]]] = {}  # by session uid
        self.leaves: list[dict] = []
        self.credits: list[dict] = []
        self.settings: dict[str, str] = {}
        self.register = CentreRegister()  # today's register at the centre (register_pull)
        self.marks: dict[str, dt.datetime | None] = {}
        self.credential: str | None = None  # "door": this home's credential is a door's
        self.through_view = False  # the register and leaves were read through door_reads' views


def _since(query: pw.ModelSelect, field: pw.Field, mark: dt.datetime | None) -> pw.ModelSelect:
    """Rows changed since the watermark, minus an overlap (writers' clocks, late commits)."""
    return query if mark is None else query.where(field >= mark - PULL_OVERLAP)


def _leaves_since(mark: dt.datetime | None, through_view: bool = False) -> pw.ModelSelect:
    """Leaves recorded or withdrawn (an admin's ``leave cancel``) since the watermark;
    ``through_view``: a door's, of the sessions it may still use, no reason (door_reads)."""
    held = leave_source(through_view)
    query = (held.select(*(getattr(held, f.name) for f in LEAVE_FIELDS),
                         StudySession.uid.alias("session_uid"))
             .join(StudySession, on=(held.session == StudySession.id)))
    if mark is None:
        return query
    return query.where((held.recorded_at >= mark - PULL_OVERLAP)
                       | (held.withdrawn_at >= mark - PULL_OVERLAP))


def read_central(central: pw.Database) -> Snapshot:
    """Everything that changed at the centre since this (local) database's watermarks."""
    snap = Snapshot()
    snap.departments = list(Department.select().dicts().execute(central))
    staff_q = _since(Staff.select(), Staff.updated_at, _watermark("staff"))
    snap.staff = list(staff_q.dicts().execute(central))
    keys = sorted(r["key"] for r in snap.staff)
    for chunk in _chunks(keys):
        q = (StaffGroup.select(StaffGroup.staff, StaffGroup.name)
             .where(StaffGroup.staff.in_(chunk)).tuples())
        for key, name in q.execute(central):
            snap.groups.setdefault(key, []).append(name)
    sessions_q = _since(StudySession.select(), StudySession.updated_at, _watermark("session"))
    snap.sessions = list(sessions_q.dicts().execute(central))
    uid_of = {r["id"]: r["uid"] for r in snap.sessions}
    for chunk in _chunks(sorted(uid_of)):
        q = (SessionAudience.select(SessionAudience.session, SessionAudience.kind,
                                    SessionAudience.value)
             .where(SessionAudience.session.in_(chunk)).tuples())
        for sid, kind, value in q.execute(central):
            snap.audiences.setdefault(uid_of[sid], []).append((kind, value))
    snap.credential = credential.read_kind(central)
    # a door reads the register near now and the leaves it may use, never the history (0020)
    snap.through_view = door_view(central, snap.credential)
    # leaves name their session by its uid: the centre's session numbers mean nothing here
    snap.leaves = list(_leaves_since(_watermark("leave"), snap.through_view).dicts()
                       .execute(central))
    snap.credits = read_credits(central, _watermark("credit"), PULL_OVERLAP)
    snap.register = read_register(central, through_view=snap.through_view)
    snap.settings = read_public(central, PULLED_SETTINGS)  # the view a door may read (0012)
    snap.marks = {
        "staff": max((r["updated_at"] for r in snap.staff if r["updated_at"]), default=None),
        "session": max((r["updated_at"] for r in snap.sessions if r["updated_at"]), default=None),
        "leave": max((r[f] for r in snap.leaves for f in ("recorded_at", "withdrawn_at") if r[f]),
                     default=None),
        "credit": max((r["updated_at"] for r in snap.credits if r["updated_at"]), default=None),
    }
    return snap


def apply_snapshot(snap: Snapshot, now: dt.datetime | None = None) -> int:
    """Bring the local (bound) database in line with what was read; returns rows changed.

    One transaction; then the register's expected rows follow (deactivations drop out of
    sessions that have not started, new audience members appear).
    """
    db = Staff._meta.database
    with db.atomic():
        changed = _apply_departments(snap.departments)
        staff_changed = _apply_staff(snap.staff, snap.groups)
        sessions_changed = _apply_sessions(snap.sessions, snap.audiences)
        changed += staff_changed + len(sessions_changed)
        changed += _apply_settings(snap.settings)
        changed += apply_credits(snap.credits)
        if staff_changed:
            refresh_all_upcoming(now)
        for sid in sessions_changed:  # as the centre did when the admin edited it
            follow_audience(sid, now)
        # leaves after the expected rows exist (a first pull creates them just above)
        changed += _apply_local_leaves(snap.leaves)
        # today's register as the centre holds it: the other doors' sign-ins, a host's undo
        changed += apply_register(snap.register.rows, whole=snap.register)
        for name, mark in snap.marks.items():
            _set_watermark(name, mark)
        if snap.credential is not None:
            credential.remember(snap.credential)
    return changed


def _apply_departments(rows: list[dict]) -> int:
    local = {r["name"]: r for r in Department.select().dicts()}
    changed = 0
    for r in rows:
        held = local.get(r["name"])
        if held is None:
            Department.insert(**r).execute()
        elif held != r:
            Department.update(sort_order=r["sort_order"]).where(Department.name == r["name"]).execute()
        else:
            continue
        changed += 1
    return changed


def _apply_staff(rows: list[dict], groups: dict[str, list[str]]) -> int:
    keys = [r["key"] for r in rows]
    local: dict[str, dict] = {}
    local_groups: dict[str, set[str]] = {}
    for chunk in _chunks(keys):
        local.update({r["key"]: r for r in Staff.select().where(Staff.key.in_(chunk)).dicts()})
        for key, name in (StaffGroup.select(StaffGroup.staff, StaffGroup.name)
                          .where(StaffGroup.staff.in_(chunk)).tuples()):
            local_groups.setdefault(key, set()).add(name)
    fresh, regroup, changed = [], [], 0
    for r in rows:
        key = r["key"]
        same_groups = local_groups.get(key, set()) == set(groups.get(key, ()))
        held = local.get(key)
        if held is None:
            fresh.append(r)
        elif held != r:
            Staff.update(**{k: v for k, v in r.items() if k != "key"}).where(Staff.key == key).execute()
        elif same_groups:
            continue
        changed += 1
        if not same_groups:
            regroup.append(key)
            if held is not None:
                StaffGroup.delete().where(StaffGroup.staff == key).execute()
    for chunk in _chunks(fresh, 200):
        Staff.insert_many(chunk).execute()
    new_groups = [{"staff": k, "name": n} for k in regroup for n in sorted(set(groups.get(k, ())))]
    for chunk in _chunks(new_groups, 200):
        StaffGroup.insert_many(chunk).execute()
    return changed


def _apply_sessions(rows: list[dict], audiences: dict[str, list[tuple[str, str]]]) -> list[int]:
    """Sessions matched by uid; the local ids of those that changed.

    A new session keeps the centre's number when this database has no session by that number
    (so a door and the host show the same numbers), else it gets a number of its own: nothing
    here depends on the numbers agreeing.
    """
    changed = []
    for r in rows:
        fields = {k: v for k, v in r.items() if k != "id"}
        held = StudySession.select().where(StudySession.uid == r["uid"]).dicts().first()
        terms = sorted(audiences.get(r["uid"], []))
        if held is None:
            taken = StudySession.select().where(StudySession.id == r["id"]).exists()
            sid = StudySession.insert(**(fields if taken else r)).execute()
            held_terms: list[tuple[str, str]] = []
        else:
            sid = held.pop("id")
            held_terms = sorted(SessionAudience.select(SessionAudience.kind, SessionAudience.value)
                                .where(SessionAudience.session == sid).tuples())
            if held != fields:
                StudySession.update(**fields).where(StudySession.id == sid).execute()
            elif held_terms == terms:
                continue
        if held_terms != terms:
            SessionAudience.delete().where(SessionAudience.session == sid).execute()
            if terms:
                SessionAudience.insert_many([{"session": sid, "kind": k, "value": v}
                                             for k, v in terms]).execute()
        changed.append(sid)
    return changed


def _apply_local_leaves(rows: list[dict]) -> int:
    """Leaves as the centre holds them, their session found here by its uid; one whose session or
    person this database lacks is skipped (a foreign-key failure would otherwise block every
    later pull)."""
    uids = sorted({r["session_uid"] for r in rows})
    local_id: dict[str, int] = {}
    for chunk in _chunks(uids):
        local_id.update(StudySession.select(StudySession.uid, StudySession.id)
                        .where(StudySession.uid.in_(chunk)).tuples())
    changed = 0
    for pulled in rows:
        sid = local_id.get(pulled["session_uid"])
        if sid is None:
            continue
        r = {**{k: v for k, v in pulled.items() if k != "session_uid"}, "session": sid}
        where = (Leave.session == sid) & (Leave.staff == r["staff"])
        held = Leave.select(*LEAVE_FIELDS).where(where).dicts().first()
        if held == r:
            continue
        if held is None and not Staff.select().where(Staff.key == r["staff"]).exists():
            continue
        if held is None:
            Leave.insert(**r).execute()
        else:
            Leave.update(**{k: v for k, v in r.items() if k not in ("session", "staff")}).where(
                where).execute()
        withdrawn = r.get("withdrawn_at") is not None  # a withdrawn leave: expected again
        (Attendance.update(status="pending" if withdrawn else "excused")
         .where((Attendance.session == sid) & (Attendance.staff == r["staff"])
                & (Attendance.status == ("excused" if withdrawn else "pending"))).execute())
        changed += 1
    return changed


def _apply_settings(values: dict[str, str]) -> int:
    changed = 0
    for key in PULLED_SETTINGS:
        if key not in values:
            continue
        held = Setting.get_or_none(Setting.key == key)
        if held is not None and held.value == values[key]:
            continue
        if held is None:
            Setting.insert(key=key, value=values[key]).execute()
        else:
            Setting.update(value=values[key]).where(Setting.key == key).execute()
        changed += 1
    return changed
