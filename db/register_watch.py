"""A door's quick look at the other doors' sign-ins, once a second between full rounds.

Today's register travels to every door with each full round (``db.sync.register_pull``), every
``sync.interval`` seconds. That is too slow for "a second door answers *already signed in at
08:51 (east door)* within 2 s" (SPEC §8), and reading the whole register every second from forty
doors would be wasteful. So between rounds a door reads only the register rows of today's
sessions whose sign-in or sign-out is recent — newer than the newest it has seen, minus an
overlap — and merges them by the usual rule (earliest sign-in wins, the latest sign-out counts).

Only what a door may read (SPEC §13: the register and the plan, never the event log). A sign-in
stamped by a door whose clock is behind, or pushed late by a door that was offline, is older than
the window: the next full round brings it, as before.
"""

from __future__ import annotations

import datetime as dt

import peewee as pw

from db.models import Attendance, StudySession, utcnow
from db.sync.door_reads import door_view, register_source
from db.sync.register_pull import NEAR, apply_register

OVERLAP = dt.timedelta(seconds=30)  # commits in another order than their sign-in times
FIRST_WINDOW = dt.timedelta(minutes=2)


def read_recent_register(central: pw.Database, since: dt.datetime,
                         now: dt.datetime | None = None, through_view: bool = False) -> list[dict]:
    """Signed-in rows of the sessions near ``now`` whose sign-in or sign-out is at or after
    ``since`` (in the shape of :func:`db.sync.register_pull.read_register`); ``through_view``:
    a door's credential reads the centre's ``recent_attendance`` (:mod:`db.sync.door_reads`)."""
    now = now or utcnow()
    held = register_source(through_view)
    recent = (held.signed_in_at >= since) | (held.signed_out_at >= since)
    query = (held.select(StudySession.uid.alias("session_uid"), held.staff, held.expected,
                         held.status, held.signed_in_at, held.signed_out_at, held.early_leave,
                         held.method, held.kiosk_id, held.event_id)
             .join(StudySession, on=(held.session == StudySession.id))
             .where((StudySession.start <= now + NEAR) & (StudySession.end >= now - NEAR)
                    & held.signed_in_at.is_null(False) & recent))
    return list(query.dicts().execute(central))


class RegisterWatch:
    """One door's watermark: the newest sign-in or sign-out time it has seen at the centre."""

    def __init__(self) -> None:
        self.newest: dt.datetime | None = None
        # read through the door's view (db.sync.door_reads): set by each full round; None: ask
        self.through_view: bool | None = None

    def look(self, central: pw.Database, now: dt.datetime | None = None) -> int:
        """Merge the recent rows into the local register; returns the rows changed here."""
        now = now or utcnow()
        since = (self.newest - OVERLAP) if self.newest else now - FIRST_WINDOW
        if self.through_view is None:
            self.through_view = door_view(central)
        rows = read_recent_register(central, since, now, self.through_view)
        if not rows:
            return 0
        local = Attendance._meta.database
        with local.atomic():
            changed = apply_register(rows)
        times = [t for r in rows for t in (r["signed_in_at"], r["signed_out_at"]) if t]
        # never ahead of this door's own clock: a door whose clock runs fast must not push the
        # window past everyone else's sign-ins
        self.newest = min(now, max([*times, self.newest] if self.newest else times))
        return changed
