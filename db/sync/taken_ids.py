"""Two doors claiming one kiosk id, recorded at the centre (FINDINGS 26).

A copied ``config.toml`` gives a second door the first one's ``[kiosk] id``. With its own
role, the centre refuses its fleet row (migration 0014: a kiosk id belongs to the door role that
first used it) and keeps its events unapplied; but a refused row leaves no trace an office's IT
sees, and the refusal undoes anything the refused statement wrote. So the refused door then
asks the centre to record the collision: ``kiosk_id_refused(kiosk_id)``, a routine with the
owner's rights, notes the id in ``kiosk_id_taken`` when — and only when — the caller is a door
role and the id is bound to another live door role. ``kiosk fleet`` and the host view's doors
line flag such an id ``duplicate_id`` for a day (:func:`taken_since`), as they flag two homes
writing one row.

A stolen door's credential can flag any id this way: that is a second door claiming it, which
is what the flag says. It cannot clear one, nor write anything else.
"""

from __future__ import annotations

import datetime as dt

import peewee as pw

from db.sync.centre_guard_sql import DOOR_TABLE
from db.sync.centre_sql import PG_PATH, ROLE_TABLE, pg_ident, pg_qualified
from db.sync.common import _engine

TAKEN_MIGRATION = 21
TABLE = "kiosk_id_taken"
ROUTINE = "kiosk_id_refused"


def _pg_sql(schema: str) -> list[str]:
    """Its tables named with their schema, its search path pg_catalog's (REVIEW B1: a role that
    may create in the schema cannot slip its own ``=`` into the owner's function)."""
    table = f"{pg_ident(schema)}.{TABLE}"
    return [
        f"CREATE TABLE IF NOT EXISTS {table} (kiosk_id varchar(64) PRIMARY KEY, "
        "taken_at timestamp NOT NULL)",
        f"REVOKE ALL ON {table} FROM PUBLIC",
        pg_qualified(f"""CREATE OR REPLACE FUNCTION {ROUTINE}(kid text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {PG_PATH} AS $taken$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM {ROLE_TABLE} r WHERE r.role = session_user AND r.kind = 'door')
     OR NOT EXISTS (SELECT 1 FROM {DOOR_TABLE} d WHERE d.kiosk_id = kid AND d.role <> session_user
                    AND EXISTS (SELECT 1 FROM pg_roles p WHERE p.rolname = d.role)) THEN
    RETURN false;
  END IF;
  INSERT INTO {table} (kiosk_id, taken_at) VALUES (kid, now() AT TIME ZONE 'utc')
  ON CONFLICT (kiosk_id) DO UPDATE SET taken_at = excluded.taken_at;
  RETURN true;
END
$taken$""", schema),
        # any role may ask; the routine itself checks that the caller is a door
        f"REVOKE ALL ON FUNCTION {ROUTINE}(text) FROM PUBLIC",
        f"GRANT EXECUTE ON FUNCTION {ROUTINE}(text) TO PUBLIC",
    ]


MY_SQL = [
    f"CREATE TABLE IF NOT EXISTS `{TABLE}` (`kiosk_id` VARCHAR(64) NOT NULL PRIMARY KEY, "
    "`taken_at` DATETIME(6) NOT NULL)",
    f"DROP PROCEDURE IF EXISTS `{ROUTINE}`",
    f"""CREATE DEFINER = CURRENT_USER PROCEDURE `{ROUTINE}`(IN kid VARCHAR(64))
SQL SECURITY DEFINER MODIFIES SQL DATA
BEGIN
  DECLARE who VARCHAR(128) DEFAULT SUBSTRING_INDEX(USER(), '@', 1);
  IF EXISTS (SELECT 1 FROM `{ROLE_TABLE}` r WHERE r.`role` = who AND r.`kind` = 'door')
     AND EXISTS (SELECT 1 FROM `{DOOR_TABLE}` d WHERE d.`kiosk_id` = kid AND d.`role` <> who) THEN
    INSERT INTO `{TABLE}` (`kiosk_id`, `taken_at`) VALUES (kid, UTC_TIMESTAMP(6))
    ON DUPLICATE KEY UPDATE `taken_at` = VALUES(`taken_at`);
  END IF;
END""",
]


def install(db: pw.Database) -> None:
    """The table and the routine on a server centre (after 0014's ``kiosk_door``)."""
    engine = _engine(db)
    if engine == "postgresql":
        schema = db.execute_sql("SELECT current_schema()").fetchone()[0]
        statements = _pg_sql(schema)
    elif engine == "mysql":
        statements = MY_SQL
    else:
        return
    for sql in statements:
        db.execute_sql(sql)


def has_table(db: pw.Database) -> bool:
    """The centre records taken ids (a server at 0021+)."""
    if _engine(db) == "sqlite":
        return False
    return db.execute_sql(f"SELECT 1 FROM schema_version WHERE version = {TAKEN_MIGRATION}"
                          ).fetchone() is not None


def refused_for_id(exc: Exception) -> bool:
    """The centre refused a fleet row because another door's role holds its kiosk id (0014's
    binding; before it, PostgreSQL's row security on that door's row)."""
    detail = str(exc)
    return "row-level security" in detail or "another door" in detail


def report_refused(central: pw.Database, kiosk_id: str) -> None:
    """A door whose fleet row the centre refused for its id asks the centre to record that (a
    centre without the routine, before 0021, refuses: the caller logs it)."""
    with central.atomic():  # a savepoint: a refusal undoes only this
        if _engine(central) == "postgresql":
            central.execute_sql(f"SELECT {ROUTINE}(%s)", (kiosk_id[:64],)).fetchone()
        else:
            central.execute_sql(f"CALL `{ROUTINE}`(%s)", (kiosk_id[:64],))


def taken_since(db: pw.Database, since: dt.datetime) -> set[str]:
    """Kiosk ids a second door claimed at or after ``since`` (naive UTC, the centre's clock)."""
    if not has_table(db):
        return set()
    q = db.quote[0] + "{}" + db.quote[1]
    try:
        with db.atomic():  # a savepoint: a role granted before 0021 may not read it yet
            rows = db.execute_sql(f"SELECT {q.format('kiosk_id')} FROM {q.format(TABLE)} "
                                  f"WHERE {q.format('taken_at')} >= {db.param}", (since,)
                                  ).fetchall()
    except (pw.ProgrammingError, pw.OperationalError) as exc:
        if "denied" not in str(exc).lower():
            raise
        return set()  # (its grant-host/grant-admin re-run gives it the right)
    return {kiosk_id for (kiosk_id,) in rows}
