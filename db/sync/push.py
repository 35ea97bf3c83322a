"""Push: one batch of events into the centre's log, then the centre's register follows.

Each batch is one central transaction: ``INSERT … ON CONFLICT DO NOTHING`` / ``INSERT IGNORE``
keyed by the event's UUID (so a batch retried after a lost reply never duplicates), with the
original scan time and kiosk id and the centre's ``received_at``; then the register rules
apply it: inside a server centre (:mod:`db.sync.centre_sql`, with the owner's rights), or those
of :mod:`db.sync.centre_rules` on a SQLite one.

:func:`push_batch` is the one way events enter a server centre (a door's push, a host's 补签, undo
and leave): on MariaDB it is also what makes the centre apply the batch (one procedure call).
"""

from __future__ import annotations

import datetime as dt
import json
import re

import peewee as pw

from db.models import SignInEvent, Staff, StudySession
from db.sync.centre_mariadb import APPLY_PUSHED, BATCH_FLAG
from db.sync.centre_rules import (
    _apply_leave_withdrawals,
    _apply_leaves,
    _apply_sign_ins,
    _apply_sign_outs,
    _apply_undos,
)
from db.sync.common import (
    BADGE_METHODS,
    EVENT_COLUMNS,
    EVENT_PG_TYPES,
    PUSHED_FIELDS,
    REVOKED_FLAG,
    RULES_MIGRATION,
    SIGN_IN_RESULTS,
    SQL_ROWS,
    StatusOf,
    _chunks,
    _engine,
    _pg_array,
    central_now,
)


def push_batch(central: pw.Database, rows: list[dict], status_of: StatusOf) -> None:
    """Store one batch at the centre and apply it to the centre's register, atomically.

    Idempotent: running it twice with the same rows leaves the centre exactly as running it once.
    """
    if not rows:
        return
    rules = _rules_version(central)
    if rules:
        _push_events_only(central, rows, batched=rules >= BATCH_MIGRATION)
        return
    with central.atomic():
        received = central_now(central)
        rows, sessions = _attributed(central, rows)
        # the centre's view of the people whose badge scans or leaves need checking
        keys = sorted({r["staff_key"] for r in rows if r["staff_key"] and (
            r["result"] == "leave" or (r["result"] in SIGN_IN_RESULTS and r["method"] in BADGE_METHODS))})
        staff = _central_staff(central, keys)
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
        _apply_leave_withdrawals(central, [r for r in known if r["result"] == "leave_withdrawn"])


TRIGGER_ROWS = 100  # events per INSERT into a MariaDB centre before 0013 (rules per row)
BATCH_MIGRATION = 13  # m0013: a MariaDB centre applies a batch in one procedure call


def rules_in_database(central: pw.Database) -> bool:
    """The centre applies events itself (migration 0008: triggers on PostgreSQL/MariaDB)."""
    return _rules_version(central) > 0


def _rules_version(central: pw.Database) -> int:
    """0 (SQLite, or a server centre before 0008: the rules run here), 8 (row rules), or 13
    (a MariaDB centre that applies a batch when asked; PostgreSQL's rules need no asking)."""
    if _engine(central) == "sqlite":
        return 0
    wanted = f"{RULES_MIGRATION}, {BATCH_MIGRATION}" if _engine(central) == "mysql" \
        else f"{RULES_MIGRATION}"
    found = central.execute_sql(f"SELECT MAX(version) FROM schema_version WHERE version IN ({wanted})"
                                ).fetchone()
    return int(found[0] or 0) if found else 0


def _push_events_only(central: pw.Database, rows: list[dict], batched: bool) -> None:
    """Insert the batch, nothing else: the centre's triggers attribute, flag and apply it, with
    the owner's rights (a door's role may only INSERT events, and on MariaDB call the apply).

    ``batched`` (MariaDB at 0013): the session says it will apply its batch (the row trigger then
    leaves each event to it), inserts the batch as one JSON document, and calls
    ``kiosk_apply_pushed(ids, received_at)`` before the commit, which applies the events of these
    ids that this account delivered now (not those a re-sent batch's ``INSERT IGNORE`` skipped).
    Before 0013 MariaDB applied each row in its trigger: shorter statements stayed well inside
    the statement timeout.
    """
    mysql = _engine(central) == "mysql"
    with central.atomic():
        received = central_now(central)
        rows, _ = _attributed(central, rows)
        for row in rows:
            row["pushed_at"] = received  # acknowledged by definition: never queued at the centre
            row["received_at"] = received
        if not (mysql and batched):
            _insert_events(central, rows, TRIGGER_ROWS if mysql else SQL_ROWS)
            return
        central.execute_sql(f"SET {BATCH_FLAG} = 1")
        try:
            _insert_events(central, rows, as_json=True)
            # also sets the flag back
            central.execute_sql(f"CALL {APPLY_PUSHED}(%s, %s)",
                                (json.dumps([r["id"] for r in rows]), received))
        except BaseException:
            _unflag(central)
            raise


def _unflag(central: pw.Database) -> None:
    """After a failed batch: later inserts on this connection are applied as they come again."""
    try:
        central.execute_sql(f"SET {BATCH_FLAG} = NULL")
    except pw.DatabaseError:
        pass  # the connection is gone, and the session with it


def _insert_events(central: pw.Database, rows: list[dict], per_statement: int = SQL_ROWS,
                   as_json: bool = False) -> None:
    """Multi-row ``INSERT`` that skips ids the centre already holds (the idempotency key).

    PostgreSQL: the whole batch as one statement over ``unnest`` of one array literal per column
    (see :func:`_pg_array`) — 15 parameters instead of 15 per row, so neither the driver's
    per-value quoting nor the server's parsing of a huge ``VALUES`` list costs anything; this is
    faster than psycopg2's ``execute_values``. MariaDB with ``as_json`` (10.6+, a centre at
    0013): the same idea, the batch as one JSON document read by ``JSON_TABLE`` (one parameter:
    ``json.dumps`` in C instead of PyMySQL quoting each value in Python). Otherwise (and SQLite):
    one parameterised multi-row string per chunk (rather than ``insert_many``, whose per-value
    SQL generation cost more than the database's own work).
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
    if as_json and engine == "mysql":
        document = json.dumps([[r[c] for c in EVENT_COLUMNS] for r in rows], default=_json_value,
                              ensure_ascii=False, separators=(",", ":"))
        central.execute_sql(f"INSERT IGNORE INTO `sign_in_event` ({columns}) SELECT * FROM "
                            f"JSON_TABLE(%s, '$[*]' COLUMNS ({JSON_COLUMNS})) AS j", (document,))
        return
    verb = {"mysql": "INSERT IGNORE", "sqlite": "INSERT OR IGNORE"}[engine]
    one = "(" + ", ".join([central.param] * len(EVENT_COLUMNS)) + ")"
    for chunk in _chunks(rows, per_statement):
        sql = (f"{verb} INTO {left}sign_in_event{right} ({columns}) VALUES "
               + ", ".join([one] * len(chunk)))
        central.execute_sql(sql, [r[c] for r in chunk for c in EVENT_COLUMNS])


def _json_type(field: pw.Field) -> str:
    if isinstance(field, pw.CharField):
        return f"VARCHAR({field.max_length})"
    return {"BIGINT": "BIGINT", "INT": "INT", "DATETIME": "DATETIME(6)"}[field.field_type]


JSON_COLUMNS = ", ".join(f"`{f.column_name}` {_json_type(f)} PATH '$[{i}]'"
                         for i, f in enumerate(PUSHED_FIELDS))


def _json_value(value: object) -> str:
    """A datetime as MariaDB reads it (``2030-03-04 01:00:00.000123``)."""
    if isinstance(value, dt.datetime):
        return value.isoformat(" ")
    raise TypeError(type(value).__name__)


def _central_staff(central: pw.Database, keys: list[str]) -> dict[str, dict]:
    found = {}
    for chunk in _chunks(keys):
        q = (Staff.select(Staff.key, Staff.badge_version, Staff.updated_at)
             .where(Staff.key.in_(chunk)).dicts())
        found.update({r["key"]: r for r in q.execute(central)})
    return found


def _attributed(central: pw.Database, rows: list[dict]) -> tuple[list[dict], dict[int, dict]]:
    """The rows with ``session_id`` rewritten to the centre's own number of the session they were
    scanned for, found by ``session_uid`` (None when the centre does not know that session: the
    event is kept, attributed to nothing, never to another session); and those sessions by id.

    A row without a ``session_uid`` key at all comes from a caller that already speaks the
    centre's numbers (a tool at the centre): its ``session_id`` stands and its uid is filled in.
    """
    uids = sorted({r["session_uid"] for r in rows if r.get("session_uid")})
    ids = sorted({r["session_id"] for r in rows if "session_uid" not in r and r["session_id"] is not None})
    by_uid: dict[str, dict] = {}
    by_id: dict[int, dict] = {}
    for field, wanted in ((StudySession.uid, uids), (StudySession.id, ids)):
        for chunk in _chunks(wanted):
            for r in StudySession.select().where(field.in_(chunk)).dicts().execute(central):
                by_uid[r["uid"]], by_id[r["id"]] = r, r
    out = []
    for r in rows:
        row = dict(r)
        if "session_uid" in r:
            held = by_uid.get(r["session_uid"]) if r["session_uid"] else None
            row["session_id"] = held["id"] if held else None
        else:
            held = by_id.get(r["session_id"])
            row["session_uid"] = held["uid"] if held else None
        out.append(row)
    return out, by_id


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

