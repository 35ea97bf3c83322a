"""The centre's rules on MariaDB (see :mod:`db.sync.centre_sql` for what they do).

MariaDB has row triggers only, so the rules are applied once per pushed batch by a procedure:

- ``kiosk_stamp_receiver`` (``BEFORE INSERT``, per row) stamps each event: revoked-badge flag,
  receiver, signatures cut, a door's refused kinds marked (no write anywhere else).
- ``kiosk_apply_event`` (``AFTER INSERT``, per row) applies that one event at once — unless the
  session has said it applies its batch itself (``SET @kiosk_batch = 1``, as
  :func:`db.sync.push.push_batch` does). So an older door, or SQL typed by hand, is applied as
  before; a session that says so and then never applies leaves only its own events unapplied
  (stamped and marked all the same), as if it had not pushed them.
- ``kiosk_apply_pushed(ids, received_at)`` — the one procedure a door, a host or an admin may
  ``CALL`` (``SQL SECURITY DEFINER``) — applies, set-wise, the events of that batch this very
  connection has just delivered (the rules of :func:`db.sync.centre_sql.rule_blocks`, one
  statement per kind of event, like PostgreSQL's statement trigger). Each event is applied once,
  at its arrival (FINDINGS 25): the row trigger of a batching session leaves a marker in the
  owner's table ``kiosk_pending`` (event id, connection, the centre's clock), and the procedure
  takes only the named events with a marker of its own connection from the last
  :data:`ARRIVAL_MINUTES`, deleting those markers as it applies them. So an event the ``INSERT
  IGNORE`` skipped (a re-sent batch) has no marker and is not applied again; a door that calls
  again with its old ids (after a host's undo, say) applies nothing; an account never applies
  another's events. ``received_at`` is the caller's no more: it is ignored (kept in the
  signature for doors that pass it) and the centre stamps the event's time itself.

Everything is created ``DEFINER = CURRENT_USER`` (the owner running ``kiosk init``); the batch
lives in session temporary tables the procedures make and drop (the server's default engine: no
heap-size limit to meet, and as fast as ``MEMORY`` here). A door's account has no ``CREATE
TEMPORARY TABLES`` right, so it cannot shadow a table the rules read. Needs MariaDB 10.6 or later
(``JSON_TABLE``).
"""

from __future__ import annotations

import re

from db.sync.centre_sql import (
    APPLIED_RESULTS,
    BADGE_SCAN,
    MARIADB,
    ROLE_TABLE,
    STAMP_VARIABLES,
    applies,
    flag_body,
    rule_blocks,
    stamp_body,
)

APPLY_PUSHED = "kiosk_apply_pushed"  # EXECUTE granted to the centre's roles (db.sync.grants)
BATCH_FLAG = "@kiosk_batch"  # 1: this session CALLs kiosk_apply_pushed() for what it inserts
DEFINER = "CREATE DEFINER = CURRENT_USER"
ROUTINE = "SQL SECURITY DEFINER MODIFIES SQL DATA"


def _fill(source: str, where: str) -> list[str]:
    """(Re)make ``kiosk_batch`` from the events ``e`` of ``source`` that the register can take."""
    return ["DROP TEMPORARY TABLE IF EXISTS kiosk_batch",
            "CREATE TEMPORARY TABLE kiosk_batch AS SELECT e.id, s.id AS sid, "
            "e.staff_key AS skey, e.`at`, e.result, e.method, e.kiosk_id, e.note, e.actor, "
            "s.`start` + INTERVAL s.late_after MINUTE AS late_from "
            f"FROM {source} JOIN study_session s ON s.uid = e.session_uid "
            f"WHERE {where} AND e.staff_key IS NOT NULL AND {applies('e.note')}"]


def _body(statements: list[str]) -> str:
    return "BEGIN\n" + "".join(f"  {s};\n" for s in statements) + "END"


APPLY_BATCH = f"""{DEFINER} PROCEDURE kiosk_apply_batch() {ROUTINE}
BEGIN
{rule_blocks(MARIADB, "kiosk_batch")}
  DROP TEMPORARY TABLE kiosk_batch;
END"""

# one event, from the row trigger of a session that does not batch (owner only: no grant)
APPLY_ONE = f"""{DEFINER} PROCEDURE kiosk_apply_one(event VARCHAR(36)) {ROUTINE}
{_body(_fill("sign_in_event e", "e.id = event") + ["CALL kiosk_apply_batch()"])}"""

PENDING = "kiosk_pending"  # events a batching session delivered, not yet applied (owner only)
ARRIVAL_MINUTES = 10  # a batch is applied right after its INSERT (both statements time out in 10 s)
# the markers take sign_in_event.id's own type and collation (joined by the primary key)
PENDING_TABLE = (f"CREATE TABLE IF NOT EXISTS {PENDING} (PRIMARY KEY (id)) ENGINE=InnoDB "
                 "SELECT id, CAST(0 AS UNSIGNED) AS conn, UTC_TIMESTAMP(6) AS `at` "
                 "FROM sign_in_event WHERE FALSE")
_MINE = (f"p.conn = CONNECTION_ID() AND p.`at` >= UTC_TIMESTAMP(6) - INTERVAL {ARRIVAL_MINUTES} "
         "MINUTE")

# the ids travel as one JSON array; kiosk_ids takes sign_in_event.id's own type and collation,
# so the joins below are by the primary keys whatever collation the centre was made with.
# ``received`` is not read: the centre's clock stamped the events (kept for 0013's callers).
# Only what this connection has just delivered, each once: the markers go as they are read.
APPLY_PUSHED_SQL = f"""{DEFINER} PROCEDURE {APPLY_PUSHED}(ids LONGTEXT, received DATETIME(6))
{ROUTINE}
{_body([
    f"SET {BATCH_FLAG} = NULL",
    "DROP TEMPORARY TABLE IF EXISTS kiosk_ids",
    "CREATE TEMPORARY TABLE kiosk_ids AS SELECT id FROM sign_in_event WHERE FALSE",
    "INSERT INTO kiosk_ids SELECT j.id FROM JSON_TABLE(ids, '$[*]' COLUMNS "
    "(id VARCHAR(36) PATH '$')) j",
    f"DELETE i FROM kiosk_ids i WHERE NOT EXISTS (SELECT 1 FROM {PENDING} p "
    f"WHERE p.id = i.id AND {_MINE})",
    f"DELETE p FROM kiosk_ids i STRAIGHT_JOIN {PENDING} p ON p.id = i.id "
    "WHERE p.conn = CONNECTION_ID()",
    *_fill("kiosk_ids i STRAIGHT_JOIN sign_in_event e ON e.id = i.id",
           "e.received_by = USER()"),
    "DROP TEMPORARY TABLE kiosk_ids",
    "CALL kiosk_apply_batch()",
])}"""

STAMP = f"""{DEFINER} TRIGGER kiosk_stamp_receiver BEFORE INSERT ON `sign_in_event`
FOR EACH ROW
BEGIN
  IF {BADGE_SCAN} THEN BEGIN  -- its variables only where they are used: each DECLARE runs per row
{"".join(f"  DECLARE {name} {kind} DEFAULT NULL;{chr(10)}" for name, _, kind in STAMP_VARIABLES)}
{flag_body(MARIADB)}
  END; END IF;
{stamp_body(MARIADB)}
END"""

APPLY_EVENT = f"""{DEFINER} TRIGGER kiosk_apply_event AFTER INSERT ON `sign_in_event`
FOR EACH ROW
BEGIN
  IF NEW.staff_key IS NOT NULL AND NEW.session_uid IS NOT NULL
     AND NEW.result IN {APPLIED_RESULTS} AND {applies("NEW.note")} THEN
    IF COALESCE({BATCH_FLAG}, 0) <> 1 THEN
      CALL kiosk_apply_one(NEW.id);
    ELSE  -- the session applies its batch: this event, once, if it asks soon enough
      INSERT INTO {PENDING} (id, conn, `at`) VALUES (NEW.id, CONNECTION_ID(), UTC_TIMESTAMP(6));
    END IF;
  END IF;
END"""


# A trigger is replaced in one statement, never dropped then made again (REVIEW M4): MariaDB's
# DDL commits at once, so between a DROP and its CREATE a door's event would be stored without
# the stamp, the marks or the apply. CREATE OR REPLACE swaps it under the table's metadata lock
# (an INSERT waits for it) but puts it last among its kind, so it is placed where it was.
_TRIGGER = re.compile(r"CREATE DEFINER = CURRENT_USER TRIGGER (\w+) (BEFORE|AFTER) "
                      r"(INSERT|UPDATE|DELETE)\s+ON `?(\w+)`?\s+FOR EACH ROW"
                      r"(\s+(?:FOLLOWS|PRECEDES) \w+)?")


def in_place(db, statement: str) -> str:
    """``statement`` (a CREATE TRIGGER of these modules) as a CREATE OR REPLACE that keeps the
    trigger's place among the table's triggers of its kind; other statements unchanged."""
    found = _TRIGGER.search(statement)
    if found is None:
        return statement
    name, timing, event, table, place = found.groups()
    order = [row[0] for row in db.execute_sql(
        "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() "
        "AND EVENT_OBJECT_TABLE = %s AND ACTION_TIMING = %s AND EVENT_MANIPULATION = %s "
        "ORDER BY ACTION_ORDER", (table, timing, event)).fetchall()]
    if name in order:
        at = order.index(name)
        place = (f" PRECEDES {order[at + 1]}" if at + 1 < len(order)
                 else f" FOLLOWS {order[at - 1]}" if at else "")
    head = (f"CREATE OR REPLACE DEFINER = CURRENT_USER TRIGGER {name} {timing} {event} "
            f"ON `{table}` FOR EACH ROW{place or ''}")
    return statement[:found.start()] + head + statement[found.end():]


def run(db, statements: list[str], percent: bool = False) -> None:
    """Run the statements, triggers replaced in place (:func:`in_place`); ``percent``: double
    ``%`` (PyMySQL formats a statement even without parameters)."""
    for statement in statements:
        statement = in_place(db, statement)
        db.execute_sql(statement.replace("%", "%%") if percent else statement)


def _replacing(statement: str) -> str:
    """CREATE OR REPLACE keeps what was granted on a procedure (a DROP would take it back)."""
    return statement.replace(DEFINER, "CREATE OR REPLACE DEFINER = CURRENT_USER", 1)


MY_RULES = [
    "DROP TRIGGER IF EXISTS kiosk_flag_revoked_badge",  # before 0013: stamp and flag
    PENDING_TABLE,
    _replacing(APPLY_BATCH),
    _replacing(APPLY_ONE),
    _replacing(APPLY_PUSHED_SQL),
    STAMP,
    APPLY_EVENT,
]
TRIGGERS = ("kiosk_stamp_receiver", "kiosk_apply_event")
# 0015 (FINDINGS 25): what changed since 0013 only — the BEFORE INSERT triggers keep their order
MY_APPLY_ONCE = [PENDING_TABLE, _replacing(APPLY_PUSHED_SQL), APPLY_EVENT]


# -- the register's guard (FINDINGS 33; see db.sync.centre_pg for PostgreSQL's) ---------------
BOOKKEEPING = "('pending', 'excused')"
_MY_ADMIN = (f"EXISTS (SELECT 1 FROM `{ROLE_TABLE}` r WHERE r.`role` = "
             "SUBSTRING_INDEX(USER(), '@', 1) AND r.`kind` = 'admin')")
_MY_DENY = ("SIGNAL SQLSTATE '42000' SET MYSQL_ERRNO = 1142, "
            "MESSAGE_TEXT = 'UPDATE command denied to user for table `attendance`: the register "
            "follows events'")
# Each check runs the kiosk_role query only when its cheap part holds (a statement of a row
# trigger is prepared each time it runs). An UPDATE that changes event_id needs the right to
# write event_id, which an admin never holds (grant-admin: expected and status; the server
# checks column rights before any trigger), so such a row — every sign-in and undo the rules
# apply — needs no look at the roles.
MY_GUARD = [
    f"""{DEFINER} TRIGGER kiosk_guard_register_insert BEFORE INSERT
ON `attendance` FOR EACH ROW BEGIN
  IF NEW.`status` NOT IN {BOOKKEEPING} THEN
    IF {_MY_ADMIN} THEN {_MY_DENY}; END IF;
  END IF;
END""",
    f"""{DEFINER} TRIGGER kiosk_guard_register_update BEFORE UPDATE
ON `attendance` FOR EACH ROW BEGIN
  IF NEW.`event_id` <=> OLD.`event_id`
     AND NOT (NEW.`status` <=> OLD.`status` AND NEW.`signed_in_at` <=> OLD.`signed_in_at`
              AND NEW.`signed_out_at` <=> OLD.`signed_out_at` AND NEW.`method` <=> OLD.`method`
              AND NEW.`kiosk_id` <=> OLD.`kiosk_id` AND NEW.`early_leave` <=> OLD.`early_leave`)
     AND NOT (OLD.`status` IN {BOOKKEEPING} AND NEW.`status` IN {BOOKKEEPING}
              AND OLD.`signed_in_at` IS NULL AND NEW.`signed_in_at` IS NULL) THEN
    IF {_MY_ADMIN} THEN {_MY_DENY}; END IF;
  END IF;
END""",
    f"""{DEFINER} TRIGGER kiosk_guard_register_delete BEFORE DELETE
ON `attendance` FOR EACH ROW BEGIN
  IF OLD.`signed_in_at` IS NOT NULL THEN
    IF {_MY_ADMIN} THEN {_MY_DENY}; END IF;
  END IF;
END""",
]

# door roles granted before 0011 (no kiosk_role row yet): events but no leaves (see centre_pg)
MY_BACKFILL = f"""
INSERT IGNORE INTO `{ROLE_TABLE}` (`role`, `kind`)
SELECT DISTINCT e.`User`, 'door' FROM mysql.tables_priv e
WHERE e.`Db` = DATABASE() AND e.`Table_name` = 'sign_in_event'
  AND FIND_IN_SET('Insert', e.`Table_priv`) > 0
  AND NOT EXISTS (SELECT 1 FROM mysql.tables_priv l WHERE l.`Db` = e.`Db` AND l.`User` = e.`User`
                  AND l.`Table_name` = 'leave' AND FIND_IN_SET('Insert', l.`Table_priv`) > 0)
"""


def _account(user: str, host: str | None) -> str:
    """``'user'@'host'`` quoted for a statement without parameters (PyMySQL still %-formats)."""
    def text(value: str) -> str:
        return value.replace("\\", "\\\\").replace("'", "''").replace("%", "%%")
    return f"'{text(user)}'@'{text(host)}'" if host else f"'{text(user)}'"


def grant_existing(db) -> None:
    """``EXECUTE`` on ``kiosk_apply_pushed`` for each account that may already add events here
    (granted before 0013). Skipped when the owner may not read the grant tables or grant: its
    next ``kiosk centre grant-*`` gives it."""
    import peewee as pw

    errors = (pw.ProgrammingError, pw.OperationalError, pw.InternalError)
    try:
        accounts = db.execute_sql(
            "SELECT DISTINCT `User`, `Host` FROM mysql.tables_priv WHERE `Db` = DATABASE() "
            "AND `Table_name` = 'sign_in_event' AND FIND_IN_SET('Insert', `Table_priv`) > 0"
        ).fetchall()
        schema = db.execute_sql("SELECT DATABASE()").fetchone()[0]
    except errors:
        return
    for user, host in accounts:
        try:
            db.execute_sql(f"GRANT EXECUTE ON PROCEDURE `{schema}`.`{APPLY_PUSHED}` "
                           f"TO {_account(user, host)}")
        except errors:
            continue
