"""``kiosk sync --adopt``: a standalone office moves to a central database, whole.

The home's roster, plan (sessions with their audiences and numbers), register and leaves go up in
one central transaction, keeping their global identities; its events then follow with the
ordinary push, which the centre applies like any other (they change nothing the register copy
does not already hold). Only a centre without a plan takes a home: one that already holds a plan
has its own history, and merging two would attribute sign-ins by guesswork. People the centre
already holds (same staff ID) keep the centre's row and uid; the home takes that uid first, so a
failed upload leaves nothing half-adopted.
"""

from __future__ import annotations

from dataclasses import dataclass

import peewee as pw

from db.models import (
    Attendance,
    Credit,
    Department,
    Leave,
    SessionAudience,
    Setting,
    Staff,
    StaffGroup,
    StudySession,
)
from db.sync.common import PULLED_SETTINGS, _chunks, _engine, check_central

ROWS = 200  # rows per multi-row INSERT


class CentreHoldsPlan(RuntimeError):
    """The centre already holds a study plan: a home cannot be adopted into it."""

    def __init__(self, sessions: int) -> None:
        super().__init__(f"the centre holds {sessions} sessions")
        self.sessions = sessions


class RosterDiffers(RuntimeError):
    """People the centre already holds under the same staff ID differ from this home's (name or
    department): adopting would silently put the centre's record in the home's place. Nothing
    is changed until the admin says which side wins (``keep_centre``) or fixes one roster.
    ``differences``: (staff_id, home (name, department), centre (name, department)), sorted."""

    def __init__(self, differences: list[tuple[str, tuple[str, str], tuple[str, str]]]) -> None:
        super().__init__(f"{len(differences)} people differ")
        self.differences = differences


COMPARED = (Staff.key, Staff.staff_id, Staff.name, Staff.department)


def roster_differences(central: pw.Database) -> list[tuple[str, tuple[str, str], tuple[str, str]]]:
    """Same staff ID here and at the centre, another name or department (read-only)."""
    mine = {r[0]: r[1:] for r in Staff.select(*COMPARED).tuples()}
    theirs: dict[str, tuple] = {}
    for chunk in _chunks(sorted(mine)):
        theirs.update({r[0]: r[1:] for r in Staff.select(*COMPARED).where(Staff.key.in_(chunk))
                       .tuples().execute(central)})
    return sorted((mine[k][0], tuple(mine[k][1:]), tuple(v[1:]))
                  for k, v in theirs.items() if tuple(v[1:]) != tuple(mine[k][1:]))


class CentreKeyDiffers(RuntimeError):
    """The centre publishes another badge key than this home signs with."""


@dataclass
class Adopted:
    staff: int
    sessions: int
    leaves: int
    register: int


def adopt_home(central: pw.Database, keep_centre: bool = False) -> Adopted:
    """Upload this (bound) home to an empty-plan centre; raises :class:`CentreHoldsPlan`, and
    :class:`RosterDiffers` when people differ and ``keep_centre`` (the centre's records win,
    here too) was not chosen."""
    check_central(central)
    held = StudySession.select().count(central)
    if held:
        raise CentreHoldsPlan(held)
    differences = roster_differences(central)
    if differences and not keep_centre:
        raise RosterDiffers(differences)
    settings = _settings_to_publish(central)
    _take_centre_uids(central)
    staff = list(Staff.select().dicts())
    central_keys = {k for (k,) in Staff.select(Staff.key).tuples().execute(central)}
    fresh = [r for r in staff if r["key"] not in central_keys]
    sessions = list(StudySession.select().dicts())
    leaves = list(Leave.select().dicts())
    register = [{k: v for k, v in r.items() if k != "id"} for r in Attendance.select().dicts()]
    with central.atomic():
        names = {n for (n,) in Department.select(Department.name).tuples().execute(central)}
        _insert(central, Department, [r for r in Department.select().dicts() if r["name"] not in names])
        _insert(central, Staff, fresh)
        keys = {r["key"] for r in fresh}
        _insert(central, StaffGroup, [{"staff": s, "name": n} for s, n in StaffGroup.select(
            StaffGroup.staff, StaffGroup.name).tuples() if s in keys])
        _insert(central, StudySession, sessions)  # keeping their numbers: the centre has none
        _insert(central, SessionAudience, [{k: v for k, v in r.items() if k != "id"}
                                           for r in SessionAudience.select().dicts()])
        _insert(central, Attendance, register)
        _insert(central, Leave, [{k: v for k, v in r.items() if k != "id"} for r in leaves])
        _insert(central, Credit, [{k: v for k, v in r.items() if k != "id"}
                                  for r in Credit.select().dicts()])  # matched by uid later
        for key, value in settings.items():
            Setting.insert(key=key, value=value).execute(central)
        if _engine(central) == "postgresql" and sessions:
            central.execute_sql("SELECT setval(pg_get_serial_sequence('study_session', 'id'), "
                                "(SELECT MAX(id) FROM study_session))")
    return Adopted(len(fresh), len(sessions), len(leaves), len(register))


def _settings_to_publish(central: pw.Database) -> dict[str, str]:
    """The public badge key, if the centre has none yet (a different one is refused), and the
    bulletin numbers issued here."""
    local = dict(Setting.select(Setting.key, Setting.value)
                 .where(Setting.key.in_(PULLED_SETTINGS)).tuples())
    there = dict(Setting.select(Setting.key, Setting.value)
                 .where(Setting.key.in_(PULLED_SETTINGS)).tuples().execute(central))
    for key, value in local.items():
        if key in there and there[key] != value:
            raise CentreKeyDiffers(key)
    publish = {k: v for k, v in local.items() if k not in there}
    return {**publish, **_issued_bulletins(central)}


def _issued_bulletins(central: pw.Database) -> dict[str, str]:
    """The 第N期 numbers this office already issued (db.bulletin_issues) that the centre lacks:
    its bulletins go on being numbered from them there."""
    from db.bulletin_issues import PREFIX

    mine = {k: v for k, v in Setting.select(Setting.key, Setting.value).tuples()
            if k.startswith(PREFIX)}
    if not mine:
        return {}
    there = {k for (k,) in Setting.select(Setting.key).tuples().execute(central)}
    return {k: v for k, v in mine.items() if k not in there}


def _take_centre_uids(central: pw.Database) -> None:
    """People the centre already holds keep the centre's uid here too (one local transaction)."""
    local = dict(Staff.select(Staff.key, Staff.uid).tuples())
    theirs: dict[str, str] = {}
    for chunk in _chunks(sorted(local)):
        theirs.update(Staff.select(Staff.key, Staff.uid).where(Staff.key.in_(chunk)).tuples()
                      .execute(central))
    with Staff._meta.database.atomic():
        for key, uid in theirs.items():
            if uid and uid != local[key]:
                Staff.update(uid=uid).where(Staff.key == key).execute()


def _insert(central: pw.Database, model, rows: list[dict]) -> None:
    for chunk in _chunks(rows, ROWS):
        model.insert_many(chunk).execute(central)
