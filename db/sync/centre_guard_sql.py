"""A door's bounds at the centre (migration 0014): its credential cannot rewrite history.

The rules of migration 0011 keep a door role to its own kinds (scans' sign-ins and sign-outs, at
about now, inside the session's window). These triggers add what a stolen credential could still
do with those kinds (FINDINGS 1, 2, 4):

- **The centre's own clock.** ``received_at`` and ``pushed_at`` of every event, and ``last_seen``
  of every fleet row, are stamped by the centre whoever inserts them (a door sent NULL or
  2000-01-01 and hid from the stolen-door review; it wrote a fleet ``last_seen`` of 2036).
- **One door, one kiosk id.** The first kiosk id a door role delivers (an event or its fleet row)
  binds it (``kiosk_door``); a kiosk id is bound to one role. An event of the role claiming
  another kiosk id is kept, not applied; a fleet row of another kiosk id is refused by the server
  (no phantom doors, no second row).
- **In the order it made them.** A door pushes its events in ``seq`` order, its clock moving on.
  The centre remembers, per door, the latest time it has from that door — the latest event, and
  the door's own clock at its last fleet contact (a live door reports every round and pushes all
  it holds first) — never later than the centre's clock. A sign-in or sign-out timed more than
  ``ORDER_SLACK_MINUTES`` before that is kept, not applied: with the door alive, a thief cannot
  slip a sign-in in before another door's real one (late → present).
- **Not from long ago.** A sign-in or sign-out for a session that ended more than
  ``STALE_HOURS`` before the centre receives it is kept, not applied (last week's session).

So a stolen door can do what the door itself could: sign people in to an open session at about
now (or, if the door has been cut off, since its last contact). Not-applied events carry
``not_applied_door_role:<reason>`` first in their note, so the apply rules (a prefix check,
:data:`db.sync.centre_sql.NOT_APPLIED`) skip them unchanged; events 0011's rules already marked
keep their mark. The owner, hosts and admins are not bound.

A door learns which of its events were not applied from :data:`PG_VERDICTS` / ``MY_VERDICTS``
(only its own deliveries, by id): see :mod:`db.sync.verdicts`.

Trigger order: PostgreSQL fires a table's row triggers of one kind by name, so the event trigger
is named to sort after ``kiosk_flag_revoked_badge`` and ``kiosk_stamp_receiver`` (its mark must
come first in the note, not under a later prefix); MariaDB's is created ``FOLLOWS
kiosk_stamp_receiver`` (0013's stamp-and-flag trigger) and re-created by every ``kiosk init``
(:func:`install`), which re-creates 0011's first.

The receive time is always the centre's: PostgreSQL's ``now()`` (the transaction's start),
MariaDB's ``UTC_TIMESTAMP(6)`` (the statement's). (0014 kept on MariaDB a sent time of the last
five minutes, which 0013's batch apply found a push's events by; since 0015 that apply goes by
the centre's own markers and ignores any time it is given — FINDINGS 25 — so 0016 stamps always.)
"""

from __future__ import annotations

import peewee as pw

from db.sync.centre_mariadb import run
from db.sync.centre_sql import (
    FUTURE_SLACK_MINUTES,
    NOT_APPLIED,
    ROLE_TABLE,
    SIGN_INS,
    pg_qualified,
)

DOOR_TABLE = "kiosk_door"
ORDER_SLACK_MINUTES = 5  # a clock step (NTP) or a round in flight; a door pushes in its own order
STALE_HOURS = 72  # a door offline from Friday evening to Monday morning still catches up
EVENT_TRIGGER = "kiosk_z_door_bounds"  # "z": after 0011's BEFORE INSERT triggers (by name)
DOOR_VERDICTS = "kiosk_door_verdicts"  # EXECUTE: PUBLIC on PostgreSQL, grant-door on MariaDB
LATEST_STEP_SECONDS = 60  # MariaDB moves a door's latest time on per row, in steps this long
REASONS = ("other_kiosk", "out_of_order", "stale_session")
# a door's clock may be this far behind the centre's and its order still be judged in its own clock
# (a clock stepped back, FINDINGS 32); a fast clock is judged as on time (never penalised)
BEHIND_LIMIT_SECONDS = FUTURE_SLACK_MINUTES * 60
MOVES = f"({SIGN_INS[1:-1]}, 'signed_out')"  # the kinds that change the register


def marked(reason_sql: str, note_sql: str, mariadb: bool) -> str:
    """SQL: the note with this rule's mark first (``not_applied_door_role:<reason>``)."""
    if mariadb:
        return (f"LEFT(CONCAT('{NOT_APPLIED}:', {reason_sql}, IF(COALESCE({note_sql}, '') <> '', "
                f"CONCAT(' ', {note_sql}), '')), 500)")
    return (f"left('{NOT_APPLIED}:' || {reason_sql} || CASE WHEN COALESCE({note_sql}, '') <> '' "
            f"THEN ' ' || {note_sql} ELSE '' END, 500)")


def unmarked(note_sql: str) -> str:
    return f"left(COALESCE({note_sql}, ''), {len(NOT_APPLIED)}) <> '{NOT_APPLIED}'"


TABLE_SQL = {
    "postgresql": f"CREATE TABLE IF NOT EXISTS {DOOR_TABLE} (role varchar(128) PRIMARY KEY, "
                  "kiosk_id varchar(64) NOT NULL UNIQUE, latest_at timestamp NULL, "
                  "bound_at timestamp NOT NULL, behind_s integer NOT NULL DEFAULT 0, "
                  "renamed_from varchar(64) NULL)",
    "mysql": f"CREATE TABLE IF NOT EXISTS `{DOOR_TABLE}` (`role` varchar(128) PRIMARY KEY, "
             "`kiosk_id` varchar(64) NOT NULL UNIQUE, `latest_at` datetime(6) NULL, "
             "`bound_at` datetime(6) NOT NULL, `behind_s` int NOT NULL DEFAULT 0, "
             "`renamed_from` varchar(64) NULL)",
}
# a centre whose table 0014 made before 0018: the columns of the binding's later rules
COLUMNS_SQL = {
    "postgresql": [f"ALTER TABLE {DOOR_TABLE} ADD COLUMN IF NOT EXISTS behind_s integer NOT NULL "
                   "DEFAULT 0",
                   f"ALTER TABLE {DOOR_TABLE} ADD COLUMN IF NOT EXISTS renamed_from varchar(64) NULL"],
    "mysql": [f"ALTER TABLE `{DOOR_TABLE}` ADD COLUMN IF NOT EXISTS `behind_s` int NOT NULL DEFAULT 0",
              f"ALTER TABLE `{DOOR_TABLE}` ADD COLUMN IF NOT EXISTS `renamed_from` varchar(64) NULL"],
}
RENAMED_BACK = "was renamed by a home holding this door credential and install id"


def pg_sql(schema: str) -> str:
    """The PostgreSQL functions and triggers, their names resolved as
    :func:`db.sync.centre_sql.pg_qualified` says (REVIEW B1)."""
    path = "pg_catalog, pg_temp"  # (pinned again by pg_qualified)
    now = "(now() AT TIME ZONE 'utc')"
    is_door = (f"EXISTS (SELECT 1 FROM {ROLE_TABLE} r WHERE r.role = session_user "
               "AND r.kind = 'door')")
    # a binding whose role was dropped (a stolen door's, replaced) frees its kiosk id
    held_by_other = (f"EXISTS (SELECT 1 FROM {DOOR_TABLE} d WHERE d.kiosk_id = NEW.kiosk_id "
                     "AND d.role <> session_user "
                     "AND EXISTS (SELECT 1 FROM pg_roles p WHERE p.rolname = d.role))")

    def bind(behind: str) -> str:
        # the watermark starts at the centre's now (FINDINGS 31): an unbound role's first
        # events are held to the centre's clock, not to a time of their own choosing
        return (f"DELETE FROM {DOOR_TABLE} d WHERE d.kiosk_id = NEW.kiosk_id; "
                f"INSERT INTO {DOOR_TABLE} (role, kiosk_id, latest_at, bound_at, behind_s) "
                f"VALUES (session_user, NEW.kiosk_id, {now}, {now}, {behind}) "
                "ON CONFLICT DO NOTHING;")
    return pg_qualified(f"""
{TABLE_SQL["postgresql"]};
{";".join(COLUMNS_SQL["postgresql"])};

CREATE OR REPLACE FUNCTION kiosk_door_bounds() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {path} AS $bounds$
DECLARE
  held text;
  renamed text;
  latest timestamp;
  behind integer;
  reason text;
BEGIN
  NEW.received_at := {now};
  NEW.pushed_at := NEW.received_at;
  IF NOT {is_door} THEN
    RETURN NEW;
  END IF;
  SELECT d.kiosk_id, d.latest_at, d.behind_s, d.renamed_from INTO held, latest, behind, renamed
  FROM {DOOR_TABLE} d WHERE d.role = session_user;
  IF held IS NULL THEN
    IF {held_by_other} THEN
      reason := 'other_kiosk';
    ELSE
      {bind("0")}
      latest := {now};
      behind := 0;
    END IF;
  ELSIF held <> NEW.kiosk_id AND (renamed IS DISTINCT FROM NEW.kiosk_id OR {held_by_other}) THEN
    reason := 'other_kiosk';  -- (the id it had before a rename: its queued scans still count)
  END IF;
  IF reason IS NULL AND NEW.result IN {MOVES} THEN
    -- in the centre's time: the door's clock was this far behind at its last contact
    IF NEW.at + make_interval(secs => behind) < latest - interval '{ORDER_SLACK_MINUTES} minutes' THEN
      reason := 'out_of_order';
    ELSIF EXISTS (SELECT 1 FROM study_session s WHERE s.uid = NEW.session_uid
                  AND s."end" < {now} - interval '{STALE_HOURS} hours') THEN
      reason := 'stale_session';
    END IF;
  END IF;
  IF reason IS NOT NULL AND NEW.result IN {MOVES} AND {unmarked("NEW.note")} THEN
    NEW.note := {marked("reason", "NEW.note", False)};
  END IF;
  RETURN NEW;
END
$bounds$;

-- the door's latest time moves on once per statement (a row trigger updating one row per
-- event would leave a chain of row versions as long as the batch)
CREATE OR REPLACE FUNCTION kiosk_door_latest() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {path} AS $latest$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM {DOOR_TABLE} WHERE role = session_user) THEN
    RETURN NULL;
  END IF;
  UPDATE {DOOR_TABLE} d SET latest_at = m.latest
  FROM (SELECT LEAST(max(n.at) + make_interval(secs => max(b.behind_s)), {now}) AS latest
        FROM kiosk_door_rows n JOIN {DOOR_TABLE} b ON b.role = session_user
          AND (n.kiosk_id = b.kiosk_id OR n.kiosk_id = b.renamed_from)
        WHERE n.received_by = session_user AND {unmarked("n.note")}
          AND n.at <= {now} + interval '{FUTURE_SLACK_MINUTES} minutes') m
  WHERE d.role = session_user AND m.latest IS NOT NULL
    AND (d.latest_at IS NULL OR d.latest_at < m.latest);
  RETURN NULL;
END
$latest$;

CREATE OR REPLACE FUNCTION kiosk_fleet_bounds() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {path} AS $fleet$
DECLARE
  held text;
  renamed text;
  behind integer;
BEGIN
  IF NOT {is_door} THEN
    RETURN NEW;  -- the owner's rows (a door syncing as the owner writes the centre's time)
  END IF;
  NEW.last_seen := {now};
  -- how far the door's clock is behind the centre's (a fast clock counts as on time)
  behind := LEAST({BEHIND_LIMIT_SECONDS}, GREATEST(0,
              round(EXTRACT(EPOCH FROM ({now} - COALESCE(NEW.door_time, {now}))))))::integer;
  SELECT d.kiosk_id, d.renamed_from INTO held, renamed FROM {DOOR_TABLE} d
  WHERE d.role = session_user;
  IF held IS NULL THEN
    IF {held_by_other} THEN
      RAISE EXCEPTION 'permission denied for table kiosk_fleet: kiosk id % belongs to another door',
        NEW.kiosk_id USING ERRCODE = '42501';
    END IF;
    {bind("behind")}
  ELSIF held <> NEW.kiosk_id THEN
    IF {held_by_other} THEN
      RAISE EXCEPTION 'permission denied for table kiosk_fleet: kiosk id % belongs to another door',
        NEW.kiosk_id USING ERRCODE = '42501';
    ELSIF NEW.kiosk_id = renamed THEN
      -- moved away from this id by the same install: either a rename back (the owner's
      -- `kiosk centre rebind`), or a copy of this door's disk renamed elsewhere
      RAISE EXCEPTION 'permission denied for table kiosk_fleet: kiosk id % {RENAMED_BACK} (now %)',
        NEW.kiosk_id, held USING ERRCODE = '42501';
    ELSIF NEW.install_id IS NOT NULL AND EXISTS (SELECT 1 FROM kiosk_fleet f
          WHERE f.kiosk_id = held AND f.install_id = NEW.install_id) THEN
      -- the same home under a new name (FINDINGS 34): the binding follows it
      DELETE FROM {DOOR_TABLE} d WHERE d.kiosk_id = NEW.kiosk_id;
      UPDATE {DOOR_TABLE} d SET kiosk_id = NEW.kiosk_id, renamed_from = held
      WHERE d.role = session_user;
    ELSE
      RAISE EXCEPTION 'permission denied for table kiosk_fleet: a door keeps one row, its own (kiosk id %)',
        held USING ERRCODE = '42501';
    END IF;
  END IF;
  -- a door reports with nothing queued after pushing all it held: later scans are after now
  UPDATE {DOOR_TABLE} d SET behind_s = behind,
    latest_at = CASE WHEN NEW.queued = 0 THEN GREATEST(COALESCE(d.latest_at, {now}), {now})
                     ELSE d.latest_at END
  WHERE d.role = session_user;
  RETURN NEW;
END
$fleet$;

CREATE OR REPLACE FUNCTION kiosk_door_verdicts(ids text[]) RETURNS TABLE (id text, note text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {path} AS $verdicts$
  SELECT e.id::text, e.note::text FROM sign_in_event e
  WHERE e.id = ANY (ids) AND e.received_by = session_user AND NOT {unmarked("e.note")}
$verdicts$;

DROP TRIGGER IF EXISTS {EVENT_TRIGGER} ON sign_in_event;
CREATE TRIGGER {EVENT_TRIGGER} BEFORE INSERT ON sign_in_event FOR EACH ROW
  EXECUTE FUNCTION kiosk_door_bounds();
DROP TRIGGER IF EXISTS kiosk_z_door_latest ON sign_in_event;
CREATE TRIGGER kiosk_z_door_latest AFTER INSERT ON sign_in_event
  REFERENCING NEW TABLE AS kiosk_door_rows FOR EACH STATEMENT EXECUTE FUNCTION kiosk_door_latest();
DROP TRIGGER IF EXISTS kiosk_z_fleet_bounds ON kiosk_fleet;
CREATE TRIGGER kiosk_z_fleet_bounds BEFORE INSERT OR UPDATE ON kiosk_fleet FOR EACH ROW
  EXECUTE FUNCTION kiosk_fleet_bounds();
REVOKE ALL ON FUNCTION kiosk_door_bounds() FROM PUBLIC;
REVOKE ALL ON FUNCTION kiosk_door_latest() FROM PUBLIC;
REVOKE ALL ON FUNCTION kiosk_fleet_bounds() FROM PUBLIC;
-- any role may ask which of the events *it* delivered were kept but not applied
GRANT EXECUTE ON FUNCTION kiosk_door_verdicts(text[]) TO PUBLIC;
""", schema)


# -- MariaDB: DEFINER triggers (the owner running kiosk init), a DEFINER procedure -------------
_MY_WHO = "SUBSTRING_INDEX(USER(), '@', 1)"
_MY_IS_DOOR = (f"EXISTS (SELECT 1 FROM `{ROLE_TABLE}` r WHERE r.`role` = {_MY_WHO} "
               "AND r.`kind` = 'door')")
_MY_HELD_BY_OTHER = (f"EXISTS (SELECT 1 FROM `{DOOR_TABLE}` d WHERE d.`kiosk_id` = NEW.`kiosk_id` "
                     f"AND d.`role` <> {_MY_WHO})")


def _my_bind(behind: str) -> str:
    """The first binding; its watermark starts at the centre's now (FINDINGS 31)."""
    return (f"INSERT IGNORE INTO `{DOOR_TABLE}` (`role`, `kiosk_id`, `latest_at`, `bound_at`, "
            f"`behind_s`) VALUES ({_MY_WHO}, NEW.`kiosk_id`, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6), "
            f"{behind})")


def _my_deny(text: str) -> str:
    return (f"SIGNAL SQLSTATE '42000' SET MYSQL_ERRNO = 1142, MESSAGE_TEXT = {text}")


MY_EVENT = f"""
CREATE DEFINER = CURRENT_USER TRIGGER {EVENT_TRIGGER} BEFORE INSERT ON `sign_in_event`
FOR EACH ROW FOLLOWS kiosk_stamp_receiver
BEGIN
  DECLARE held VARCHAR(64) DEFAULT NULL;
  DECLARE renamed VARCHAR(64) DEFAULT NULL;
  DECLARE latest DATETIME(6) DEFAULT NULL;
  DECLARE behind INT DEFAULT 0;
  DECLARE reason VARCHAR(32) DEFAULT NULL;
  DECLARE now_utc DATETIME(6) DEFAULT UTC_TIMESTAMP(6);
  DECLARE who VARCHAR(128) DEFAULT {_MY_WHO};
  DECLARE CONTINUE HANDLER FOR NOT FOUND SET held = NULL;
  SET NEW.`received_at` = now_utc, NEW.`pushed_at` = now_utc;
  IF EXISTS (SELECT 1 FROM `{ROLE_TABLE}` r WHERE r.`role` = who AND r.`kind` = 'door') THEN
    SELECT `kiosk_id`, `latest_at`, `behind_s`, `renamed_from` INTO held, latest, behind, renamed
    FROM `{DOOR_TABLE}` WHERE `role` = who;
    IF held IS NULL THEN
      IF {_MY_HELD_BY_OTHER} THEN
        SET reason = 'other_kiosk';
      ELSE
        {_my_bind("0")};
        SET latest = now_utc, behind = 0;
      END IF;
    ELSEIF held <> NEW.`kiosk_id` AND (renamed IS NULL OR renamed <> NEW.`kiosk_id`
                                      OR {_MY_HELD_BY_OTHER}) THEN
      SET reason = 'other_kiosk';
    END IF;
    IF reason IS NULL AND NEW.`result` IN {MOVES} THEN
      IF NEW.`at` + INTERVAL behind SECOND < latest - INTERVAL {ORDER_SLACK_MINUTES} MINUTE THEN
        SET reason = 'out_of_order';
      ELSEIF EXISTS (SELECT 1 FROM `study_session` s WHERE s.`uid` = NEW.`session_uid`
                     AND s.`end` < now_utc - INTERVAL {STALE_HOURS} HOUR) THEN
        SET reason = 'stale_session';
      END IF;
    END IF;
    IF reason IS NOT NULL AND NEW.`result` IN {MOVES} AND {unmarked("NEW.`note`")} THEN
      SET NEW.`note` = {marked("reason", "NEW.`note`", True)};
    ELSEIF reason IS NULL AND {unmarked("NEW.`note`")}
       AND NEW.`at` <= now_utc + INTERVAL {FUTURE_SLACK_MINUTES} MINUTE
       AND (latest IS NULL OR latest < LEAST(NEW.`at` + INTERVAL behind SECOND, now_utc)
                                       - INTERVAL {LATEST_STEP_SECONDS} SECOND) THEN
      -- in steps (a batch's events are milliseconds apart: one row write per step, not per event)
      UPDATE `{DOOR_TABLE}` SET `latest_at` = LEAST(NEW.`at` + INTERVAL behind SECOND, now_utc)
      WHERE `role` = who;
    END IF;
  END IF;
END
"""


def _my_fleet(op: str) -> str:
    deny_other = _my_deny("'INSERT command denied for table `kiosk_fleet`: the kiosk id of "
                          "another door'")
    return f"""
CREATE DEFINER = CURRENT_USER TRIGGER kiosk_z_fleet_bounds_{op.lower()} BEFORE {op}
ON `kiosk_fleet` FOR EACH ROW
BEGIN
  DECLARE held VARCHAR(64) DEFAULT NULL;
  DECLARE renamed VARCHAR(64) DEFAULT NULL;
  DECLARE behind INT DEFAULT 0;
  DECLARE msg VARCHAR(500) DEFAULT '';
  DECLARE now_utc DATETIME(6) DEFAULT UTC_TIMESTAMP(6);
  DECLARE CONTINUE HANDLER FOR NOT FOUND SET held = NULL;
  IF {_MY_IS_DOOR} THEN
    SET NEW.`last_seen` = now_utc;
    SET behind = LEAST({BEHIND_LIMIT_SECONDS}, GREATEST(0, ROUND(
      TIMESTAMPDIFF(MICROSECOND, COALESCE(NEW.`door_time`, now_utc), now_utc) / 1000000)));
    SELECT `kiosk_id`, `renamed_from` INTO held, renamed FROM `{DOOR_TABLE}`
    WHERE `role` = {_MY_WHO};
    IF held IS NULL THEN
      IF {_MY_HELD_BY_OTHER} THEN
        {deny_other};
      END IF;
      {_my_bind("behind")};
    ELSEIF held <> NEW.`kiosk_id` THEN
      IF {_MY_HELD_BY_OTHER} THEN
        {deny_other};
      ELSEIF NEW.`kiosk_id` = renamed THEN
        SET msg = LEFT(CONCAT('INSERT command denied for table `kiosk_fleet`: kiosk id ',
                              NEW.`kiosk_id`, ' {RENAMED_BACK} (now ', held, ')'), 500);
        {_my_deny("msg")};
      ELSEIF NEW.`install_id` IS NOT NULL AND EXISTS (SELECT 1 FROM `kiosk_fleet` f
             WHERE f.`kiosk_id` = held AND f.`install_id` = NEW.`install_id`) THEN
        UPDATE `{DOOR_TABLE}` SET `kiosk_id` = NEW.`kiosk_id`, `renamed_from` = held
        WHERE `role` = {_MY_WHO};
      ELSE
        {_my_deny("'INSERT command denied for table `kiosk_fleet`: a door keeps one row, its own'")};
      END IF;
    END IF;
    UPDATE `{DOOR_TABLE}` SET `behind_s` = behind,
      `latest_at` = IF(NEW.`queued` = 0, GREATEST(COALESCE(`latest_at`, now_utc), now_utc),
                       `latest_at`)
    WHERE `role` = {_MY_WHO};
  END IF;
END
"""


MY_VERDICTS = f"""
CREATE OR REPLACE DEFINER = CURRENT_USER PROCEDURE {DOOR_VERDICTS}(IN ids LONGTEXT)
SQL SECURITY DEFINER READS SQL DATA
SELECT e.`id`, e.`note` FROM `sign_in_event` e
JOIN JSON_TABLE(ids, '$[*]' COLUMNS (`id` VARCHAR(36) PATH '$')) j
  ON e.`id` = j.`id` COLLATE {{collation}}
WHERE SUBSTRING_INDEX(e.`received_by`, '@', 1) = {_MY_WHO} AND NOT {unmarked("e.`note`")}
"""

MY_SQL = [
    TABLE_SQL["mysql"],
    *COLUMNS_SQL["mysql"],
    MY_EVENT,
    _my_fleet("INSERT"),
    _my_fleet("UPDATE"),
    MY_VERDICTS,  # replaced, not dropped: a DROP would take back what grant-door gave
]

def install(db: pw.Database) -> None:
    """Create (or re-create) the bounds on a server centre, then :func:`backfill`; nothing on
    SQLite (a home)."""
    if isinstance(db, pw.PostgresqlDatabase):
        schema = db.execute_sql("SELECT current_schema()").fetchone()[0]
        db.execute_sql(pg_sql(schema).replace("%", "%%"))  # the driver formats even no parameters
    elif isinstance(db, pw.MySQLDatabase):
        # the ids are compared in the event id's own collation, whatever the centre was made with
        collation = db.execute_sql(
            "SELECT COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
            "AND TABLE_NAME = 'sign_in_event' AND COLUMN_NAME = 'id'").fetchone()[0]
        run(db, [statement.replace("{collation}", collation or "utf8mb4_general_ci")
                 for statement in MY_SQL], percent=True)
    backfill(db)


def backfill(db: pw.Database) -> None:
    """Bind every door role that has delivered events or reported and is not bound yet
    (:func:`db.sync.door_binding.backfill`); MariaDB: EXECUTE on the verdicts for doors granted
    before. No trigger is touched: ``kiosk init`` runs it on every init of a centre at 0014."""
    from db.sync import door_binding  # (it names this module's table)

    if isinstance(db, (pw.PostgresqlDatabase, pw.MySQLDatabase)):
        door_binding.backfill(db)
    if isinstance(db, pw.MySQLDatabase):
        _my_grant_verdicts(db)


def _my_grant_verdicts(db: pw.Database) -> None:
    """``EXECUTE`` on the verdicts for each door account granted before 0014 (as 0013 does for
    its procedure); skipped when the owner may not read the grant tables or grant — the door's
    next ``kiosk centre grant-door`` gives it."""
    errors = (pw.ProgrammingError, pw.OperationalError, pw.InternalError)
    try:
        accounts = db.execute_sql(
            "SELECT DISTINCT p.`User`, p.`Host` FROM mysql.tables_priv p "
            f"JOIN `{ROLE_TABLE}` r ON r.`role` = p.`User` AND r.`kind` = 'door' "
            "WHERE p.`Db` = DATABASE() AND p.`Table_name` = 'sign_in_event' "
            "AND FIND_IN_SET('Insert', p.`Table_priv`) > 0").fetchall()
        schema = db.execute_sql("SELECT DATABASE()").fetchone()[0]
    except errors:
        return
    for user, host in accounts:
        who = "'" + user.replace("\\", "\\\\").replace("'", "''") + "'@'" \
            + host.replace("\\", "\\\\").replace("'", "''") + "'"
        try:
            with db.atomic():
                db.execute_sql(f"GRANT EXECUTE ON PROCEDURE `{schema}`.`{DOOR_VERDICTS}` "
                               f"TO {who}".replace("%", "%%"))
        except errors:
            continue
