"""A door's fast look at the other doors: has anyone pushed since I last looked?

Today's register travels to every door with each full round (``db.sync.register_pull``), every
``sync.interval`` seconds. That is too slow for "a second door answers *already signed in at
08:51 (east door)* within 2 s" (SPEC §8), and reading the whole register every second from forty
doors would be wasteful. So between rounds a door asks the centre one index-only question a
second — the newest ``pushed_at`` in the centre's log, which the centre stamps on every event it
receives — and only when it moved reads the register rows of the people whose events arrived
since (minus an overlap: ``pushed_at`` is taken when a batch's transaction starts, so a slow
batch can commit after a later one), merging them by the usual rule (earliest sign-in wins).
"""

from __future__ import annotations

import datetime as dt
import functools
import operator

import peewee as pw

from db.models import Attendance, SignInEvent, StudySession
from db.sync.register_pull import apply_register, read_register

OVERLAP = dt.timedelta(seconds=60)


def centre_mark(central: pw.Database) -> dt.datetime | None:
    """The newest arrival in the centre's log (an index-only MAX)."""
    return SignInEvent.select(pw.fn.MAX(SignInEvent.pushed_at)).scalar(central)


def read_register_since(central: pw.Database, since: dt.datetime) -> list[dict]:
    """The signed-in register rows of the people whose events reached the centre since
    ``since`` (in the shape of :func:`db.sync.register_pull.read_register`)."""
    arrived = (SignInEvent.select(SignInEvent.session_id, SignInEvent.staff_key)
               .where(SignInEvent.pushed_at >= since - OVERLAP).distinct())
    pairs = [(sid, key) for sid, key in arrived.tuples().execute(central) if sid and key]
    rows: list[dict] = []
    for i in range(0, len(pairs), 200):
        chunk = pairs[i:i + 200]
        wanted = functools.reduce(operator.or_, [(Attendance.session == sid)
                                                 & (Attendance.staff == key) for sid, key in chunk])
        query = (Attendance.select(StudySession.uid.alias("session_uid"), Attendance.staff,
                                   Attendance.expected, Attendance.status, Attendance.signed_in_at,
                                   Attendance.signed_out_at, Attendance.early_leave,
                                   Attendance.method, Attendance.kiosk_id, Attendance.event_id)
                 .join(StudySession, on=(Attendance.session == StudySession.id))
                 .where(wanted & Attendance.signed_in_at.is_null(False)))
        rows += list(query.dicts().execute(central))
    return rows


class RegisterWatch:
    """One door's watermark of the centre's log; :meth:`look` merges what arrived since."""

    def __init__(self) -> None:
        self.mark: dt.datetime | None = None

    def look(self, central: pw.Database) -> int:
        """Register rows changed locally (0 when nothing arrived at the centre since last time)."""
        mark = centre_mark(central)
        if mark is None or mark == self.mark:
            return 0
        rows = read_register(central) if self.mark is None else read_register_since(central, self.mark)
        local = Attendance._meta.database
        with local.atomic():
            changed = apply_register(rows)
        self.mark = mark
        return changed
