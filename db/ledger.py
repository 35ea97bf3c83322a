"""AttendanceLedger: the writes of the register — events, attendance, leaves — each atomic.

Every write appends to the event log; history is never edited or deleted. The caller runs
the decision and the write inside one transaction (``db.atomic()``), so the event and the
attendance row land together and, on SQLite with ``synchronous=FULL``, are on disk at commit.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass

import peewee as pw

from db import signin_sql
from db.models import Attendance, Leave
from db.redact import drop_badge_signatures


def new_event_id() -> str:
    """A random (version 4) UUID as text; ``str(uuid.uuid4())`` at half the cost (every scan)."""
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40  # version 4
    raw[8] = raw[8] & 0x3F | 0x80  # RFC 4122 variant
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def next_seq() -> int:
    """A monotonically increasing sequence (µs since the epoch) that orders local events."""
    return time.time_ns() // 1000


@dataclass
class Event:
    kiosk_id: str
    at: dt.datetime
    method: str
    result: str
    reason: str = ""
    staff_key: str | None = None
    session_id: int | None = None
    input: str = ""
    note: str = ""
    actor: str = ""
    id: str = ""
    badge_version: int | None = None

    def values(self) -> tuple:
        """The row's values in :data:`EVENT_FIELDS` order (an id is made if it has none).

        The input and note never keep a badge's signature (SPEC §7): this is the one place
        every event is written from, so no caller can store one by mistake.
        """
        return (self.id or new_event_id(), next_seq(), self.kiosk_id[:64], self.at, self.method,
                self.result, self.reason[:32], self.staff_key, self.session_id,
                drop_badge_signatures(self.input, scanned=True)[:300],
                drop_badge_signatures(self.note)[:500],
                self.actor[:64], self.badge_version)


# the SignInEvent fields an Event writes, in the order of Event.values()
EVENT_FIELDS = ("id", "seq", "kiosk_id", "at", "method", "result", "reason", "staff_key",
                "session_id", "input", "note", "actor", "badge_version")


def append_event(event: Event, via=signin_sql) -> str:
    """Insert the event (the prepared ``SignInEvent.insert(row)``); its id.

    ``via``: a ``signin_sql.ScanTransaction`` runs it on the connection it holds (a scan).
    """
    values = event.values()
    via.insert_event_values(EVENT_FIELDS, values)
    return values[0]


def mark_signed_in(session_id: int, staff_key: str, *, status: str, expected: bool,
                   at: dt.datetime, method: str, kiosk_id: str, event_id: str,
                   via=signin_sql) -> bool:
    """Record arrival; returns False if someone else recorded it first (then it's 'already').

    ``via`` as for :func:`append_event`.
    """
    updated = via.record_arrival(session_id, staff_key, status=status, at=at, method=method,
                                 kiosk_id=kiosk_id, event_id=event_id)
    if updated:
        return True
    exists = Attendance.select().where((Attendance.session == session_id)
                                       & (Attendance.staff == staff_key)).exists()
    if exists:
        return False
    Attendance.insert(session=session_id, staff=staff_key, expected=expected, status=status,
                      signed_in_at=at, method=method, kiosk_id=kiosk_id,
                      event_id=event_id).execute()
    return True


def mark_signed_out(session_id: int, staff_key: str, at: dt.datetime, early: bool) -> None:
    (Attendance.update(signed_out_at=at, early_leave=early)
     .where((Attendance.session == session_id) & (Attendance.staff == staff_key)).execute())


def undo_signin(session_id: int, staff_key: str, had_leave: bool) -> bool:
    """Return a mistaken sign-in to pending (or excused / removed for a visitor)."""
    row = Attendance.get_or_none((Attendance.session == session_id)
                                 & (Attendance.staff == staff_key))
    if row is None or row.signed_in_at is None:
        return False
    if not row.expected:
        Attendance.delete().where(Attendance.id == row.id).execute()
        return True
    (Attendance.update(status="excused" if had_leave else "pending", signed_in_at=None,
                       signed_out_at=None, early_leave=False, method=None, kiosk_id=None,
                       event_id=None)
     .where(Attendance.id == row.id).execute())
    return True


def add_leave(session_id: int, staff_key: str, reason: str, actor: str, event_id: str,
              at: dt.datetime) -> bool:
    """Record a leave; the register shows excused unless the person already signed in.

    Returns False when a leave was already recorded (the reason is then updated).
    """
    created = True
    try:
        with Leave._meta.database.atomic():
            Leave.insert(session=session_id, staff=staff_key, reason=reason, recorded_by=actor,
                         event_id=event_id, recorded_at=at).execute()
    except pw.IntegrityError:
        created = False
        (Leave.update(reason=reason, recorded_by=actor, event_id=event_id, recorded_at=at,
                      withdrawn_at=None, withdrawn_by="")
         .where((Leave.session == session_id) & (Leave.staff == staff_key)).execute())
    (Attendance.update(status="excused")
     .where((Attendance.session == session_id) & (Attendance.staff == staff_key)
            & (Attendance.status == "pending")).execute())
    return created


def has_leave(session_id: int, staff_key: str) -> bool:
    return Leave.select().where((Leave.session == session_id) & (Leave.staff == staff_key)
                                & Leave.withdrawn_at.is_null()).exists()
