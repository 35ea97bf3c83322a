"""Offline-first sync between a kiosk's own database and the central one (like pretixSCAN).

Two databases take part: the kiosk's *local* one, bound to the models' proxy (the kiosk screen
signs people in through it, on another thread, while a sync runs), and the *central* one, a
separate ``peewee.Database`` that every central query here names explicitly (``.execute(central)``,
``central.atomic()``). Nothing in this module rebinds the models, so a sync can never send a
sign-in to the wrong database.

Push: local events with ``pushed_at IS NULL`` go up in batches, each batch in one central
transaction: ``INSERT … ON CONFLICT DO NOTHING`` / ``INSERT IGNORE`` keyed by the event's UUID (so a
batch retried after a lost reply never duplicates), with the original scan time and kiosk id and
the centre's ``received_at``; then the centre's register follows deterministic rules (earliest
accepted sign-in wins, ties by event id; a sign-in beats a leave; the latest sign-out counts; a
host's undo clears a sign-in not later than itself);
only after the central commit are the local rows marked ``pushed_at``. A kill between the two
re-sends the batch next time, which the centre ignores.

Pull: departments (all: a few dozen rows), staff with their groups, sessions with their audiences
and leaves changed since a watermark (``updated_at``/``recorded_at`` minus an overlap, because those
times come from the writers' clocks, not from commit order), and the public badge key — never
anything else from ``setting``. Everything is read from the centre first and then applied locally
in one short transaction, so the kiosk's sign-ins never wait on the network.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable

import peewee as pw

from db.models import (
    Attendance,
    BaseModel,
    Department,
    Leave,
    SessionAudience,
    Setting,
    SignInEvent,
    Staff,
    StaffGroup,
    StudySession,
    utcnow,
)
from db.register import refresh_all_upcoming, refresh_expected
from db.signin_sql import to_datetime

PUSH_BATCH = 2000  # events per central transaction (and per local commit marking them)
SQL_ROWS = 1000  # rows per multi-row statement: 15,000 parameters at most
MARK_CHUNK = 5000  # ids per local UPDATE (SQLite allows 32,766 parameters, the servers 65,535)
PULL_OVERLAP = dt.timedelta(minutes=10)
PULLED_SETTINGS = ("badge_public_key",)  # a whitelist: nothing else travels to a kiosk
SIGN_IN_RESULTS = ("present", "late", "visitor")
BADGE_METHODS = ("qr", "camera")
REVOKED_FLAG = "revoked_badge_at_centre"
REQUIRED_CENTRAL_VERSION = 2
IN_CHUNK = 500

StatusOf = Callable[[dict, dt.datetime], str]
EVENT_COLUMNS = [f.column_name for f in SignInEvent._meta.sorted_fields]
PG_TYPES = {"VARCHAR": "text", "TEXT": "text", "INT": "int", "BIGINT": "bigint",
            "DATETIME": "timestamp", "BOOL": "boolean"}
EVENT_PG_TYPES = [PG_TYPES[f.field_type] for f in SignInEvent._meta.sorted_fields]
LEAVE_FIELDS = (Leave.session, Leave.staff, Leave.reason, Leave.recorded_at, Leave.recorded_by,
                Leave.event_id)


class SyncState(BaseModel):
    """Watermarks of this database's pulls (``pull.staff`` …), ISO timestamps of the centre's rows."""

    key = pw.CharField(max_length=64, primary_key=True)
    value = pw.TextField()

    class Meta:
        table_name = "sync_state"


class CentralSchemaTooOld(RuntimeError):
    """The central database has not been upgraded to a schema that can take pushes."""


def _chunks(items: list, size: int = IN_CHUNK) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


# -- the local side (bound models) -----------------------------------------------------------
def queued_count() -> int:
    """Local events the centre has not acknowledged yet."""
    return SignInEvent.select().where(SignInEvent.pushed_at.is_null()).count()


def queued_batch(limit: int = PUSH_BATCH) -> list[dict]:
    """The oldest unacknowledged local events, in the order they happened here.

    Plain SQL and tuples (a push reads thousands of rows; model rows cost more than the read).
    """
    db = SignInEvent._meta.database
    left, right = db.quote[0], db.quote[1]

    def q(name: str) -> str:
        return f"{left}{name}{right}"

    sql = (f"SELECT {', '.join(q(c) for c in EVENT_COLUMNS)} FROM {q('sign_in_event')} "
           f"WHERE {q('pushed_at')} IS NULL ORDER BY {q('seq')}, {q('id')} LIMIT {int(limit)}")
    rows = [dict(zip(EVENT_COLUMNS, values, strict=True)) for values in db.execute_sql(sql).fetchall()]
    for row in rows:
        for name in ("at", "pushed_at", "received_at"):
            row[name] = to_datetime(row[name])
    return rows


def mark_pushed(event_ids: list[str], at: dt.datetime) -> None:
    """Acknowledge a pushed batch locally: one short transaction, one plain ``UPDATE … WHERE id
    IN (…)`` per chunk (Peewee's expression building for thousands of ids cost more than
    SQLite's own work)."""
    db = SignInEvent._meta.database
    left, right = db.quote[0], db.quote[1]
    stamp = SignInEvent.pushed_at.db_value(at)
    with db.atomic():
        for chunk in _chunks(event_ids, MARK_CHUNK):
            db.execute_sql(f"UPDATE {left}sign_in_event{right} SET {left}pushed_at{right} = {db.param} "
                           f"WHERE {left}pushed_at{right} IS NULL AND {left}id{right} IN ("
                           + ", ".join([db.param] * len(chunk)) + ")", [stamp, *chunk])


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


# -- the central side (explicit database) ----------------------------------------------------
def central_version(central: pw.Database) -> int:
    try:
        row = central.execute_sql("SELECT MAX(version) FROM schema_version").fetchone()
    except pw.ProgrammingError:
        raise CentralSchemaTooOld() from None
    return int(row[0] or 0) if row else 0


def check_central(central: pw.Database) -> None:
    if central_version(central) < REQUIRED_CENTRAL_VERSION:
        raise CentralSchemaTooOld()


def central_now(central: pw.Database) -> dt.datetime:
    """The centre's own clock (naive UTC): the ``received_at`` of a batch."""
    if isinstance(central, pw.PostgresqlDatabase):
        sql = "SELECT CAST(now() AT TIME ZONE 'UTC' AS timestamp)"
    elif isinstance(central, pw.MySQLDatabase):
        sql = "SELECT UTC_TIMESTAMP(6)"
    else:
        return utcnow()
    value = central.execute_sql(sql).fetchone()[0]
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=None)


def push_batch(central: pw.Database, rows: list[dict], status_of: StatusOf) -> None:
    """Store one batch at the centre and apply it to the centre's register, atomically.

    Idempotent: running it twice with the same rows leaves the centre exactly as running it once.
    """
    if not rows:
        return
    with central.atomic():
        received = central_now(central)
        # the centre's view of the people whose badge scans or leaves need checking
        keys = sorted({r["staff_key"] for r in rows if r["staff_key"] and (
            r["result"] == "leave" or (r["result"] in SIGN_IN_RESULTS and r["method"] in BADGE_METHODS))})
        session_ids = sorted({r["session_id"] for r in rows if r["session_id"] is not None})
        staff = _central_staff(central, keys)
        sessions = _central_sessions(central, session_ids)
        revoked = _revocations(central, [r for r in rows if _old_badge(r, staff.get(r["staff_key"]))])
        out = []
        for r in rows:
            row = dict(r)
            row["pushed_at"] = received  # acknowledged by definition: never queued at the centre
            row["received_at"] = received
            if _revoked_before_scan(row, staff.get(row["staff_key"]), revoked.get(row["staff_key"])):
                row["note"] = (REVOKED_FLAG + (" " + row["note"] if row["note"] else ""))[:500]
            out.append(row)
        _insert_events(central, out)
        known = [r for r in out if r["staff_key"] and r["session_id"] in sessions]
        _apply_sign_ins(central, [r for r in known if r["result"] in SIGN_IN_RESULTS], sessions,
                        status_of)
        _apply_sign_outs(central, [r for r in known if r["result"] == "signed_out"])
        _apply_leaves(central, [r for r in known if r["result"] == "leave" and r["staff_key"] in staff])
        _apply_undos(central, [r for r in known if r["result"] == "undo"])


def _engine(central: pw.Database) -> str:
    if isinstance(central, pw.PostgresqlDatabase):
        return "postgresql"
    if isinstance(central, pw.MySQLDatabase):
        return "mysql"
    return "sqlite"


def _insert_events(central: pw.Database, rows: list[dict]) -> None:
    """Multi-row ``INSERT`` that skips ids the centre already holds (the idempotency key).

    PostgreSQL: the whole batch as one statement over ``unnest`` of one array literal per column
    (see :func:`_pg_array`) — 15 parameters instead of 15 per row, so neither the driver's
    per-value quoting nor the server's parsing of a huge ``VALUES`` list costs anything; this is
    faster than psycopg2's ``execute_values``. MySQL/MariaDB and SQLite: one parameterised
    multi-row string per chunk (rather than ``insert_many``, whose per-value SQL generation cost
    more than the database's own work).
    """
    engine = _engine(central)
    left, right = central.quote[0], central.quote[1]
    columns = ", ".join(f"{left}{c}{right}" for c in EVENT_COLUMNS)
    if engine == "postgresql":
        arrays = ", ".join(f"%s::{kind}[]" for kind in EVENT_PG_TYPES)
        central.execute_sql(f'INSERT INTO "sign_in_event" ({columns}) SELECT * FROM unnest({arrays}) '
                            "ON CONFLICT DO NOTHING",
                            [_pg_array([r[c] for r in rows], kind)
                             for c, kind in zip(EVENT_COLUMNS, EVENT_PG_TYPES, strict=True)])
        return
    verb = {"mysql": "INSERT IGNORE", "sqlite": "INSERT OR IGNORE"}[engine]
    one = "(" + ", ".join([central.param] * len(EVENT_COLUMNS)) + ")"
    for chunk in _chunks(rows, SQL_ROWS):
        sql = (f"{verb} INTO {left}sign_in_event{right} ({columns}) VALUES "
               + ", ".join([one] * len(chunk)))
        central.execute_sql(sql, [r[c] for r in chunk for c in EVENT_COLUMNS])


def _pg_array(values: list, kind: str) -> str:
    """One column of a batch as a PostgreSQL array literal (``{"a","b\\"c",NULL}``), cast by the
    statement to ``kind[]``.

    Every element is double-quoted with ``\\`` and ``"`` escaped (the array syntax's only
    specials inside quotes), so any text round-trips; the literal itself travels as one ordinary
    bound parameter.
    """
    if kind in ("int", "bigint"):
        items = ["NULL" if v is None else str(int(v)) for v in values]
    elif kind == "timestamp":
        items = ["NULL" if v is None else f'"{v.isoformat(" ")}"' for v in values]
    elif kind == "boolean":
        items = ["NULL" if v is None else ("t" if v else "f") for v in values]
    else:
        items = ["NULL" if v is None else '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'
                 for v in values]
    return "{" + ",".join(items) + "}"


def _central_staff(central: pw.Database, keys: list[str]) -> dict[str, dict]:
    found = {}
    for chunk in _chunks(keys):
        q = (Staff.select(Staff.key, Staff.badge_version, Staff.updated_at)
             .where(Staff.key.in_(chunk)).dicts())
        found.update({r["key"]: r for r in q.execute(central)})
    return found


def _central_sessions(central: pw.Database, ids: list[int]) -> dict[int, dict]:
    found = {}
    for chunk in _chunks(ids):
        q = StudySession.select().where(StudySession.id.in_(chunk)).dicts()
        found.update({r["id"]: r for r in q.execute(central)})
    return found


def _old_badge(row: dict, person: dict | None) -> bool:
    """An accepted badge scan whose version the centre has since replaced."""
    return bool(
        person is not None and row["result"] in SIGN_IN_RESULTS and row["method"] in BADGE_METHODS
        and row.get("badge_version") is not None and row["badge_version"] < person["badge_version"]
    )


REVOKE_NOTE = re.compile(r"badge_version (\d+)->(\d+)")


def _revocations(central: pw.Database, rows: list[dict]) -> dict[str, list[tuple[int, dt.datetime]]]:
    """(old version, time) of each audited revocation (``badge_revoked`` events) of these people."""
    keys = sorted({r["staff_key"] for r in rows})
    found: dict[str, list[tuple[int, dt.datetime]]] = {}
    for chunk in _chunks(keys):
        q = (SignInEvent.select(SignInEvent.staff_key, SignInEvent.note, SignInEvent.at)
             .where((SignInEvent.result == "badge_revoked") & SignInEvent.staff_key.in_(chunk))
             .tuples())
        for key, note, at in q.execute(central):
            match = REVOKE_NOTE.search(note or "")
            if match:
                found.setdefault(key, []).append((int(match.group(1)), at))
    return found


def _revoked_before_scan(row: dict, person: dict | None,
                         revocations: list[tuple[int, dt.datetime]] | None) -> bool:
    """A badge scan the kiosk accepted with a version the centre had revoked before the scan.

    The version scanned stopped being valid at the first audited revocation that moved the
    person past it. Without such an event (a version bumped by hand), ``updated_at`` — which a
    revocation bumps — at or before the scan still proves it; a later edit then hides the flag.
    """
    if not _old_badge(row, person):
        return False
    times = [at for old, at in revocations or () if old >= row["badge_version"]]
    if times:
        return min(times) <= row["at"]
    return person["updated_at"] is not None and person["updated_at"] <= row["at"]


def _earliest(rows: list[dict], latest: bool = False) -> dict[tuple[int, str], dict]:
    """One event per (session, person): the earliest (ties: smallest id), or the latest."""
    best: dict[tuple[int, str], dict] = {}
    for r in rows:
        pair = (r["session_id"], r["staff_key"])
        held = best.get(pair)
        if held is None:
            best[pair] = r
            continue
        rank, held_rank = (r["at"], r["id"]), (held["at"], held["id"])
        if (rank > held_rank) if latest else (rank < held_rank):
            best[pair] = r
    return best


def _apply_sign_ins(central: pw.Database, rows: list[dict], sessions: dict[int, dict],
                    status_of: StatusOf) -> None:
    """Earliest accepted sign-in wins, whichever kiosk it came from and whenever it arrives.

    Two statements per chunk, whatever the chunk size: people outside the centre's audience get
    a visitor row first (only if the centre knows them), then one guarded ``UPDATE`` joined to
    the chunk's values overwrites a row only when this event is earlier (or equally early with a
    smaller id) than what the row holds. The guard is evaluated on the row's latest committed
    version under its row lock, so ten kiosks pushing at once still converge on the earliest.
    """
    best = _earliest(rows)
    if not best:
        return
    engine = _engine(central)
    values = [(sid, key, ev["at"], status_of(sessions[sid], ev["at"]), ev["method"], ev["kiosk_id"],
               ev["id"]) for (sid, key), ev in sorted(best.items())]
    if engine == "postgresql":  # the whole batch in one statement over column arrays
        central.execute_sql(_upsert_sql(engine, central.param, len(values)),
                            [_pg_array([row[i] for row in values], kind)
                             for i, kind in enumerate(SIGN_IN_PG_TYPES)])
        return
    for chunk in _chunks(values, SQL_ROWS):
        params = [v for row in chunk for v in row]
        if engine == "mysql":
            central.execute_sql(_visitor_rows_sql(engine, central.param, len(chunk)),
                                [v for row in chunk for v in row[:2]])
            central.execute_sql(_guarded_update_sql(engine, central.param, len(chunk)), params)
        else:
            central.execute_sql(_upsert_sql(engine, central.param, len(chunk)), params)


SIGN_IN_COLUMNS = ("sid", "skey", "at", "status", "method", "kiosk_id", "event_id")
SIGN_IN_PG_TYPES = ("int", "text", "timestamp", "text", "text", "text", "text")
EARLIER_GUARD = ("(a.signed_in_at IS NULL OR a.signed_in_at > v.at OR (a.signed_in_at = v.at "
                 "AND (a.event_id IS NULL OR a.event_id > v.event_id)))")
SET_SIGN_IN = ("signed_in_at = v.at, status = v.status, method = v.method, kiosk_id = v.kiosk_id, "
               "event_id = v.event_id")


def _values_source(engine: str, param: str, columns: tuple[str, ...], count: int) -> str:
    """``count`` rows of parameters as a relation ``v``: a CTE (SQLite; PostgreSQL over one array
    parameter per column, see :func:`_pg_array`) or a derived table of ``UNION ALL`` selects
    (MySQL/MariaDB, whose VALUES cannot name its columns)."""
    if engine == "postgresql":
        types = dict(zip(SIGN_IN_COLUMNS, SIGN_IN_PG_TYPES, strict=True))
        arrays = ", ".join(f"{param}::{types[c]}[]" for c in columns)
        return f"v({', '.join(columns)}) AS (SELECT * FROM unnest({arrays}))"
    if engine == "mysql":
        def cell(name: str, value: str) -> str:
            return f"CAST({value} AS DATETIME(6))" if name == "at" else value
        first = "SELECT " + ", ".join(f"{cell(c, param)} AS {c}" for c in columns)
        rest = "SELECT " + ", ".join(cell(c, param) for c in columns)
        return "(" + " UNION ALL ".join([first] + [rest] * (count - 1)) + ") AS v"
    one = "(" + ", ".join([param] * len(columns)) + ")"
    return f"v({', '.join(columns)}) AS (VALUES {', '.join([one] * count)})"


def _visitor_rows_sql(engine: str, param: str, count: int) -> str:
    """Add a pending visitor row for each (session, person) the centre knows but has no row for."""
    source = _values_source(engine, param, SIGN_IN_COLUMNS[:2], count)
    select = ("SELECT v.sid, v.skey, FALSE, 'pending', FALSE FROM {v} "
              "WHERE EXISTS (SELECT 1 FROM staff s WHERE s.{k} = v.skey) "
              "AND EXISTS (SELECT 1 FROM study_session ss WHERE ss.id = v.sid) "
              "AND NOT EXISTS (SELECT 1 FROM attendance a WHERE a.session_id = v.sid "
              "AND a.staff_id = v.skey)")
    columns = "attendance (session_id, staff_id, expected, status, early_leave)"
    if engine == "mysql":
        return f"INSERT IGNORE INTO {columns} " + select.format(v=source, k="`key`")
    verb = "INSERT OR IGNORE INTO" if engine == "sqlite" else "INSERT INTO"
    tail = " ON CONFLICT DO NOTHING" if engine == "postgresql" else ""
    return f"WITH {source} {verb} {columns} " + select.format(v="v", k='"key"') + tail


def _upsert_sql(engine: str, param: str, count: int) -> str:
    """PostgreSQL/SQLite: one ``INSERT … ON CONFLICT (session, person) DO UPDATE … WHERE earlier``
    both adds visitor rows and moves existing rows to an earlier sign-in."""
    source = _values_source(engine, param, SIGN_IN_COLUMNS, count)
    guard = EARLIER_GUARD.replace("a.", "attendance.").replace("v.", "excluded.").replace(
        "excluded.at", "excluded.signed_in_at")
    sets = ", ".join(f"{col} = excluded.{col}" for col in
                     ("signed_in_at", "status", "method", "kiosk_id", "event_id"))
    return (f"WITH {source} INSERT INTO attendance (session_id, staff_id, expected, status, "
            "signed_in_at, early_leave, method, kiosk_id, event_id) "
            "SELECT v.sid, v.skey, FALSE, v.status, v.at, FALSE, v.method, v.kiosk_id, v.event_id "
            'FROM v WHERE EXISTS (SELECT 1 FROM staff s WHERE s."key" = v.skey) '
            "AND EXISTS (SELECT 1 FROM study_session ss WHERE ss.id = v.sid) "
            f"ON CONFLICT (session_id, staff_id) DO UPDATE SET {sets} WHERE {guard}")


def _guarded_update_sql(engine: str, param: str, count: int) -> str:
    """Write each row's sign-in only where it is earlier than what the register holds."""
    source = _values_source(engine, param, SIGN_IN_COLUMNS, count)
    if engine == "mysql":
        sets = ", ".join(f"a.{part.strip()}" for part in SET_SIGN_IN.split(","))
        return (f"UPDATE attendance AS a JOIN {source} ON a.session_id = v.sid "
                f"AND a.staff_id = v.skey SET {sets} WHERE {EARLIER_GUARD}")
    return (f"WITH {source} UPDATE attendance AS a SET {SET_SIGN_IN} FROM v "
            f"WHERE a.session_id = v.sid AND a.staff_id = v.skey AND {EARLIER_GUARD}")


def _apply_sign_outs(central: pw.Database, rows: list[dict]) -> None:
    """The latest sign-out after the sign-in counts; early leave as the kiosk judged it."""
    for (sid, key), ev in sorted(_earliest(rows, latest=True).items()):
        (Attendance.update(signed_out_at=ev["at"], early_leave=ev["note"] == "early_leave")
         .where((Attendance.session == sid) & (Attendance.staff == key)
                & Attendance.signed_in_at.is_null(False) & (Attendance.signed_in_at <= ev["at"])
                & (Attendance.signed_out_at.is_null() | (Attendance.signed_out_at < ev["at"])))
         .execute(central))


def _apply_leaves(central: pw.Database, rows: list[dict]) -> None:
    """A leave recorded at a kiosk: kept at the centre unless one is already there; a sign-in
    still beats it (only a pending row turns excused)."""
    for (sid, key), ev in sorted(_earliest(rows).items()):
        (Leave.insert(session=sid, staff=key, reason=ev["note"] or "-", recorded_at=ev["at"],
                      recorded_by=ev["actor"], event_id=ev["id"])
         .on_conflict_ignore().execute(central))
        (Attendance.update(status="excused")
         .where((Attendance.session == sid) & (Attendance.staff == key)
                & (Attendance.status == "pending")).execute(central))


def _apply_undos(central: pw.Database, rows: list[dict]) -> None:
    """A host's undo of a mistaken sign-in: the centre's row goes back to pending (excused with a
    leave; a visitor row goes) if the sign-in it holds is not later than the undo."""
    for (sid, key), ev in sorted(_earliest(rows, latest=True).items()):
        pair = (Attendance.session == sid) & (Attendance.staff == key)
        not_later = Attendance.signed_in_at.is_null(False) & (Attendance.signed_in_at <= ev["at"])
        Attendance.delete().where(pair & not_later & ~Attendance.expected).execute(central)
        had_leave = Leave.select().where((Leave.session == sid) & (Leave.staff == key)).exists(central)
        (Attendance.update(status="excused" if had_leave else "pending", signed_in_at=None,
                           signed_out_at=None, early_leave=False, method=None, kiosk_id=None,
                           event_id=None)
         .where(pair & not_later & Attendance.expected).execute(central))


# -- pull --------------------------------------------------------------------------------------
class Snapshot:
    """What a pull read from the centre; applied locally by :func:`apply_snapshot`."""

    def __init__(self) -> None:
        self.departments: list[dict] = []
        self.staff: list[dict] = []
        self.groups: dict[str, list[str]] = {}
        self.sessions: list[dict] = []
        self.audiences: dict[int, list[tuple[str, str]]] = {}
        self.leaves: list[dict] = []
        self.settings: dict[str, str] = {}
        self.marks: dict[str, dt.datetime | None] = {}


def _since(query: pw.ModelSelect, field: pw.Field, mark: dt.datetime | None) -> pw.ModelSelect:
    """Rows changed since the watermark, minus an overlap (writers' clocks, late commits)."""
    return query if mark is None else query.where(field >= mark - PULL_OVERLAP)


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
    ids = sorted(r["id"] for r in snap.sessions)
    for chunk in _chunks(ids):
        q = (SessionAudience.select(SessionAudience.session, SessionAudience.kind,
                                    SessionAudience.value)
             .where(SessionAudience.session.in_(chunk)).tuples())
        for sid, kind, value in q.execute(central):
            snap.audiences.setdefault(sid, []).append((kind, value))
    leaves_q = _since(Leave.select(*LEAVE_FIELDS), Leave.recorded_at, _watermark("leave"))
    snap.leaves = list(leaves_q.dicts().execute(central))
    snap.settings = dict(Setting.select(Setting.key, Setting.value)
                         .where(Setting.key.in_(PULLED_SETTINGS)).tuples().execute(central))
    snap.marks = {
        "staff": max((r["updated_at"] for r in snap.staff if r["updated_at"]), default=None),
        "session": max((r["updated_at"] for r in snap.sessions if r["updated_at"]), default=None),
        "leave": max((r["recorded_at"] for r in snap.leaves if r["recorded_at"]), default=None),
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
        changed += staff_changed + len(sessions_changed) + _apply_local_leaves(snap.leaves)
        changed += _apply_settings(snap.settings)
        if staff_changed:
            refresh_all_upcoming(now)
        for sid in sessions_changed:
            refresh_expected(sid, now)
        for name, mark in snap.marks.items():
            _set_watermark(name, mark)
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


def _apply_sessions(rows: list[dict], audiences: dict[int, list[tuple[str, str]]]) -> list[int]:
    changed = []
    for r in rows:
        sid = r["id"]
        held = StudySession.select().where(StudySession.id == sid).dicts().first()
        terms = sorted(audiences.get(sid, []))
        held_terms = sorted(SessionAudience.select(SessionAudience.kind, SessionAudience.value)
                            .where(SessionAudience.session == sid).tuples())
        if held is None:
            StudySession.insert(**r).execute()
        elif held != r:
            StudySession.update(**{k: v for k, v in r.items() if k != "id"}).where(
                StudySession.id == sid).execute()
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
    """Leaves as the centre holds them; one whose session or person this database lacks is
    skipped (a foreign-key failure would otherwise block every later pull)."""
    changed = 0
    for r in rows:
        where = (Leave.session == r["session"]) & (Leave.staff == r["staff"])
        held = Leave.select(*LEAVE_FIELDS).where(where).dicts().first()
        if held == r:
            continue
        if held is None and not (
                StudySession.select().where(StudySession.id == r["session"]).exists()
                and Staff.select().where(Staff.key == r["staff"]).exists()):
            continue
        if held is None:
            Leave.insert(**r).execute()
        else:
            Leave.update(**{k: v for k, v in r.items() if k not in ("session", "staff")}).where(
                where).execute()
        (Attendance.update(status="excused")
         .where((Attendance.session == r["session"]) & (Attendance.staff == r["staff"])
                & (Attendance.status == "pending")).execute())
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
