"""What a door reads of the register and the leaves: the sessions near now, never the history.

A door stands in a corridor and its disk can be taken (SPEC §13). It needs today's register —
to answer "already signed in at 08:51 (east door)" and to follow the centre's corrections
(:mod:`db.sync.register_pull`, :mod:`db.register_watch`) — and the leaves of the sessions it may
still sign people into, to show them excused. Not who was absent when for years, nor why anyone
took leave (FINDINGS 20). So a centre at migration 0020 has two views, with their owner's rights,
and ``kiosk centre grant-door`` gives a door SELECT on them and none on ``attendance`` or
``leave``:

- ``recent_attendance`` — the register rows of the sessions starting or ending within
  :data:`WINDOW` of the centre's clock (a day, as a door's round reads, plus an hour's slack);
- ``current_leave`` — the leaves of sessions not over by more than that, the reason left out
  (a door shows "on leave", never why).

Both are PostgreSQL ``security_barrier`` views (a door's own function in a WHERE cannot see the
rows left out) and MariaDB ``SQL SECURITY DEFINER`` views: the owner's rights, the centre's clock.

Only a door's credential reads through them (:func:`door_view`): a host's or admin's home keeps
reading the tables it may read whole; a centre before 0020 (or a SQLite one) has no views.
"""

from __future__ import annotations

import datetime as dt

import peewee as pw

from db.models import Attendance, Leave
from db.sync import credential
from db.sync.common import _engine

VIEWS_MIGRATION = 20
REGISTER_VIEW = "recent_attendance"
LEAVE_VIEW = "current_leave"
VIEWS = (REGISTER_VIEW, LEAVE_VIEW)
WINDOW = dt.timedelta(hours=25)  # register_pull.NEAR (a day) and an hour: reads fit inside

REGISTER_COLUMNS = ("id", "session_id", "staff_id", "expected", "status", "signed_in_at",
                    "signed_out_at", "early_leave", "method", "kiosk_id", "event_id")
LEAVE_COLUMNS = ("id", "session_id", "staff_id", "recorded_at", "recorded_by", "event_id", "uid",
                 "withdrawn_at", "withdrawn_by")


def _sql(engine: str) -> list[str]:
    if engine == "postgresql":
        now, hours, q, barrier = ("CAST(now() AT TIME ZONE 'UTC' AS timestamp)",
                                  f"interval '{WINDOW // dt.timedelta(hours=1)} hours'", '"',
                                  " WITH (security_barrier = true)")
        make = "CREATE OR REPLACE VIEW {name}" + barrier + " AS "
        reason = "CAST('' AS varchar(500))"
    else:
        now, hours, q = "UTC_TIMESTAMP(6)", f"INTERVAL {WINDOW // dt.timedelta(hours=1)} HOUR", "`"
        make = "CREATE OR REPLACE DEFINER = CURRENT_USER SQL SECURITY DEFINER VIEW {name} AS "
        reason = "CAST('' AS CHAR(500))"

    def cols(alias: str, names: tuple[str, ...]) -> str:
        return ", ".join(f"{alias}.{q}{c}{q}" for c in names)

    register = (make.format(name=f"{q}{REGISTER_VIEW}{q}")
                + f"SELECT {cols('a', REGISTER_COLUMNS)} FROM {q}attendance{q} a "
                f"JOIN {q}study_session{q} s ON s.{q}id{q} = a.{q}session_id{q} "
                f"WHERE s.{q}start{q} <= {now} + {hours} AND s.{q}end{q} >= {now} - {hours}")
    leave = (make.format(name=f"{q}{LEAVE_VIEW}{q}")
             + f"SELECT {cols('l', LEAVE_COLUMNS)}, {reason} AS {q}reason{q} "
             f"FROM {q}leave{q} l JOIN {q}study_session{q} s ON s.{q}id{q} = l.{q}session_id{q} "
             f"WHERE s.{q}end{q} >= {now} - {hours}")
    out = [register, leave]
    if engine == "postgresql":
        out += [f"REVOKE ALL ON {view} FROM PUBLIC" for view in VIEWS]
    return out


def install(db: pw.Database) -> None:
    """Make (or remake) the two views on a server centre; nothing on SQLite."""
    engine = _engine(db)
    if engine == "sqlite":
        return
    for sql in _sql(engine):
        db.execute_sql(sql)


def has_views(central: pw.Database) -> bool:
    """The centre has the door's views (a server at 0020+)."""
    if _engine(central) == "sqlite":
        return False
    return central.execute_sql(f"SELECT 1 FROM schema_version WHERE version = {VIEWS_MIGRATION}"
                               ).fetchone() is not None


def door_view(central: pw.Database, kind: str | None = None) -> bool:
    """Read through the views: the centre has them and this credential is a door's (``kind``:
    what :func:`db.sync.credential.read_kind` said this round, else asked now)."""
    if not has_views(central):
        return False
    return (credential.read_kind(central) if kind is None else kind) == credential.DOOR


class RecentAttendance(pw.Model):
    """``recent_attendance``: the register's columns a door reads, as :class:`Attendance` names
    them (so one query reads either)."""

    session = pw.IntegerField(column_name="session_id")
    staff = pw.CharField(column_name="staff_id")
    expected = pw.BooleanField()
    status = pw.CharField()
    signed_in_at = pw.DateTimeField(null=True)
    signed_out_at = pw.DateTimeField(null=True)
    early_leave = pw.BooleanField()
    method = pw.CharField(null=True)
    kiosk_id = pw.CharField(null=True)
    event_id = pw.CharField(null=True)

    class Meta:
        table_name = REGISTER_VIEW


class CurrentLeave(pw.Model):
    """``current_leave``: a leave's columns as :class:`Leave` names them, the reason blank."""

    session = pw.IntegerField(column_name="session_id")
    staff = pw.CharField(column_name="staff_id")
    reason = pw.CharField()
    recorded_at = pw.DateTimeField()
    recorded_by = pw.CharField()
    event_id = pw.CharField(null=True)
    uid = pw.CharField()
    withdrawn_at = pw.DateTimeField(null=True)
    withdrawn_by = pw.CharField()

    class Meta:
        table_name = LEAVE_VIEW


def register_source(through_view: bool) -> type[pw.Model]:
    return RecentAttendance if through_view else Attendance


def leave_source(through_view: bool) -> type[pw.Model]:
    return CurrentLeave if through_view else Leave
