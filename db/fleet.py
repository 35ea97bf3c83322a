"""The fleet: one row per door at the centre, written by the door on every contact.

Central IT running forty doors needs to see, without walking the corridors, which doors are
alive, how much each holds back and whether its clock is right. So each sync round (and each
quick push after a scan) ends with one upsert of the door's *own* row in ``kiosk_fleet``; a
door never reads or writes another door's row. ``kiosk fleet`` and the host view read the table.

Times are naive UTC like every other column; ``last_seen`` is the centre's clock (one clock for
every door, so "silent for 12 minutes" means the same everywhere), and ``clock_offset_s`` is
the door's clock minus the centre's, measured around one round trip.
"""

from __future__ import annotations

import datetime as dt
import math
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass

import peewee as pw

from db.models import BaseModel, StudySession, utcnow
from db.sync.taken_ids import taken_since

DUPLICATE_WINDOW = dt.timedelta(hours=24)  # another home wrote this id's row that recently
SKEW_LIMIT_S = 120.0  # SPEC §8: a clock off by more than 2 minutes is flagged
SILENCE_LIMIT = dt.timedelta(minutes=10)  # … and a door silent this long during an open session
# A row is written by the door, so it is the door's word: beyond these it is not believed
OFFSET_LIMIT_S = 10 * 365 * 86400.0  # a clock ten years off is no clock
COUNT_LIMIT = 10_000_000  # more events than forty doors make in a decade
TEXT_LIMIT = 64


class KioskFleet(BaseModel):
    """A door's last contact with the centre (migration 0004)."""

    kiosk_id = pw.CharField(max_length=64, primary_key=True)
    last_seen = pw.DateTimeField()
    door_time = pw.DateTimeField()
    clock_offset_s = pw.FloatField(default=0)
    day = pw.CharField(max_length=10, default="")  # the door's local date of events_today
    events_today = pw.IntegerField(default=0)
    queued = pw.IntegerField(default=0)
    version = pw.CharField(max_length=32, default="")
    db_user = pw.CharField(max_length=128, null=True)  # who wrote it (for row-level rules)
    # migration 0010: the writing home's install id, and when a different home last wrote
    # this row (two homes claiming one kiosk id: ``duplicate_id``)
    install_id = pw.CharField(max_length=36, null=True)
    install_changed_at = pw.DateTimeField(null=True)

    class Meta:
        table_name = "kiosk_fleet"


@dataclass(frozen=True)
class Contact:
    """What a door reports about itself."""

    kiosk_id: str
    day: str
    events_today: int
    queued: int
    version: str
    install_id: str = ""  # kiosk.door_identity: which home this is ("" if it cannot tell)


@dataclass(frozen=True)
class Door:
    """One row of ``kiosk fleet``; ``flags`` holds ``clock_skew``, ``silent`` and, for values
    no door could have meant (NaN, infinite, negative, absurdly large), ``clock_unknown`` /
    ``count_unknown`` / ``queue_unknown`` with the value itself left out (None)."""

    kiosk_id: str
    last_seen: dt.datetime | None
    events_today: int | None
    queued: int | None
    clock_offset_s: float | None
    version: str
    flags: tuple[str, ...]
    silent_for: dt.timedelta


def _engine(db: pw.Database) -> str:
    if isinstance(db, pw.PostgresqlDatabase):
        return "postgresql"
    if isinstance(db, pw.MySQLDatabase):
        return "mysql"
    return "sqlite"


_NOW = {"postgresql": "SELECT CAST(now() AT TIME ZONE 'UTC' AS timestamp), current_user",
        "mysql": "SELECT UTC_TIMESTAMP(6), CURRENT_USER()"}


def centre_clock(central: pw.Database, clock: Callable[[], float] = time.time,
                 ) -> tuple[dt.datetime, float, str | None]:
    """The centre's time (naive UTC), this host's clock offset from it in seconds (measured at
    the middle of the round trip), and the database user we are connected as."""
    sql = _NOW.get(_engine(central))
    before = clock()
    if sql is None:
        now = utcnow()
        return now, round(before - now.replace(tzinfo=dt.UTC).timestamp(), 3), None
    now, user = central.execute_sql(sql).fetchone()
    after = clock()
    if isinstance(now, str):
        now = dt.datetime.fromisoformat(now)
    now = now.replace(tzinfo=None)
    ours = dt.datetime.fromtimestamp((before + after) / 2, dt.UTC).replace(tzinfo=None)
    return now, round((ours - now).total_seconds(), 3), user


def report_contact(central: pw.Database, contact: Contact,
                   clock: Callable[[], float] = time.time) -> float:
    """Upsert this door's own row (one statement; the door reads nothing back). ``clock``: the
    door's clock (seconds since the epoch). Returns the door's clock offset from the centre's
    (seconds), for the door's own status line."""
    now, offset, user = centre_clock(central, clock)
    row = {"kiosk_id": contact.kiosk_id[:64], "last_seen": now,
           "door_time": now + dt.timedelta(seconds=offset), "clock_offset_s": offset,
           "day": contact.day, "events_today": contact.events_today, "queued": contact.queued,
           "version": contact.version[:32], "db_user": (user or None) and str(user)[:128]}
    install = (contact.install_id or "")[:36]
    if install and central not in _WITHOUT_INSTALL_COLUMN:
        try:
            with central.atomic():  # a savepoint: an older centre's refusal undoes only this
                _upsert(central, row, install)
            return offset
        except (pw.ProgrammingError, pw.OperationalError) as exc:
            if "install" not in str(exc).lower():
                raise
            _WITHOUT_INSTALL_COLUMN.add(central)  # a centre before migration 0010
    _upsert(central, row, "")
    return offset


_WITHOUT_INSTALL_COLUMN: weakref.WeakSet = weakref.WeakSet()


def _upsert(central: pw.Database, row: dict, install: str) -> None:
    """One INSERT … ON CONFLICT/ON DUPLICATE KEY of the door's own row. With ``install``, the
    row also remembers when a different home last wrote it (evaluated before ``install_id``
    changes: MariaDB applies the assignments left to right)."""
    fields = [KioskFleet._meta.fields[name] for name in row if name != "kiosk_id"]
    mysql = _engine(central) == "mysql"
    update: dict = {}
    if install:
        row = {**row, "install_id": install}
        if mysql:  # as Peewee's own ``preserve`` writes it on this server
            value = pw.fn.VALUE if (central.server_version or (0,)) >= (10, 3, 3) else pw.fn.VALUES
            incoming, seen = value(KioskFleet.install_id), value(KioskFleet.last_seen)
        else:
            incoming, seen = pw.SQL('EXCLUDED."install_id"'), pw.SQL('EXCLUDED."last_seen"')
        update = {KioskFleet.install_changed_at: pw.Case(
                      None, [((KioskFleet.install_id.is_null(False))
                              & (KioskFleet.install_id != incoming), seen)],
                      KioskFleet.install_changed_at),
                  KioskFleet.install_id: incoming}
    query = KioskFleet.insert(row)
    if mysql:
        query = query.on_conflict(preserve=fields, update=update or None)
    else:
        query = query.on_conflict(conflict_target=[KioskFleet.kiosk_id], preserve=fields,
                                  update=update or None)
    query.execute(central)


def open_session_now(db: pw.Database, now: dt.datetime) -> bool:
    """Is some session's sign-in window open at ``now`` (naive UTC)? Windows open up to two
    hours before the start (``open_before`` minutes), so read a little wider and check here."""
    rows = (StudySession.select(StudySession.start, StudySession.end, StudySession.open_before)
            .where((StudySession.start <= now + dt.timedelta(hours=24))
                   & (StudySession.end >= now)).tuples().execute(db))
    return any(start - dt.timedelta(minutes=before or 0) <= now <= end
               for start, end, before in rows)


def list_doors(db: pw.Database, today: str, now: dt.datetime | None = None) -> list[Door]:
    """Every door that has reported, by id, flagged as SPEC §8 says.

    ``today``: the lister's local date; a door whose last contact was on another day has
    counted no event today yet. ``now``: the centre's clock (naive UTC).
    """
    if now is None:
        now = centre_clock(db)[0]
    session_open = open_session_now(db, now)
    f = KioskFleet
    columns = [f.kiosk_id, f.last_seen, f.clock_offset_s, f.day, f.events_today, f.queued,
               f.version]
    renamed: set[str] = set()
    if has_install_columns(db):
        columns.append(f.install_changed_at)
        renamed = renamed_ids(db, now)
    rows = f.select(*columns).order_by(f.kiosk_id).tuples().execute(db)
    taken = taken_since(db, now - DUPLICATE_WINDOW)  # claimed by a second door's role (0020)
    return [_door(row, today, now, session_open, row[0] in taken) for row in rows
            if row[0] not in renamed]


def renamed_ids(db: pw.Database, now: dt.datetime) -> set[str]:
    """Rows a renamed door left behind (FINDINGS 11): the same home (install id), writing with
    the same credential, has reported since under another id, and the row has been silent longer
    than :data:`SILENCE_LIMIT`. Two live doors cloned from one disk both keep their rows."""
    f = KioskFleet
    rows = (f.select(f.kiosk_id, f.last_seen, f.install_id, f.db_user)
            .where(f.install_id.is_null(False) & f.db_user.is_null(False)).tuples().execute(db))
    latest: dict[tuple[str, str], dt.datetime] = {}
    for _, seen, install, user in rows:
        if isinstance(seen, dt.datetime):
            key = (install, user)
            latest[key] = max(latest.get(key, seen), seen)
    return {kiosk_id for kiosk_id, seen, install, user in rows
            if isinstance(seen, dt.datetime) and seen < latest[(install, user)]
            and now - seen > SILENCE_LIMIT}


def forget(db: pw.Database, kiosk_id: str) -> bool:
    """Delete a door's row (the owner's ``kiosk fleet --forget``); False if there was none. A
    door still alive writes it again at its next contact."""
    with db.atomic():
        return KioskFleet.delete().where(KioskFleet.kiosk_id == kiosk_id).execute(db) > 0


def has_install_columns(db: pw.Database) -> bool:
    """Migration 0010 ran here (a centre not yet upgraded lists its doors without the check)."""
    try:
        return any(c.name == "install_changed_at" for c in db.get_columns("kiosk_fleet"))
    except pw.DatabaseError:
        return False


def _door(row: tuple, today: str, now: dt.datetime, session_open: bool,
          taken: bool = False) -> Door:
    """One row as ``kiosk fleet`` shows it; whatever the door wrote, never an exception.
    ``taken``: a second door's role claimed this id lately (db.sync.taken_ids)."""
    kiosk_id, last_seen, offset, day, events, queued, version = row[:7]
    changed = row[7] if len(row) > 7 else None
    flags: list[str] = []
    if taken or isinstance(changed, dt.datetime) and now - changed <= DUPLICATE_WINDOW:
        flags.append("duplicate_id")
    offset = believable_offset(offset)
    if offset is None:
        flags.append("clock_unknown")
    elif abs(offset) > SKEW_LIMIT_S:
        flags.append("clock_skew")
    if not isinstance(last_seen, dt.datetime) or not 1971 <= last_seen.year <= 9000:
        last_seen = None  # not a time any zone can print: the row's times are not believed
        if "clock_unknown" not in flags:
            flags.append("clock_unknown")
    silent_for = max(dt.timedelta(0), now - last_seen) if last_seen else dt.timedelta(0)
    if session_open and silent_for > SILENCE_LIMIT:
        flags.append("silent")
    events = believable_count(events) if day == today else 0
    if events is None:
        flags.append("count_unknown")
    queued = believable_count(queued)
    if queued is None:
        flags.append("queue_unknown")
    return Door(kiosk_id=str(kiosk_id)[:TEXT_LIMIT], last_seen=last_seen, events_today=events,
                queued=queued, clock_offset_s=offset, version=str(version or "")[:TEXT_LIMIT],
                flags=tuple(flags), silent_for=silent_for)


def believable_offset(value: object) -> float | None:
    """A clock offset in seconds, or None for NaN, infinity, a non-number or a decade off."""
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None
    if not math.isfinite(seconds) or abs(seconds) > OFFSET_LIMIT_S:
        return None
    return seconds


def believable_count(value: object) -> int | None:
    """A count of events, or None when negative, absurdly large or not a whole number."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 <= value <= COUNT_LIMIT else None
