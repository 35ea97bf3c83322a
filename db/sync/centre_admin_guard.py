"""What a host's or an admin's credential may do at the centre (migration 0019; FINDINGS 35, 38).

**Nothing is deleted (SPEC §11).** A session is cancelled, a person deactivated, a leave
withdrawn. The register's rows and leaves refer to their session with ``ON DELETE CASCADE`` in
older schemas, so one ``DELETE FROM study_session`` took a session's whole register and its
leaves with it — around the register's guard trigger (PostgreSQL runs a cascade as the table's
owner; InnoDB's cascades fire no triggers at all). :func:`restrict_deletes` makes those keys
``RESTRICT``: the server itself refuses removing a session (or, as before, a person) that has
register rows or leaves, whoever asks. ``grant-admin`` no longer gives ``DELETE`` where the
product never deletes (:data:`db.sync.grants.ADMIN_DELETES`).

**A host's and an admin's events keep the host view's rules.** A host's 补签, undo and leave
are events the centre's rules apply (SPEC §13); the host view checks them before it delivers
them, but a leaked host or admin credential could insert one by hand: a 2099 sign-in with no
reason, under a door's kiosk id. The trigger here (``kiosk_z_host_bounds``, with the owner's
rights, after the door's bounds) keeps such an event but does not apply it — the mark
``not_applied_door_role:<reason>`` first in its note, the prefix every apply rule skips
(:data:`db.sync.centre_sql.NOT_APPLIED`; the door's own bounds use the same mark):

- ``no_reason`` — a sign-in, sign-out, undo or leave with an empty note (the host's reason);
- ``door_kiosk`` — a sign-in or sign-out naming a kiosk id a door's credential holds
  (``kiosk_door``, 0014): the register would show that door as where the person signed in (a
  leave, undo or withdrawal names no door in the register: not refused for it);
- ``future`` — timed more than :data:`FUTURE_MINUTES` after the centre's clock (an undo may be
  timed at the sign-in it undoes: a door whose clock ran ahead made that sign-in).

The owner (no ``kiosk_role`` row) and doors (0011's and 0014's rules) are not touched here.
"""

from __future__ import annotations

import peewee as pw

from db.sync.centre_guard_sql import DOOR_TABLE, EVENT_TRIGGER, MOVES, marked, unmarked
from db.sync.centre_mariadb import run
from db.sync.centre_sql import APPLIED_RESULTS, PG_PATH, ROLE_TABLE, pg_qualified

HOST_TRIGGER = "kiosk_z_host_bounds"  # sorts after kiosk_z_door_bounds (PostgreSQL: by name)
FUTURE_MINUTES = 1  # the host view refuses a 补签 timed after now; a minute for clocks
REASONS = ("no_reason", "door_kiosk", "future")
NEEDS_REASON = "('present', 'late', 'visitor', 'signed_out', 'undo', 'leave')"
# (child table, column, parent table): a session's register rows and leaves
RESTRICTED = (("attendance", "session_id", "study_session"), ("leave", "session_id", "study_session"))


def _body(mariadb: bool) -> str:
    """The rule, in the shared subset of PL/pgSQL and MariaDB's SQL/PSM."""
    def let(target: str, value: str) -> str:
        return f"SET {target} = {value};" if mariadb else f"{target} := {value};"

    q = (lambda n: f"`{n}`") if mariadb else (lambda n: f'"{n}"')
    who = "SUBSTRING_INDEX(USER(), '@', 1)" if mariadb else "session_user"
    minute = f"INTERVAL {FUTURE_MINUTES} MINUTE" if mariadb else f"interval '{FUTURE_MINUTES} minute'"
    held = ("(SELECT a.signed_in_at FROM attendance a JOIN study_session s ON s.id = a.session_id "
            "WHERE s.uid = NEW.session_uid AND a.staff_id = NEW.staff_key LIMIT 1)")
    return f"""
  IF NEW.result IN {APPLIED_RESULTS} AND {unmarked("NEW.note")}
     AND EXISTS (SELECT 1 FROM {q(ROLE_TABLE)} r WHERE r.{q("role")} = {who}
                 AND r.{q("kind")} IN ('host', 'admin')) THEN
    IF NEW.result IN {NEEDS_REASON} AND TRIM(COALESCE(NEW.note, '')) = '' THEN
      {let("reason", "'no_reason'")}
    ELSEIF NEW.result IN {MOVES}
       AND EXISTS (SELECT 1 FROM {q(DOOR_TABLE)} d WHERE d.kiosk_id = NEW.kiosk_id) THEN
      {let("reason", "'door_kiosk'")}
    ELSEIF NEW.{q("at")} > now_utc + {minute} THEN
      IF NEW.result = 'undo' THEN
        {let("held", held)}
      END IF;
      IF held IS NULL OR NEW.{q("at")} > held + {minute} THEN
        {let("reason", "'future'")}
      END IF;
    END IF;
    IF reason IS NOT NULL THEN
      {let("NEW.note", marked("reason", "NEW.note", mariadb))}
    END IF;
  END IF;
"""


def pg_sql(schema: str) -> str:
    """The PostgreSQL function and trigger: functions and operators from pg_catalog only, the
    centre's tables named with their schema (:func:`db.sync.centre_sql.pg_qualified`)."""
    path = PG_PATH
    body = _body(False).replace("ELSEIF", "ELSIF")
    return pg_qualified(f"""
CREATE OR REPLACE FUNCTION kiosk_host_bounds() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {path} AS $host$
DECLARE
  reason text;
  held timestamp;
  now_utc timestamp := now() AT TIME ZONE 'utc';
BEGIN
{body}
  RETURN NEW;
END
$host$;
REVOKE ALL ON FUNCTION kiosk_host_bounds() FROM PUBLIC;
DROP TRIGGER IF EXISTS {HOST_TRIGGER} ON sign_in_event;
CREATE TRIGGER {HOST_TRIGGER} BEFORE INSERT ON sign_in_event FOR EACH ROW
  EXECUTE FUNCTION kiosk_host_bounds();
""", schema)


MY_SQL = [  # (made in place by db.sync.centre_mariadb.run: never dropped, then made)
    f"""CREATE DEFINER = CURRENT_USER TRIGGER {HOST_TRIGGER} BEFORE INSERT ON `sign_in_event`
FOR EACH ROW FOLLOWS {EVENT_TRIGGER}
BEGIN
  DECLARE reason VARCHAR(32) DEFAULT NULL;
  DECLARE held DATETIME(6) DEFAULT NULL;
  DECLARE now_utc DATETIME(6) DEFAULT UTC_TIMESTAMP(6);
{_body(True)}
END""",
]


def install(db: pw.Database) -> None:
    """Create (or re-create) the host's bounds on a server centre, after the door's (0014)."""
    if isinstance(db, pw.PostgresqlDatabase):
        schema = db.execute_sql("SELECT current_schema()").fetchone()[0]
        db.execute_sql(pg_sql(schema).replace("%", "%%"))
    elif isinstance(db, pw.MySQLDatabase):
        run(db, MY_SQL, percent=True)


def restrict_deletes(db: pw.Database) -> list[str]:
    """Make a session's register rows and leaves keep their session: ``ON DELETE RESTRICT``
    instead of ``CASCADE`` (each key found in the server's catalogue, its name and its update
    rule kept). The statements run (none when already so: idempotent)."""
    done: list[str] = []
    for child, column, parent in RESTRICTED:
        for name, on_update in _cascading(db, child, column, parent):
            if isinstance(db, pw.PostgresqlDatabase):
                statements = [f'ALTER TABLE "{child}" DROP CONSTRAINT "{name}", ADD CONSTRAINT '
                              f'"{name}" FOREIGN KEY ("{column}") REFERENCES "{parent}" (id) '
                              f"ON DELETE RESTRICT ON UPDATE {on_update}"]
            else:  # (InnoDB: the old key dropped first, its index kept)
                statements = [f"ALTER TABLE `{child}` DROP FOREIGN KEY `{name}`",
                              f"ALTER TABLE `{child}` ADD CONSTRAINT `{name}` FOREIGN KEY "
                              f"(`{column}`) REFERENCES `{parent}` (`id`) ON DELETE RESTRICT "
                              f"ON UPDATE {on_update}"]
            for sql in statements:
                db.execute_sql(sql)
            done += statements
    return done


PG_RULES = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}


def _cascading(db: pw.Database, child: str, column: str, parent: str) -> list[tuple[str, str]]:
    """(constraint name, its ON UPDATE rule) of ``child.column`` → ``parent`` deleting along."""
    if isinstance(db, pw.PostgresqlDatabase):
        rows = db.execute_sql(
            "SELECT c.conname, c.confupdtype FROM pg_constraint c "
            "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) "
            "WHERE c.contype = 'f' AND c.confdeltype = 'c' AND c.conrelid = (SELECT oid FROM pg_class "
            "WHERE relname = %s AND relnamespace = current_schema()::regnamespace) "
            "AND c.confrelid = (SELECT oid FROM pg_class WHERE relname = %s "
            "AND relnamespace = current_schema()::regnamespace) AND a.attname = %s",
            (child, parent, column)).fetchall()
        return [(name, PG_RULES.get(rule, "NO ACTION")) for name, rule in rows]
    if isinstance(db, pw.MySQLDatabase):
        return [tuple(row) for row in db.execute_sql(
            "SELECT r.CONSTRAINT_NAME, r.UPDATE_RULE FROM information_schema.REFERENTIAL_CONSTRAINTS r "
            "JOIN information_schema.KEY_COLUMN_USAGE k ON k.CONSTRAINT_SCHEMA = r.CONSTRAINT_SCHEMA "
            "AND k.CONSTRAINT_NAME = r.CONSTRAINT_NAME AND k.TABLE_NAME = r.TABLE_NAME "
            "WHERE r.CONSTRAINT_SCHEMA = DATABASE() AND r.TABLE_NAME = %s "
            "AND r.REFERENCED_TABLE_NAME = %s AND k.COLUMN_NAME = %s AND r.DELETE_RULE = 'CASCADE'",
            (child, parent, column)).fetchall()]
    return []
