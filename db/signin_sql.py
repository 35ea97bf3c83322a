"""Prepared SQL for the sign-in hot path: the few reads and writes every scan makes.

A scan must cost little more than the fsync of its commit (bench/scans.py holds it to 1.2× raw
sqlite3). Building a Peewee query and model rows costs ~100-200 µs a statement, several times the
statement itself, so the statements a scan runs are written once per engine (its quoting and
placeholder) from the models' own table and column names, cached, and run with
``execute_sql``; rows come back as plain tuples. Behaviour is that of the Peewee queries they
replace (``queries.staff_row``, ``queries.recorded_for``, ``ledger.mark_signed_in``,
``ledger.append_event``), on SQLite, PostgreSQL and MySQL/MariaDB alike.

On SQLite the statements of a scan (:func:`person_at`, :func:`record_arrival`,
:func:`insert_event_values`) go straight to the ``sqlite3`` connection Peewee opened (``db.connection()``:
same connection, same transaction, same pragmas), which prepares and caches each SQL string
itself; Peewee's per-statement cursor wrapper cost a fifth of a scan's CPU. Errors are translated
by Peewee's own exception wrapper, so callers see ``peewee.OperationalError`` etc. as before.

:func:`data_stamp` lets callers cache what rarely changes (the sessions near now): on SQLite it is
``PRAGMA data_version`` (changes when another connection commits) with the connection's own
``total_changes`` (changes when this connection writes), so an unchanged stamp proves that
nothing at all was written since.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

import peewee as pw

from db.models import Attendance, SignInEvent, Staff, StaffGroup, StudySession

_SQL: dict[tuple, str] = {}
# the wrapper Peewee's execute_sql runs every statement in: driver errors → peewee.OperationalError …
_PEEWEE_ERRORS = pw.__exception_wrapper__
# what Peewee's own transaction runs after a commit / a rollback (its on-commit callbacks)
_AFTER_COMMIT = getattr(pw.Database, "_run_commit_callbacks", lambda db: None)
_AFTER_ROLLBACK = getattr(pw.Database, "_clear_commit_callbacks", lambda db: None)


def current() -> pw.Database:
    """The database the models are bound to (the proxy's target)."""
    handle = Staff._meta.database
    return getattr(handle, "obj", None) or handle


def _statement(db: pw.Database, name: tuple, build: Callable[..., str], *args) -> str:
    """The SQL ``build(ident, param, *args)`` writes for ``db``'s engine, cached under ``name``."""
    key = (db.quote, db.param, *name)
    sql = _SQL.get(key)
    if sql is None:
        quote = db.quote

        def ident(text: str) -> str:
            return f"{quote[0]}{text}{quote[1]}"

        sql = _SQL[key] = build(ident, db.param, *args)
    return sql


def _execute(db: pw.Database, sql: str, params: tuple):
    """``db.execute_sql(sql, params)``; on SQLite run on the sqlite3 connection itself (see the
    module docstring) — same connection, transaction and error classes, no Peewee cursor wrapper."""
    if isinstance(db, pw.SqliteDatabase):
        try:
            return db.connection().execute(sql, params)
        except Exception as exc:
            _raise_as_peewee(exc)
    return db.execute_sql(sql, params)


def _raise_as_peewee(exc: Exception) -> None:  # never returns
    """Re-raise a driver error as Peewee's class of it, as ``execute_sql`` would have (a
    try/except costs nothing until it fires, unlike a ``with`` block around every statement)."""
    with _PEEWEE_ERRORS:
        raise exc
    raise exc  # not a driver error: unchanged


class ScanTransaction:
    """``with db.atomic():`` for one scan, at raw sqlite3's cost on SQLite.

    Outside any transaction on SQLite it issues ``BEGIN IMMEDIATE`` … ``COMMIT`` (the lock type
    ``database.bind`` gives every SQLite database) on the sqlite3 connection and stands on
    Peewee's transaction stack meanwhile, so
    an ``atomic()`` inside becomes a savepoint exactly as under ``db.atomic()``; a failed body or
    commit is rolled back (unless SQLite already undid it, e.g. on a full disk) and re-raised as
    Peewee's error. Elsewhere, or nested, it is ``db.atomic()``. One object per transaction.

    Its :meth:`record_arrival` and :meth:`insert_event_values` (``ledger``'s ``via=``) and ``conn``
    (for :func:`person_at`) run the scan's statements on that connection without looking it up
    again; without one (``conn`` None) they are the module's functions.
    """

    __slots__ = ("db", "conn", "_atomic")

    def __init__(self, db: pw.Database) -> None:
        self.db = db
        self.conn = None  # the sqlite3 connection while this object runs the transaction itself
        self._atomic = None

    def __enter__(self) -> ScanTransaction:
        db = self.db
        if isinstance(db, pw.SqliteDatabase) and not db.in_transaction():
            conn = db.connection()
            try:
                conn.execute("BEGIN IMMEDIATE")
            except Exception as exc:
                _raise_as_peewee(exc)
            db.push_transaction(self)
            self.conn = conn
        else:
            self._atomic = db.atomic()
            self._atomic.__enter__()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._atomic is not None:
            inner, self._atomic = self._atomic, None
            inner.__exit__(exc_type, exc, tb)
            return
        conn, self.conn = self.conn, None
        db = self.db
        db.pop_transaction()
        try:
            if exc_type is None:
                try:
                    check = getattr(db, "check_file", None)
                    if check is not None and db.database != ":memory:":
                        check()  # (database.HomeDatabase: the file deleted or replaced)
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    _AFTER_ROLLBACK(db)
                    raise
                _AFTER_COMMIT(db)
            else:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                _AFTER_ROLLBACK(db)
        except Exception as error:
            _raise_as_peewee(error)

    def record_arrival(self, session_id: int, staff_key: str, *, status: str, at: dt.datetime,
                       method: str, kiosk_id: str, event_id: str) -> int:
        """:func:`record_arrival` in this transaction."""
        conn = self.conn
        if conn is None:
            return record_arrival(session_id, staff_key, status=status, at=at, method=method,
                                  kiosk_id=kiosk_id, event_id=event_id)
        try:
            return conn.execute(_statement(self.db, ("arrival",), _arrival_sql),
                                (status, Attendance.signed_in_at.db_value(at), method, kiosk_id,
                                 event_id, session_id, staff_key)).rowcount
        except Exception as exc:
            _raise_as_peewee(exc)

    def insert_event_values(self, names: tuple[str, ...], values: tuple) -> None:
        """:func:`insert_event_values` in this transaction."""
        conn = self.conn
        if conn is None:
            return insert_event_values(names, values)
        try:
            conn.execute(_statement(self.db, ("event", names), _event_sql, names),
                         _event_params(names, values))
        except Exception as exc:
            _raise_as_peewee(exc)


def to_datetime(value) -> dt.datetime | None:
    """A stored timestamp as naive datetime (SQLite returns text, the servers datetimes)."""
    if value is None or isinstance(value, dt.datetime):
        return value
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        return Attendance.signed_in_at.python_value(value)


def _staff_sql(q, p) -> str:
    s, g = Staff._meta.table_name, StaffGroup._meta.table_name
    cols = ", ".join(f"s.{q(c)}" for c in ("key", "staff_id", "name", Staff.department.column_name,
                                          "title", "active", "badge_version"))
    return (f"SELECT {cols}, g.{q('name')} FROM {q(s)} s LEFT JOIN {q(g)} g "
            f"ON g.{q(StaffGroup.staff.column_name)} = s.{q('key')} WHERE s.{q('key')} = {p}")


def staff_row(key: str) -> dict | None:
    """One person with their groups (sorted), or None — one statement."""
    db = current()
    rows = db.execute_sql(_statement(db, ("staff",), _staff_sql), (key,)).fetchall()
    if not rows:
        return None
    first = rows[0]
    return {"key": first[0], "staff_id": first[1], "name": first[2], "department": first[3],
            "title": first[4], "active": bool(first[5]), "badge_version": first[6],
            "groups": sorted(r[7] for r in rows if r[7] is not None)}


def recorded_for(staff_key: str, session_ids: Sequence[int]) -> dict[int, dict]:
    """What the register holds for one person at these sessions, by session id."""
    if not session_ids:
        return {}
    db = current()

    def build(q, p):
        a = Attendance._meta.table_name
        sess, staff = Attendance.session.column_name, Attendance.staff.column_name
        marks = ", ".join([p] * len(session_ids))
        return (f"SELECT {q(sess)}, {q('status')}, {q('expected')}, {q('signed_in_at')}, "
                f"{q('signed_out_at')} FROM {q(a)} WHERE {q(staff)} = {p} AND {q(sess)} IN ({marks})")

    sql = _statement(db, ("recorded", len(session_ids)), build)
    return {
        sid: {"session": sid, "status": status, "expected": bool(expected),
              "signed_in_at": to_datetime(signed_in), "signed_out_at": to_datetime(signed_out)}
        for sid, status, expected, signed_in, signed_out
        in db.execute_sql(sql, (staff_key, *session_ids)).fetchall()
    }


def _arrival_sql(q, p) -> str:
    a = Attendance._meta.table_name
    sess, staff = Attendance.session.column_name, Attendance.staff.column_name
    return (f"UPDATE {q(a)} SET {q('status')} = {p}, {q('signed_in_at')} = {p}, {q('method')} = {p}, "
            f"{q('kiosk_id')} = {p}, {q('event_id')} = {p} "
            f"WHERE {q(sess)} = {p} AND {q(staff)} = {p} AND {q('signed_in_at')} IS NULL")


def record_arrival(session_id: int, staff_key: str, *, status: str, at: dt.datetime, method: str,
                   kiosk_id: str, event_id: str) -> int:
    """Mark a pending row signed in; the number of rows changed (0: none, or already signed in)."""
    db = current()
    cursor = _execute(db, _statement(db, ("arrival",), _arrival_sql),
                      (status, Attendance.signed_in_at.db_value(at), method, kiosk_id,
                       event_id, session_id, staff_key))
    return cursor.rowcount


def _event_sql(q, p, names: tuple[str, ...]) -> str:
    """The event's INSERT; with a ``session_id`` it also records that session's global uid
    (one more parameter: the session id again), by which the centre attributes the event."""
    fields = SignInEvent._meta.fields
    cols = ", ".join(q(fields[n].column_name) for n in names)
    values = ", ".join([p] * len(names))
    if "session_id" in names and "session_uid" not in names:
        cols += f", {q('session_uid')}"
        values += (f", (SELECT {q('uid')} FROM {q(StudySession._meta.table_name)} "
                   f"WHERE {q('id')} = {p})")
    return f"INSERT INTO {q(SignInEvent._meta.table_name)} ({cols}) VALUES ({values})"


def _event_params(names: tuple[str, ...], values: tuple) -> tuple:
    """The parameters of :func:`_event_sql`'s statement."""
    if "session_id" in names and "session_uid" not in names:
        return (*values, values[names.index("session_id")])
    return values


def insert_event_values(names: tuple[str, ...], values: tuple) -> None:
    """Insert one sign-in event: SignInEvent field ``names`` and their ``values``."""
    db = current()
    # the values are str/int/None/datetime, which every driver takes as Peewee would pass them
    _execute(db, _statement(db, ("event", names), _event_sql, names), _event_params(names, values))


def _person_sql(q, p, count: int) -> str:
    s, g, a = (Staff._meta.table_name, StaffGroup._meta.table_name, Attendance._meta.table_name)
    cols = ", ".join(f"s.{q(c)}" for c in ("key", "staff_id", "name", Staff.department.column_name,
                                          "title", "active", "badge_version"))
    sess, staff = Attendance.session.column_name, Attendance.staff.column_name
    return (f"SELECT dv.data_version, {cols}, (SELECT group_concat(g.{q('name')}, char(31)) "
            f"FROM {q(g)} g WHERE g.{q(StaffGroup.staff.column_name)} = s.{q('key')}), "
            f"a.{q(sess)}, a.{q('status')}, a.{q('expected')}, a.{q('signed_in_at')}, "
            f"a.{q('signed_out_at')} FROM pragma_data_version() dv "
            f"LEFT JOIN {q(s)} s ON s.{q('key')} = {p} "
            f"LEFT JOIN {q(a)} a ON a.{q(staff)} = s.{q('key')} "
            f"AND a.{q(sess)} IN ({', '.join([p] * count)})")


def person_sql(session_count: int) -> str:
    """The statement :func:`person_at` runs for that many sessions (a cache may keep it)."""
    db = current()
    return _statement(db, ("person_at", session_count), _person_sql, session_count)


def person_at(staff_key: str, session_ids: Sequence[int], sql: str | None = None, conn=None
              ) -> tuple[tuple, dict | None, dict[int, dict]]:
    """SQLite only, one statement: :func:`data_stamp`, ``staff_row(staff_key)`` and
    ``recorded_for(staff_key, session_ids)`` — what a scan reads when its sessions are cached.

    ``sql`` is :func:`person_sql` for ``len(session_ids)``, when the caller kept it; ``conn`` the
    bound database's sqlite3 connection, when the caller holds it (``ScanTransaction.conn``).
    """
    if conn is None:
        conn = current().connection()
    try:
        rows = conn.execute(sql or person_sql(len(session_ids)), (staff_key, *session_ids)).fetchall()
    except Exception as exc:
        _raise_as_peewee(exc)
    first = rows[0]
    stamp = (conn, first[0], conn.total_changes)
    if first[1] is None:
        return stamp, None, {}
    person = {"key": first[1], "staff_id": first[2], "name": first[3], "department": first[4],
              "title": first[5], "active": bool(first[6]), "badge_version": first[7],
              "groups": sorted(first[8].split("\x1f")) if first[8] else []}
    held = {r[9]: {"session": r[9], "status": r[10], "expected": bool(r[11]),
                   "signed_in_at": to_datetime(r[12]), "signed_out_at": to_datetime(r[13])}
            for r in rows if r[9] is not None}
    return stamp, person, held


def _card_sql(q, p, count: int) -> str:
    return (f"SELECT {q('key')}, {q(Staff.card.column_name)}, {q('active')} "
            f"FROM {q(Staff._meta.table_name)} "
            f"WHERE {q(Staff.card.column_name)} IN ({', '.join([p] * count)})")


def card_holders(cards: Sequence[int], conn=None) -> list[tuple[str, int, bool]]:
    """``(key, card, active)`` of everyone bound to one of ``cards`` (a scan's readings of a
    card number, ``kiosk.card_numbers``): one indexed statement. ``conn`` as for
    :func:`person_at` (SQLite: the scan's sqlite3 connection)."""
    if not cards:
        return []
    db = current()
    sql = _statement(db, ("cards", len(cards)), _card_sql, len(cards))
    if conn is not None:
        try:
            rows = conn.execute(sql, tuple(cards)).fetchall()
        except Exception as exc:
            _raise_as_peewee(exc)
    else:
        rows = _execute(db, sql, tuple(cards)).fetchall()
    return [(key, card, bool(active)) for key, card, active in rows]


def data_stamp() -> tuple | None:
    """A value that changes whenever anything is committed (SQLite only; else None = unknown).

    Read it inside the transaction that uses the cached data; see the module docstring.
    """
    db = current()
    if not isinstance(db, pw.SqliteDatabase):
        return None
    conn = db.connection()
    version = conn.execute("PRAGMA data_version").fetchone()[0]
    return conn, version, conn.total_changes


def restamp(stamp: tuple | None) -> tuple | None:
    """The stamp after this connection's own commit: same version, its new change count.

    Another connection's commit after ours changes ``data_version``, so it still invalidates.
    """
    if stamp is None:
        return None
    conn, version, _ = stamp
    return conn, version, conn.total_changes
