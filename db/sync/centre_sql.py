"""The centre's register rules as database code, run with the owner's rights (SPEC §13).

A door then needs no right to write the register: it only INSERTs events, and the database
applies them — the same rules as :mod:`db.sync.centre_rules` (earliest accepted sign-in wins,
ties by event id; a sign-in beats a leave; the latest sign-out counts; a host's undo clears a
sign-in not later than itself; a withdrawal re-expects an excused person; a badge scan whose
version the centre had revoked before the scan's time is flagged in the event's note). Every
event is stamped with the database role that delivered it (``received_by``), whatever it says.

This module holds what both servers share, written once for both dialects: the ``BEFORE
INSERT`` row bodies (:func:`flag_body`: flag a revoked badge; :func:`stamp_body`: stamp the
receiver, cut signatures, mark a door's refused kinds) and the set-based rules over a batch of
events (:func:`rule_blocks`). :mod:`db.sync.centre_pg` wraps them in PostgreSQL's trigger
functions (an ``AFTER INSERT`` statement trigger over the transition table);
:mod:`db.sync.centre_mariadb` in MariaDB's triggers and procedures (the door's push calls one
procedure per batch).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SIGN_INS = "('present', 'late', 'visitor')"
BADGE_METHODS = "('qr', 'camera')"
FLAG = "revoked_badge_at_centre"
# a door's own kinds (SPEC §13): its scans' sign-ins and sign-outs by these methods. Any other
# event a door role delivers (a leave, an undo, a withdrawal, a 补签 'manual' sign-in) is kept in
# the log with this mark first in its note, and never changes the register (migration 0011).
DOOR_METHODS = "('id', 'qr', 'camera', 'card')"
NOT_APPLIED = "not_applied_door_role"
ROLE_TABLE = "kiosk_role"
# a badge payload cut to SK1.<staff_id>.<version> (as db.redact does), then an unclaimed long
# SK1 run cut to 32 characters, then (scanned input only) a signature-sized token that is not all
# digits replaced by '…': classes read the same by PostgreSQL's ARE and MariaDB's PCRE
_RUN = "[-A-Za-z0-9_.+/=]"
CLAIM = r"([Ss][Kk]1\.[-A-Za-z0-9_+/=]{1,32}\.[0-9]{1,9})\." + _RUN + "*"
UNCLAIMED = r"([Ss][Kk]1\." + _RUN + "{32})" + _RUN + "+"
TOKEN = "(?=[-A-Za-z0-9_]*[-A-Za-z_])[-A-Za-z0-9_]{40,}"
REDACT_MIN = 8  # the shortest text any of the three can match ('SK1.a.1.')
EMPTY = "''"
# a door's scan is of now: one timed more than this ahead of the centre's clock (a door's clock
# may drift; the fleet flags 2 minutes) or a sign-in outside its session's window is not applied
FUTURE_SLACK_MINUTES = 15
# the results the register rules apply (anything else is only kept in the log)
APPLIED_RESULTS = "('present', 'late', 'visitor', 'signed_out', 'leave', 'undo', 'leave_withdrawn')"


@dataclass(frozen=True)
class Dialect:
    """The little that differs between PL/pgSQL and MariaDB's SQL/PSM in these bodies."""

    mariadb: bool

    def q(self, name: str) -> str:
        """A quoted identifier (``key``, ``leave``, ``at``, ``start``, ``end`` are keywords)."""
        return f"`{name}`" if self.mariadb else f'"{name}"'

    def let(self, target: str, value: str) -> str:
        return f"SET {target} = {value};" if self.mariadb else f"{target} := {value};"

    @property
    def user(self) -> str:
        """The delivering account: the role (PostgreSQL), ``user@host`` (MariaDB)."""
        return "USER()" if self.mariadb else "session_user"

    @property
    def role(self) -> str:
        """The name ``kiosk_role`` records for the delivering account."""
        return "SUBSTRING_INDEX(USER(), '@', 1)" if self.mariadb else "session_user"

    def minutes(self, count: str) -> str:
        return f"INTERVAL {count} MINUTE" if self.mariadb else f"{count} * interval '1 minute'"


PG, MARIADB = Dialect(False), Dialect(True)


# -- PostgreSQL: what the owner-rights functions may resolve (REVIEW B1, CVE-2018-1058) -------
# A function's unqualified names are looked up along its search_path, and an overload that fits
# the arguments better wins wherever it lives: with the centre's schema on the path, a role that
# may CREATE there could add ``left(varchar, integer)`` or ``=`` on ``varchar`` (the columns'
# type, which pg_catalog only serves through text) and have it run as the owner. So the path is
# pg_catalog and pg_temp alone — functions and operators are then found in pg_catalog only
# (PostgreSQL never looks in pg_temp for them), types in pg_catalog first — and every table of
# the centre is named with its schema (an unqualified one would be looked for in pg_temp, where
# a door may make tables: it fails loudly in every test instead).
PG_PATH = "pg_catalog, pg_temp"
CENTRE_TABLES = ("sign_in_event", "study_session", "staff", "attendance", "leave", ROLE_TABLE,
                 "kiosk_door", "kiosk_fleet", "setting")
_TABLE_REFERENCE = re.compile(
    r"\b(FROM|JOIN|INTO|UPDATE|USING)(\s+)\"?(" + "|".join(CENTRE_TABLES) + r")\"?(?![\w\".])",
    re.IGNORECASE)


def pg_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def pg_qualified(sql: str, schema: str) -> str:
    """``sql`` with the centre's tables named with their schema (``"public".staff``) and every
    ``SET search_path`` pinned to :data:`PG_PATH`."""
    def table(match: re.Match) -> str:
        return f"{match[1]}{match[2]}{pg_ident(schema)}.{pg_ident(match[3])}"
    sql = re.sub(r"SET search_path (FROM CURRENT|= [^\n]*?)(?= AS \$|\n)",
                 f"SET search_path = {PG_PATH}", sql)
    return _TABLE_REFERENCE.sub(table, sql)


def redact_sql(column: str, scanned: bool, mariadb: bool = False) -> str:
    """SQL for ``column`` without badge signatures (the centre stores none, whoever sent it).

    MariaDB reads backslashes in a string literal as escapes (so they are doubled) and replaces
    every match without a flag.
    """
    def replace(source: str, pattern: str, by: str) -> str:
        if mariadb:
            return f"REGEXP_REPLACE({source}, '{pattern.replace(chr(92), chr(92) * 2)}', " \
                   f"'{by.replace(chr(92), chr(92) * 2)}')"
        return f"regexp_replace({source}, '{pattern}', '{by}', 'g')"

    out = replace(f"COALESCE({column}, '')", CLAIM, "\\1")
    out = replace(out, UNCLAIMED, "\\1…")
    return replace(out, TOKEN, "…") if scanned else out


def host_kind(new: str) -> str:
    """SQL: the event ``new`` is of a kind only a host or an admin produces (SPEC §13): a leave,
    an undo, a withdrawal, a revocation, or a sign-in/sign-out not made by a door's scan (补签)."""
    moves = f"({SIGN_INS[1:-1]}, 'signed_out')"
    return (f"({new}result IN ('leave', 'undo', 'leave_withdrawn', 'badge_revoked') "
            f"OR ({new}result IN {moves} AND COALESCE({new}method, '') NOT IN {DOOR_METHODS}))")


def future(d: Dialect) -> str:
    """SQL: a door's sign-in/sign-out ``NEW`` timed further ahead of the centre's clock than any
    door's clock drifts."""
    now = ("UTC_TIMESTAMP(6)" if d.mariadb else "(now() AT TIME ZONE 'utc')") + \
        " + " + d.minutes(str(FUTURE_SLACK_MINUTES))
    return f"(NEW.result IN ({SIGN_INS[1:-1]}, 'signed_out') AND NEW.{d.q('at')} > {now})"


def outside_window(d: Dialect) -> str:
    """SQL: a sign-in ``NEW`` outside its session's window (when the session is known)."""
    at, opens = f"NEW.{d.q('at')}", f"s.{d.q('start')} - {d.minutes('s.open_before')}"
    return (f"(NEW.result IN {SIGN_INS} AND EXISTS (SELECT 1 FROM study_session s "
            f"WHERE s.uid = NEW.session_uid AND ({at} < {opens} OR {at} > s.{d.q('end')})))")


def applies(note: str) -> str:
    """SQL: an event with this note changes the register (it is not a door's refused kind)."""
    return f"left(COALESCE({note}, ''), {len(NOT_APPLIED)}) <> '{NOT_APPLIED}'"


def prefixed(mark: str, note: str) -> str:
    """SQL: ``note`` with ``mark`` put first (the column holds 500 characters)."""
    return (f"LEFT(CONCAT('{mark}', CASE WHEN COALESCE({note}, '') <> '' "
            f"THEN CONCAT(' ', {note}) ELSE '' END), 500)")


STAMP_VARIABLES = (("held_version", "integer", "INT"), ("held_updated", "timestamp", "DATETIME(6)"),
                   ("first_revoked", "timestamp", "DATETIME(6)"))


BADGE_SCAN = (f"NEW.result IN {SIGN_INS} AND NEW.method IN {BADGE_METHODS} "
              "AND NEW.badge_version IS NOT NULL AND NEW.staff_key IS NOT NULL")


def flag_body(d: Dialect) -> str:
    """Flag a badge scan (:data:`BADGE_SCAN`) whose version the centre had revoked before the
    scan (its variables: :data:`STAMP_VARIABLES`).

    The version stopped being valid at the first audited revocation that moved the person past
    it, or, without one (a version bumped by hand), at ``updated_at``, which a revocation bumps.
    """
    at, key = d.q("at"), d.q("key")
    version = ("CAST(REGEXP_REPLACE(REGEXP_SUBSTR(note, 'badge_version [0-9]+->'), '[^0-9]', '') "
               "AS UNSIGNED)" if d.mariadb
               else "substring(note from 'badge_version ([0-9]+)->')::integer")
    revoked = (f"(SELECT MIN({at}) FROM sign_in_event WHERE result = 'badge_revoked' "
               f"AND staff_key = NEW.staff_key AND {applies('note')} "
               f"AND {version} >= NEW.badge_version)")
    return f"""
  IF {BADGE_SCAN} THEN
    {d.let("held_version", f"(SELECT badge_version FROM staff WHERE {key} = NEW.staff_key)")}
    {d.let("held_updated", f"(SELECT updated_at FROM staff WHERE {key} = NEW.staff_key)")}
    IF held_version IS NOT NULL AND NEW.badge_version < held_version THEN
      {d.let("first_revoked", revoked)}
      IF (first_revoked IS NOT NULL AND first_revoked <= NEW.{at})
         OR (first_revoked IS NULL AND held_updated IS NOT NULL AND held_updated <= NEW.{at}) THEN
        {d.let("NEW.note", prefixed(FLAG, "NEW.note"))}
      END IF;
    END IF;
  END IF;
"""


def stamp_body(d: Dialect) -> str:
    """Stamp the receiver, cut signatures, and mark a door's event of a host's kind (or a scan no
    door could have made then) as not applied — after :func:`flag_body` (PostgreSQL fires the
    flag's trigger first, by name; MariaDB runs both bodies in one trigger)."""
    def cut(column: str, scanned: bool) -> str:
        # no signature fits in fewer characters than REDACT_MIN: most rows skip the expressions
        return (f"IF COALESCE(CHAR_LENGTH({column}), 0) >= {REDACT_MIN} THEN\n"
                f"    {d.let(column, redact_sql(column, scanned, d.mariadb))}\n"
                f"  ELSEIF {column} IS NULL THEN\n    {d.let(column, EMPTY)}\n  END IF;")
    # what no scan at a door makes, then (one query) a sign-in outside its window; only then
    # (a second query) is the deliverer a door? A statement of a row trigger costs each time it
    # runs, queries most: a scan in its window (most rows) runs one, whoever delivers it
    door = f"EXISTS (SELECT 1 FROM {ROLE_TABLE} r WHERE r.role = {d.role} AND r.kind = 'door')"
    mark = f"IF {door} THEN\n      {d.let('NEW.note', prefixed(NOT_APPLIED, 'NEW.note'))}\n    END IF;"
    return f"""
  {d.let("NEW.received_by", d.user)}
  {cut("NEW.input", True)}
  {cut("NEW.note", False)}
  IF {host_kind("NEW.")} OR {future(d)} THEN
    {mark}
  ELSEIF {outside_window(d)} THEN
    {mark}
  END IF;
"""


# -- the register rules over a batch ---------------------------------------------------------
# ``batch`` is a relation of the events to apply (those this statement or transaction inserted,
# that the register can take: a known person key, a session the centre holds, not marked
# not-applied), with the columns id, sid (the centre's session id), skey, at, result, method,
# kiosk_id, note, actor and late_from (when a sign-in becomes late).
BATCH_COLUMNS = ("id", "sid", "skey", "at", "result", "method", "kiosk_id", "note", "actor",
                 "late_from")
PAIR = "a.session_id = e.sid AND a.staff_id = e.skey"


def _pick(d: Dialect, batch: str, results: str, latest: bool) -> str:
    """One event per (session, person) of the batch: the earliest (ties: smallest id) or latest."""
    order = "DESC" if latest else "ASC"
    collate = "" if d.mariadb else ' COLLATE "C"'
    return (f"(SELECT * FROM (SELECT b.*, ROW_NUMBER() OVER (PARTITION BY b.sid, b.skey "
            f"ORDER BY b.{d.q('at')} {order}, b.id{collate} {order}) AS kiosk_rank "
            f"FROM {batch} b WHERE b.result IN {results}) r WHERE r.kiosk_rank = 1)")


def _update(d: Dialect, table: str, source: str, on: str, sets: list[tuple[str, str]],
            where: str) -> str:
    """``UPDATE table a`` from ``source e`` (PostgreSQL ``FROM``; MariaDB a join, whose SET
    names the table's columns, as ``e`` has columns of the same names)."""
    if d.mariadb:
        assigned = ", ".join(f"a.{column} = {value}" for column, value in sets)
        return f"UPDATE {table} a JOIN {source} e ON {on} SET {assigned} WHERE {where}"
    assigned = ", ".join(f"{column} = {value}" for column, value in sets)
    return f"UPDATE {table} a SET {assigned} FROM {source} e WHERE {on} AND {where}"


def _delete(d: Dialect, table: str, source: str, on: str, where: str) -> str:
    if d.mariadb:
        return f"DELETE a FROM {table} a JOIN {source} e ON {on} WHERE {where}"
    return f"DELETE FROM {table} a USING {source} e WHERE {on} AND {where}"


def _sign_ins(d: Dialect, batch: str) -> list[str]:
    """A visitor row, or the held row moved to an earlier sign-in (ties: the smaller event id)."""
    at, key = d.q("at"), d.q("key")
    best = _pick(d, batch, SIGN_INS, False)
    status = f"CASE WHEN e.{at} > e.late_from THEN 'late' ELSE 'present' END"
    known = f"EXISTS (SELECT 1 FROM staff st WHERE st.{key} = e.skey)"
    if d.mariadb:
        # an expected (pending) row for a visitor first, then one guarded UPDATE: the register's
        # guard trigger then looks at each row once (an upsert fires its INSERT and UPDATE ones)
        return [
            "INSERT IGNORE INTO attendance (session_id, staff_id, expected, status, early_leave) "
            f"SELECT DISTINCT e.sid, e.skey, FALSE, 'pending', FALSE FROM {batch} e "
            f"WHERE e.result IN {SIGN_INS} AND {known} "
            f"AND NOT EXISTS (SELECT 1 FROM attendance a WHERE {PAIR})",
            _update(d, "attendance", best, PAIR,
                    [("status", status), ("signed_in_at", f"e.{at}"), ("method", "e.method"),
                     ("kiosk_id", "e.kiosk_id"), ("event_id", "e.id")],
                    f"(a.signed_in_at IS NULL OR a.signed_in_at > e.{at} OR (a.signed_in_at = "
                    f"e.{at} AND (a.event_id IS NULL OR a.event_id > e.id)))")]
    return [
        "INSERT INTO attendance AS a (session_id, staff_id, expected, status, signed_in_at, "
        f"early_leave, method, kiosk_id, event_id) SELECT e.sid, e.skey, FALSE, {status}, e.{at}, "
        f"FALSE, e.method, e.kiosk_id, e.id FROM {best} e WHERE {known} "
        "ON CONFLICT (session_id, staff_id) DO UPDATE SET "
        "signed_in_at = excluded.signed_in_at, status = excluded.status, "
        "method = excluded.method, kiosk_id = excluded.kiosk_id, event_id = excluded.event_id "
        "WHERE a.signed_in_at IS NULL OR a.signed_in_at > excluded.signed_in_at "
        "OR (a.signed_in_at = excluded.signed_in_at "
        "AND (a.event_id IS NULL OR a.event_id > excluded.event_id))"]


def rule_blocks(d: Dialect, batch: str) -> str:
    """The register rules over ``batch``, one guarded block per kind of event, in the order of
    :func:`db.sync.push.push_batch`'s Python rules (sign-ins, sign-outs, leaves, undos,
    withdrawals), so a batch gives the result those give."""
    at, leave, key = d.q("at"), d.q("leave"), d.q("key")
    uid = "UUID()" if d.mariadb else "gen_random_uuid()::text"
    ignore, nothing = ("INSERT IGNORE", "") if d.mariadb else \
        ("INSERT", " ON CONFLICT (session_id, staff_id) DO NOTHING")
    outs, leaves = _pick(d, batch, "('signed_out')", True), _pick(d, batch, "('leave')", False)
    undos = _pick(d, batch, "('undo')", True)
    withdrawals = _pick(d, batch, "('leave_withdrawn')", True)
    held = f"a.signed_in_at IS NOT NULL AND a.signed_in_at <= e.{at}"
    leave_pair = "l.session_id = e.sid AND l.staff_id = e.skey"
    excused = (f"CASE WHEN EXISTS (SELECT 1 FROM {leave} l WHERE {leave_pair} "
               "AND l.withdrawn_at IS NULL) THEN 'excused' ELSE 'pending' END")
    blocks = {
        SIGN_INS: _sign_ins(d, batch),
        "('signed_out')": [_update(
            d, "attendance", outs, PAIR,
            [("signed_out_at", f"e.{at}"), ("early_leave", "(e.note = 'early_leave')")],
            f"{held} AND (a.signed_out_at IS NULL OR a.signed_out_at < e.{at})")],
        "('leave')": [
            f"{ignore} INTO {leave} (session_id, staff_id, reason, recorded_at, recorded_by, "
            f"event_id, uid, withdrawn_by) SELECT e.sid, e.skey, COALESCE(NULLIF(e.note, ''), '-'), "
            f"e.{at}, e.actor, e.id, {uid}, '' FROM {leaves} e "
            f"WHERE EXISTS (SELECT 1 FROM staff st WHERE st.{key} = e.skey){nothing}",
            _update(d, leave, leaves, PAIR,
                    [("withdrawn_at", "NULL"), ("withdrawn_by", "''"),
                     ("reason", "COALESCE(NULLIF(e.note, ''), '-')"), ("recorded_at", f"e.{at}"),
                     ("recorded_by", "e.actor"), ("event_id", "e.id")],
                    f"a.withdrawn_at < e.{at}"),
            _update(d, "attendance", leaves, PAIR, [("status", "'excused'")],
                    "a.status = 'pending'")],
        "('undo')": [
            _delete(d, "attendance", undos, PAIR, f"{held} AND NOT a.expected"),
            _update(d, "attendance", undos, PAIR,
                    [("status", excused), ("signed_in_at", "NULL"), ("signed_out_at", "NULL"),
                     ("early_leave", "FALSE"), ("method", "NULL"), ("kiosk_id", "NULL"),
                     ("event_id", "NULL")],
                    f"{held} AND a.expected")],
        # the register first (while the leave still reads as held), then the leave itself
        "('leave_withdrawn')": [
            _update(d, "attendance", withdrawals, PAIR, [("status", "'pending'")],
                    f"a.status = 'excused' AND EXISTS (SELECT 1 FROM {leave} l WHERE {leave_pair} "
                    f"AND l.withdrawn_at IS NULL AND l.recorded_at <= e.{at})"),
            _update(d, leave, withdrawals, PAIR,
                    [("withdrawn_at", f"e.{at}"), ("withdrawn_by", "e.actor")],
                    f"a.withdrawn_at IS NULL AND a.recorded_at <= e.{at}")],
    }
    return "\n".join(
        f"  IF EXISTS (SELECT 1 FROM {batch} x WHERE x.result IN {results}) THEN\n    "
        + ";\n    ".join(statements) + ";\n  END IF;"
        for results, statements in blocks.items())


ROLE_TABLE_SQL = {
    "postgresql": f"CREATE TABLE IF NOT EXISTS {ROLE_TABLE} (role varchar(128) PRIMARY KEY, "
                  "kind varchar(16) NOT NULL)",
    "mysql": f"CREATE TABLE IF NOT EXISTS `{ROLE_TABLE}` (`role` varchar(128) PRIMARY KEY, "
             "`kind` varchar(16) NOT NULL)",
}


def scrub_sql(mariadb: bool) -> str:
    """Cut the signatures out of events a not-yet-upgraded door pushed before 0011 (one
    server-side statement; rows without one are left alone)."""
    q = "`" if mariadb else '"'
    text, note = f"{q}input{q}", f"{q}note{q}"
    clean_text, clean_note = redact_sql(text, True, mariadb), redact_sql(note, False, mariadb)
    return (f"UPDATE sign_in_event SET {text} = {clean_text}, {note} = {clean_note} "
            f"WHERE {text} <> {clean_text} OR {note} <> {clean_note}")
