"""The host's corrections to the register — manual sign-in (补签) and undo — as audited writes.

Each correction is an event in the append-only log (method ``manual``, the host's reason in
``note``, who did it in ``actor``) next to the change of the attendance row; history is never
edited or deleted. The caller wraps each call in ``db.atomic()`` so both land together.

On a server centre whose rules run in the database (migration 0008+, :func:`centre_applies`) the
host writes no register row at all: :func:`deliver` inserts the event through the door's own push
(:func:`db.sync.push.push_batch`), the centre's rules apply it with the owner's rights, and the
caller reads the register back (:func:`register_row`) to say what happened. The host's role then
needs no right on ``attendance`` or ``leave`` (SPEC §13): a stolen host credential can add
audited events, never rewrite a sign-in.
"""

from __future__ import annotations

import datetime as dt

import peewee as pw

from db import ledger
from db.models import Attendance, SignInEvent
from db.sync import credential
from db.sync.common import EVENT_COLUMNS
from db.sync.credential import door_home
from db.sync.push import push_batch, rules_in_database
from db.sync.verdicts import NOT_APPLIED

__all__ = ["centre_applies", "deliver", "door_credential", "door_home", "register_row",
           "why_not_applied"]


def centre_applies(db: pw.Database) -> bool:
    """The database applies events to its register itself (a server centre at 0008+)."""
    return rules_in_database(db)


def door_credential(db: pw.Database) -> bool:
    """``db`` is a server centre reached with a door's credential (``grant-door``): it may add
    events, not read the register or the leaves (FINDINGS 20), and a host's event of it would be
    kept, never applied. The host's actions refuse it before writing anything."""
    return centre_applies(db) and credential.read_kind(db) == credential.DOOR


def deliver(db: pw.Database, event: ledger.Event) -> str:
    """Insert ``event`` as the door's push does; the centre's rules apply it. Its id.

    The row carries the centre's own session number and no ``session_uid`` (push fills it in),
    so push attributes it as a tool at the centre.
    """
    values = dict(zip(ledger.EVENT_FIELDS, event.values(), strict=True))
    row = {column: values.get(column) for column in EVENT_COLUMNS if column != "session_uid"}
    push_batch(db, [row], _decided_by_centre)
    return row["id"]


def _decided_by_centre(session_row: dict, at: dt.datetime) -> str:
    """``push_batch``'s status rule, never asked: :func:`deliver` runs only where the centre's
    own rules decide the status."""
    raise RuntimeError("the centre's rules decide present/late")


def why_not_applied(event_id: str) -> str:
    """The refusal to name for an event the centre kept but did not apply: ``door_kiosk_id``
    when it named a door's kiosk id (this PC's ``[kiosk] id`` is a door's; migration 0017), else
    ``not_applied`` (the credential is a door's)."""
    try:
        with SignInEvent._meta.database.atomic():  # (a savepoint: a refusal keeps the event)
            note = (SignInEvent.select(SignInEvent.note).where(SignInEvent.id == event_id)
                    .scalar() or "")
    except (pw.ProgrammingError, pw.OperationalError, pw.InternalError):  # a door may not read it
        return "not_applied"
    return "door_kiosk_id" if note.startswith(f"{NOT_APPLIED}:door_kiosk") else "not_applied"


def register_row(session_id: int, staff_key: str) -> dict | None:
    """The register's row for one person and session, as the centre now holds it."""
    return (Attendance.select(Attendance.status, Attendance.expected, Attendance.signed_in_at,
                              Attendance.event_id)
            .where((Attendance.session == session_id) & (Attendance.staff == staff_key))
            .dicts().first())



def manual_signin(session_id: int, staff_key: str, *, status: str, expected: bool,
                  at: dt.datetime, reason: str, actor: str, kiosk_id: str) -> tuple[bool, str]:
    """Record a 补签; returns (fresh, event id). Not fresh: someone had already signed in."""
    event_id = ledger.new_event_id()
    fresh = ledger.mark_signed_in(session_id, staff_key, status=status, expected=expected, at=at,
                                  method="manual", kiosk_id=kiosk_id, event_id=event_id)
    result = ("visitor" if not expected else status) if fresh else "already"
    ledger.append_event(ledger.Event(kiosk_id=kiosk_id, at=at, method="manual", result=result,
                                     staff_key=staff_key, session_id=session_id, note=reason,
                                     actor=actor, id=event_id))
    return fresh, event_id


def undo_signin(session_id: int, staff_key: str, *, at: dt.datetime, reason: str, actor: str,
                kiosk_id: str) -> str | None:
    """Return a mistaken sign-in to pending (or excused, if a leave exists); the event id or None.

    The sign-in's own event stays in the log; the ``undo`` event records who reverted it and why.
    """
    had_leave = ledger.has_leave(session_id, staff_key)
    if not ledger.undo_signin(session_id, staff_key, had_leave):
        return None
    return ledger.append_event(ledger.Event(kiosk_id=kiosk_id, at=at, method="manual",
                                            result="undo", staff_key=staff_key,
                                            session_id=session_id, note=reason, actor=actor))
