"""The centre's register rules, applied to each pushed batch inside its transaction.

Deterministic whatever order batches arrive in: earliest accepted sign-in wins (ties by event
id); a sign-in beats a leave; the latest sign-out counts; a host's undo clears a sign-in not later
than itself.
"""

from __future__ import annotations

import peewee as pw

from db.models import Attendance, Leave
from db.sync.common import SQL_ROWS, StatusOf, _chunks, _engine, _pg_array


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
        # a leave recorded again after an earlier withdrawal stands again
        (Leave.update(withdrawn_at=None, withdrawn_by="", reason=ev["note"] or "-",
                      recorded_at=ev["at"], recorded_by=ev["actor"], event_id=ev["id"])
         .where((Leave.session == sid) & (Leave.staff == key) & (Leave.withdrawn_at < ev["at"]))
         .execute(central))
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
        had_leave = Leave.select().where((Leave.session == sid) & (Leave.staff == key)
                                         & Leave.withdrawn_at.is_null()).exists(central)
        (Attendance.update(status="excused" if had_leave else "pending", signed_in_at=None,
                           signed_out_at=None, early_leave=False, method=None, kiosk_id=None,
                           event_id=None)
         .where(pair & not_later & Attendance.expected).execute(central))


def _apply_leave_withdrawals(central: pw.Database, rows: list[dict]) -> None:
    """An admin's withdrawal of a leave (``kiosk leave cancel`` at a door): the centre's leave is
    marked withdrawn if it was recorded before the withdrawal, and an excused person is expected
    again (pending). The leave row stays."""
    for (sid, key), ev in sorted(_earliest(rows, latest=True).items()):
        withdrawn = (Leave.update(withdrawn_at=ev["at"], withdrawn_by=ev["actor"])
                     .where((Leave.session == sid) & (Leave.staff == key)
                            & Leave.withdrawn_at.is_null() & (Leave.recorded_at <= ev["at"]))
                     .execute(central))
        if withdrawn:
            (Attendance.update(status="pending")
             .where((Attendance.session == sid) & (Attendance.staff == key)
                    & (Attendance.status == "excused")).execute(central))
