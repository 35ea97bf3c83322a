"""The centre's register rules as database code (migration 0008), run with the owner's rights.

A door then needs no right to write the register: it only INSERTs events, and the database
applies them — the same rules as :mod:`db.sync.centre_rules` (earliest accepted sign-in wins,
ties by event id; a sign-in beats a leave; the latest sign-out counts; a host's undo clears a
sign-in not later than itself; a withdrawal re-expects an excused person; a badge scan whose
version the centre had revoked before the scan's time is flagged in the event's note). Every
event is stamped with the database role that delivered it (``received_by``), whatever it says.

PostgreSQL: a ``BEFORE INSERT`` row trigger flags revoked badges, and an ``AFTER INSERT``
*statement* trigger applies the whole batch set-wise over its transition table (only the rows
actually inserted, so a re-sent batch applies nothing), both ``SECURITY DEFINER`` functions with a
pinned ``search_path``. MariaDB (no statement triggers): the same rules per inserted row, in two
triggers created ``DEFINER = CURRENT_USER`` (the owner running ``kiosk init``); a door pushes in
the order its events happened, so row by row gives the batch's result.
"""

from __future__ import annotations

SIGN_INS = "('present', 'late', 'visitor')"
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


# a door's scan is of now: one timed more than this ahead of the centre's clock (a door's clock
# may drift; the fleet flags 2 minutes) or a sign-in outside its session's window is not applied
FUTURE_SLACK_MINUTES = 15


def out_of_time(mariadb: bool) -> str:
    """SQL: a door's sign-in/sign-out ``NEW`` that no scan could have made at that time."""
    if mariadb:
        now = f"UTC_TIMESTAMP(6) + INTERVAL {FUTURE_SLACK_MINUTES} MINUTE"
        opens, end = "s.`start` - INTERVAL s.`open_before` MINUTE", "s.`end`"
    else:
        now = f"(now() AT TIME ZONE 'utc') + interval '{FUTURE_SLACK_MINUTES} minutes'"
        opens, end = "s.start - s.open_before * interval '1 minute'", 's."end"'
    at = "NEW.`at`" if mariadb else "NEW.at"
    return (f"(NEW.result IN ({SIGN_INS[1:-1]}, 'signed_out') AND ({at} > {now} "
            f"OR (NEW.result IN {SIGN_INS} AND EXISTS (SELECT 1 FROM study_session s "
            f"WHERE s.uid = NEW.session_uid AND ({at} < {opens} OR {at} > {end})))))")


def applies(note: str) -> str:
    """SQL: an event with this note changes the register (it is not a door's refused kind)."""
    return f"left(COALESCE({note}, ''), {len(NOT_APPLIED)}) <> '{NOT_APPLIED}'"


APPLIES = applies("n.note")


def _pick(results: str, latest: bool) -> str:
    """One event per (session, person) of the batch: the earliest (ties: smallest id) or latest."""
    order = "DESC" if latest else "ASC"
    return (f"SELECT DISTINCT ON (s.id, n.staff_key) s.id AS sid, n.staff_key AS skey, n.at, "
            f"n.method, n.kiosk_id, n.id AS event_id, n.note, n.actor, s.start, s.late_after "
            f"FROM kiosk_new_events n JOIN study_session s ON s.uid = n.session_uid "
            f"WHERE n.result IN {results} AND n.staff_key IS NOT NULL AND {APPLIES} "
            f'ORDER BY s.id, n.staff_key, n.at {order}, n.id COLLATE "C" {order}')


PAIR = "a.session_id = e.sid AND a.staff_id = e.skey"
PG_RULES = f"""
CREATE OR REPLACE FUNCTION kiosk_apply_events() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $rules$
BEGIN
  IF EXISTS (SELECT 1 FROM kiosk_new_events WHERE result IN {SIGN_INS}) THEN
    WITH e AS ({_pick(SIGN_INS, False)})
    INSERT INTO attendance AS a (session_id, staff_id, expected, status, signed_in_at,
                                 early_leave, method, kiosk_id, event_id)
    SELECT e.sid, e.skey, FALSE,
           CASE WHEN e.at > e.start + e.late_after * interval '1 minute' THEN 'late'
                ELSE 'present' END,
           e.at, FALSE, e.method, e.kiosk_id, e.event_id
    FROM e WHERE EXISTS (SELECT 1 FROM staff st WHERE st."key" = e.skey)
    ON CONFLICT (session_id, staff_id) DO UPDATE SET signed_in_at = excluded.signed_in_at,
      status = excluded.status, method = excluded.method, kiosk_id = excluded.kiosk_id,
      event_id = excluded.event_id
    WHERE a.signed_in_at IS NULL OR a.signed_in_at > excluded.signed_in_at
       OR (a.signed_in_at = excluded.signed_in_at
           AND (a.event_id IS NULL OR a.event_id > excluded.event_id));
  END IF;
  IF EXISTS (SELECT 1 FROM kiosk_new_events WHERE result = 'signed_out') THEN
    WITH e AS ({_pick("('signed_out')", True)})
    UPDATE attendance a SET signed_out_at = e.at, early_leave = (e.note = 'early_leave') FROM e
    WHERE {PAIR} AND a.signed_in_at IS NOT NULL AND a.signed_in_at <= e.at
      AND (a.signed_out_at IS NULL OR a.signed_out_at < e.at);
  END IF;
  IF EXISTS (SELECT 1 FROM kiosk_new_events WHERE result = 'leave') THEN
    WITH e AS ({_pick("('leave')", False)})
    INSERT INTO leave (session_id, staff_id, reason, recorded_at, recorded_by, event_id, uid,
                       withdrawn_by)
    SELECT e.sid, e.skey, COALESCE(NULLIF(e.note, ''), '-'), e.at, e.actor, e.event_id,
           gen_random_uuid()::text, ''
    FROM e WHERE EXISTS (SELECT 1 FROM staff st WHERE st."key" = e.skey)
    ON CONFLICT (session_id, staff_id) DO NOTHING;
    WITH e AS ({_pick("('leave')", False)})
    UPDATE leave l SET withdrawn_at = NULL, withdrawn_by = '',
      reason = COALESCE(NULLIF(e.note, ''), '-'), recorded_at = e.at, recorded_by = e.actor,
      event_id = e.event_id
    FROM e WHERE l.session_id = e.sid AND l.staff_id = e.skey AND l.withdrawn_at < e.at;
    WITH e AS ({_pick("('leave')", False)})
    UPDATE attendance a SET status = 'excused' FROM e WHERE {PAIR} AND a.status = 'pending';
  END IF;
  IF EXISTS (SELECT 1 FROM kiosk_new_events WHERE result = 'undo') THEN
    WITH e AS ({_pick("('undo')", True)})
    DELETE FROM attendance a USING e
    WHERE {PAIR} AND a.signed_in_at IS NOT NULL AND a.signed_in_at <= e.at AND NOT a.expected;
    WITH e AS ({_pick("('undo')", True)})
    UPDATE attendance a SET status = CASE WHEN EXISTS (
        SELECT 1 FROM leave l WHERE l.session_id = e.sid AND l.staff_id = e.skey
        AND l.withdrawn_at IS NULL) THEN 'excused' ELSE 'pending' END,
      signed_in_at = NULL, signed_out_at = NULL, early_leave = FALSE, method = NULL,
      kiosk_id = NULL, event_id = NULL
    FROM e WHERE {PAIR} AND a.signed_in_at IS NOT NULL AND a.signed_in_at <= e.at AND a.expected;
  END IF;
  IF EXISTS (SELECT 1 FROM kiosk_new_events WHERE result = 'leave_withdrawn') THEN
    WITH e AS ({_pick("('leave_withdrawn')", True)}),
    w AS (UPDATE leave l SET withdrawn_at = e.at, withdrawn_by = e.actor FROM e
          WHERE l.session_id = e.sid AND l.staff_id = e.skey AND l.withdrawn_at IS NULL
            AND l.recorded_at <= e.at
          RETURNING l.session_id, l.staff_id)
    UPDATE attendance a SET status = 'pending' FROM w
    WHERE a.session_id = w.session_id AND a.staff_id = w.staff_id AND a.status = 'excused';
  END IF;
  RETURN NULL;
END
$rules$;

CREATE OR REPLACE FUNCTION kiosk_flag_revoked_badge() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $flag$
DECLARE
  held_version integer;
  held_updated timestamp;
  first_revoked timestamp;
BEGIN
  SELECT badge_version, updated_at INTO held_version, held_updated
  FROM staff WHERE "key" = NEW.staff_key;
  IF held_version IS NULL OR NEW.badge_version >= held_version THEN
    RETURN NEW;
  END IF;
  SELECT MIN(at) INTO first_revoked FROM sign_in_event
  WHERE result = 'badge_revoked' AND staff_key = NEW.staff_key
    AND {applies("note")}
    AND substring(note from 'badge_version ([0-9]+)->')::integer >= NEW.badge_version;
  IF (first_revoked IS NOT NULL AND first_revoked <= NEW.at)
     OR (first_revoked IS NULL AND held_updated IS NOT NULL AND held_updated <= NEW.at) THEN
    NEW.note := left('{FLAG}' || CASE WHEN COALESCE(NEW.note, '') <> ''
                                      THEN ' ' || NEW.note ELSE '' END, 500);
  END IF;
  RETURN NEW;
END
$flag$;

CREATE OR REPLACE FUNCTION kiosk_stamp_receiver() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $stamp$
BEGIN
  NEW.received_by := session_user;
  NEW.input := {redact_sql("NEW.input", True)};
  NEW.note := {redact_sql("NEW.note", False)};
  IF ({host_kind("NEW.")} OR {out_of_time(False)})
     AND EXISTS (SELECT 1 FROM {ROLE_TABLE} r WHERE r.role = session_user AND r.kind = 'door') THEN
    NEW.note := left('{NOT_APPLIED}' || CASE WHEN NEW.note <> '' THEN ' ' || NEW.note ELSE '' END,
                     500);
  END IF;
  RETURN NEW;
END
$stamp$;

DROP TRIGGER IF EXISTS kiosk_stamp_receiver ON sign_in_event;
CREATE TRIGGER kiosk_stamp_receiver BEFORE INSERT ON sign_in_event FOR EACH ROW
  EXECUTE FUNCTION kiosk_stamp_receiver();
DROP TRIGGER IF EXISTS kiosk_apply_events ON sign_in_event;
CREATE TRIGGER kiosk_apply_events AFTER INSERT ON sign_in_event
  REFERENCING NEW TABLE AS kiosk_new_events
  FOR EACH STATEMENT EXECUTE FUNCTION kiosk_apply_events();
DROP TRIGGER IF EXISTS kiosk_flag_revoked_badge ON sign_in_event;
CREATE TRIGGER kiosk_flag_revoked_badge BEFORE INSERT ON sign_in_event FOR EACH ROW
  WHEN (NEW.result IN {SIGN_INS} AND NEW.method IN ('qr', 'camera')
        AND NEW.badge_version IS NOT NULL AND NEW.staff_key IS NOT NULL)
  EXECUTE FUNCTION kiosk_flag_revoked_badge();
REVOKE ALL ON FUNCTION kiosk_apply_events() FROM PUBLIC;
REVOKE ALL ON FUNCTION kiosk_flag_revoked_badge() FROM PUBLIC;
REVOKE ALL ON FUNCTION kiosk_stamp_receiver() FROM PUBLIC;
"""



def pg_rules(schema: str) -> str:
    """The rules with the functions' ``search_path`` pinned to the centre's schema, then
    ``pg_temp`` last (migration 0011): PostgreSQL otherwise searches the caller's temporary
    schema first, and a door could shadow ``study_session`` with a temp table of its own."""
    path = '"' + schema.replace('"', '""') + '", pg_temp'
    return PG_RULES.replace("SET search_path FROM CURRENT", f"SET search_path = {path}")


ROLE_TABLE_SQL = {
    "postgresql": f"CREATE TABLE IF NOT EXISTS {ROLE_TABLE} (role varchar(128) PRIMARY KEY, "
                  "kind varchar(16) NOT NULL)",
    "mysql": f"CREATE TABLE IF NOT EXISTS `{ROLE_TABLE}` (`role` varchar(128) PRIMARY KEY, "
             "`kind` varchar(16) NOT NULL)",
}


MY_PAIR = "`session_id` = sid AND `staff_id` = NEW.`staff_key`"
MY_EARLIER = ("(`signed_in_at` IS NULL OR `signed_in_at` > NEW.`at` OR (`signed_in_at` = NEW.`at` "
              "AND (`event_id` IS NULL OR `event_id` > NEW.`id`)))")
MY_APPLY = f"""
CREATE DEFINER = CURRENT_USER TRIGGER kiosk_apply_event AFTER INSERT ON `sign_in_event`
FOR EACH ROW
BEGIN
  DECLARE sid INT DEFAULT NULL;
  DECLARE late_from DATETIME(6) DEFAULT NULL;
  IF NEW.`staff_key` IS NOT NULL AND NEW.`session_uid` IS NOT NULL
     AND {applies("NEW.`note`")} THEN
    SET sid = (SELECT `id` FROM `study_session` WHERE `uid` = NEW.`session_uid`);
    SET late_from = (SELECT `start` + INTERVAL `late_after` MINUTE FROM `study_session`
                     WHERE `id` = sid);
  END IF;
  IF sid IS NOT NULL AND NEW.`result` IN {SIGN_INS}
     AND EXISTS (SELECT 1 FROM `staff` WHERE `key` = NEW.`staff_key`) THEN
    -- one statement: a visitor row, or the held row moved to an earlier sign-in. MariaDB assigns
    -- left to right, each seeing the columns already assigned: every column's guard reads the
    -- old signed_in_at (assigned last); event_id's own guard reads its old value, and once it
    -- is assigned, signed_in_at's guard differs only for a tie, where the time is the same.
    INSERT INTO `attendance` (`session_id`, `staff_id`, `expected`, `status`, `signed_in_at`,
                              `early_leave`, `method`, `kiosk_id`, `event_id`)
    VALUES (sid, NEW.`staff_key`, FALSE, IF(NEW.`at` > late_from, 'late', 'present'), NEW.`at`,
            FALSE, NEW.`method`, NEW.`kiosk_id`, NEW.`id`)
    ON DUPLICATE KEY UPDATE
      `status` = IF({MY_EARLIER}, VALUES(`status`), `status`),
      `method` = IF({MY_EARLIER}, VALUES(`method`), `method`),
      `kiosk_id` = IF({MY_EARLIER}, VALUES(`kiosk_id`), `kiosk_id`),
      `event_id` = IF({MY_EARLIER}, VALUES(`event_id`), `event_id`),
      `signed_in_at` = IF({MY_EARLIER}, VALUES(`signed_in_at`), `signed_in_at`);
  ELSEIF sid IS NOT NULL AND NEW.`result` = 'signed_out' THEN
    UPDATE `attendance` SET `signed_out_at` = NEW.`at`, `early_leave` = (NEW.`note` = 'early_leave')
    WHERE {MY_PAIR} AND `signed_in_at` IS NOT NULL AND `signed_in_at` <= NEW.`at`
      AND (`signed_out_at` IS NULL OR `signed_out_at` < NEW.`at`);
  ELSEIF sid IS NOT NULL AND NEW.`result` = 'leave'
     AND EXISTS (SELECT 1 FROM `staff` WHERE `key` = NEW.`staff_key`) THEN
    INSERT IGNORE INTO `leave` (`session_id`, `staff_id`, `reason`, `recorded_at`, `recorded_by`,
                                `event_id`, `uid`, `withdrawn_by`)
    VALUES (sid, NEW.`staff_key`, COALESCE(NULLIF(NEW.`note`, ''), '-'), NEW.`at`, NEW.`actor`,
            NEW.`id`, UUID(), '');
    UPDATE `leave` SET `withdrawn_at` = NULL, `withdrawn_by` = '',
      `reason` = COALESCE(NULLIF(NEW.`note`, ''), '-'), `recorded_at` = NEW.`at`,
      `recorded_by` = NEW.`actor`, `event_id` = NEW.`id`
    WHERE {MY_PAIR} AND `withdrawn_at` < NEW.`at`;
    UPDATE `attendance` SET `status` = 'excused' WHERE {MY_PAIR} AND `status` = 'pending';
  ELSEIF sid IS NOT NULL AND NEW.`result` = 'undo' THEN
    DELETE FROM `attendance` WHERE {MY_PAIR} AND `signed_in_at` IS NOT NULL
      AND `signed_in_at` <= NEW.`at` AND NOT `expected`;
    UPDATE `attendance` SET `status` = IF(EXISTS (SELECT 1 FROM `leave` l
        WHERE l.`session_id` = sid AND l.`staff_id` = NEW.`staff_key`
        AND l.`withdrawn_at` IS NULL), 'excused', 'pending'),
      `signed_in_at` = NULL, `signed_out_at` = NULL, `early_leave` = FALSE, `method` = NULL,
      `kiosk_id` = NULL, `event_id` = NULL
    WHERE {MY_PAIR} AND `signed_in_at` IS NOT NULL AND `signed_in_at` <= NEW.`at` AND `expected`;
  ELSEIF sid IS NOT NULL AND NEW.`result` = 'leave_withdrawn' THEN
    UPDATE `leave` SET `withdrawn_at` = NEW.`at`, `withdrawn_by` = NEW.`actor`
    WHERE {MY_PAIR} AND `withdrawn_at` IS NULL AND `recorded_at` <= NEW.`at`;
    IF ROW_COUNT() > 0 THEN
      UPDATE `attendance` SET `status` = 'pending' WHERE {MY_PAIR} AND `status` = 'excused';
    END IF;
  END IF;
END
"""

MY_FLAG = f"""
CREATE DEFINER = CURRENT_USER TRIGGER kiosk_flag_revoked_badge BEFORE INSERT ON `sign_in_event`
FOR EACH ROW
BEGIN
  DECLARE held_version INT DEFAULT NULL;
  DECLARE held_updated DATETIME(6) DEFAULT NULL;
  DECLARE first_revoked DATETIME(6) DEFAULT NULL;
  SET NEW.`received_by` = USER();
  IF NEW.`result` IN {SIGN_INS} AND NEW.`method` IN ('qr', 'camera')
     AND NEW.`badge_version` IS NOT NULL AND NEW.`staff_key` IS NOT NULL THEN
    SET held_version = (SELECT `badge_version` FROM `staff` WHERE `key` = NEW.`staff_key`);
    SET held_updated = (SELECT `updated_at` FROM `staff` WHERE `key` = NEW.`staff_key`);
    IF held_version IS NOT NULL AND NEW.`badge_version` < held_version THEN
      SET first_revoked = (SELECT MIN(`at`) FROM `sign_in_event`
        WHERE `result` = 'badge_revoked' AND `staff_key` = NEW.`staff_key`
        AND {applies("`note`")}
        AND CAST(REGEXP_REPLACE(REGEXP_SUBSTR(`note`, 'badge_version [0-9]+->'), '[^0-9]', '')
                 AS UNSIGNED) >= NEW.`badge_version`);
      IF (first_revoked IS NOT NULL AND first_revoked <= NEW.`at`)
         OR (first_revoked IS NULL AND held_updated IS NOT NULL AND held_updated <= NEW.`at`) THEN
        SET NEW.`note` = LEFT(CONCAT('{FLAG}', IF(COALESCE(NEW.`note`, '') <> '',
                                                  CONCAT(' ', NEW.`note`), '')), 500);
      END IF;
    END IF;
  END IF;
  SET NEW.`input` = {redact_sql("NEW.`input`", True, mariadb=True)};
  SET NEW.`note` = {redact_sql("NEW.`note`", False, mariadb=True)};
  IF ({host_kind("NEW.")} OR {out_of_time(True)}) AND EXISTS (SELECT 1 FROM `{ROLE_TABLE}` r
      WHERE r.`role` = SUBSTRING_INDEX(USER(), '@', 1) AND r.`kind` = 'door') THEN
    SET NEW.`note` = LEFT(CONCAT('{NOT_APPLIED}', IF(NEW.`note` <> '', CONCAT(' ', NEW.`note`), '')),
                          500);
  END IF;
END
"""

MY_RULES = [
    "DROP TRIGGER IF EXISTS kiosk_apply_event",
    MY_APPLY,
    "DROP TRIGGER IF EXISTS kiosk_flag_revoked_badge",
    MY_FLAG,
]


# -- the register's guard (FINDINGS 33) ------------------------------------------------------
# The register is applied from events by the owner's rules; an admin keeps only its bookkeeping
# (who is expected: rows without a sign-in, pending <-> excused). A role that may not write
# signed_in_at (PostgreSQL: column privileges from grant-admin; MariaDB: a role recorded as an
# admin) can neither delete a row holding a sign-in nor give a row a sign-in's status. The
# owner's rules, which run as the owner, and the host (补签 and undo are its job) are not bound.
BOOKKEEPING = "('pending', 'excused')"


def pg_guard(schema: str) -> str:
    path = "pg_catalog, " + '"' + schema.replace('"', '""') + '", pg_temp'
    return f"""
CREATE OR REPLACE FUNCTION kiosk_guard_register() RETURNS trigger
LANGUAGE plpgsql SET search_path = {path} AS $guard$
BEGIN
  IF has_column_privilege(current_user, TG_RELID, 'signed_in_at', 'UPDATE') THEN
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  END IF;
  IF (TG_OP = 'DELETE' AND OLD.signed_in_at IS NOT NULL)
     OR (TG_OP = 'INSERT' AND NEW.status NOT IN {BOOKKEEPING})
     OR (TG_OP = 'UPDATE' AND NEW.status <> OLD.status
         AND NOT (OLD.status IN {BOOKKEEPING} AND NEW.status IN {BOOKKEEPING})) THEN
    RAISE EXCEPTION 'permission denied for table attendance: the register follows events'
      USING ERRCODE = '42501';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$guard$;
DROP TRIGGER IF EXISTS kiosk_guard_register ON attendance;
CREATE TRIGGER kiosk_guard_register BEFORE INSERT OR UPDATE OR DELETE ON attendance
  FOR EACH ROW EXECUTE FUNCTION kiosk_guard_register();
"""


_MY_ADMIN = (f"EXISTS (SELECT 1 FROM `{ROLE_TABLE}` r WHERE r.`role` = "
             "SUBSTRING_INDEX(USER(), '@', 1) AND r.`kind` = 'admin')")
_MY_DENY = ("SIGNAL SQLSTATE '42000' SET MYSQL_ERRNO = 1142, "
            "MESSAGE_TEXT = 'UPDATE command denied to user for table `attendance`: the register "
            "follows events'")
MY_GUARD = [
    "DROP TRIGGER IF EXISTS kiosk_guard_register_insert",
    f"""CREATE DEFINER = CURRENT_USER TRIGGER kiosk_guard_register_insert BEFORE INSERT
ON `attendance` FOR EACH ROW BEGIN
  IF NEW.`status` NOT IN {BOOKKEEPING} AND {_MY_ADMIN} THEN {_MY_DENY}; END IF;
END""",
    "DROP TRIGGER IF EXISTS kiosk_guard_register_update",
    f"""CREATE DEFINER = CURRENT_USER TRIGGER kiosk_guard_register_update BEFORE UPDATE
ON `attendance` FOR EACH ROW BEGIN
  IF NOT (NEW.`status` <=> OLD.`status` AND NEW.`signed_in_at` <=> OLD.`signed_in_at`
          AND NEW.`signed_out_at` <=> OLD.`signed_out_at` AND NEW.`method` <=> OLD.`method`
          AND NEW.`kiosk_id` <=> OLD.`kiosk_id` AND NEW.`event_id` <=> OLD.`event_id`
          AND NEW.`early_leave` <=> OLD.`early_leave`)
     AND NOT (OLD.`status` IN {BOOKKEEPING} AND NEW.`status` IN {BOOKKEEPING}
              AND OLD.`signed_in_at` IS NULL AND NEW.`signed_in_at` IS NULL)
     AND {_MY_ADMIN} THEN {_MY_DENY}; END IF;
END""",
    "DROP TRIGGER IF EXISTS kiosk_guard_register_delete",
    f"""CREATE DEFINER = CURRENT_USER TRIGGER kiosk_guard_register_delete BEFORE DELETE
ON `attendance` FOR EACH ROW BEGIN
  IF OLD.`signed_in_at` IS NOT NULL AND {_MY_ADMIN} THEN {_MY_DENY}; END IF;
END""",
]


def scrub_sql(mariadb: bool) -> str:
    """Cut the signatures out of events a not-yet-upgraded door pushed before 0011 (one
    server-side statement; rows without one are left alone)."""
    q = "`" if mariadb else '"'
    text, note = f"{q}input{q}", f"{q}note{q}"
    clean_text, clean_note = redact_sql(text, True, mariadb), redact_sql(note, False, mariadb)
    return (f"UPDATE sign_in_event SET {text} = {clean_text}, {note} = {clean_note} "
            f"WHERE {text} <> {clean_text} OR {note} <> {clean_note}")


# door roles granted before 0011 (no kiosk_role row yet): a role that may add events but not
# leaves is a door's (grant-door gives exactly that; host/admin/owner may write leaves)
PG_BACKFILL = f"""
INSERT INTO {ROLE_TABLE} (role, kind)
SELECT DISTINCT e.grantee, 'door' FROM information_schema.table_privileges e
WHERE e.table_schema = current_schema() AND e.table_name = 'sign_in_event'
  AND e.privilege_type = 'INSERT' AND e.grantee <> 'PUBLIC'
  AND NOT EXISTS (SELECT 1 FROM information_schema.table_privileges l
                  WHERE l.table_schema = e.table_schema AND l.grantee = e.grantee
                    AND l.table_name = 'leave' AND l.privilege_type = 'INSERT')
  AND NOT pg_has_role(e.grantee, (SELECT relowner FROM pg_class
                                  WHERE oid = 'sign_in_event'::regclass), 'MEMBER')
ON CONFLICT (role) DO NOTHING
"""
MY_BACKFILL = f"""
INSERT IGNORE INTO `{ROLE_TABLE}` (`role`, `kind`)
SELECT DISTINCT e.`User`, 'door' FROM mysql.tables_priv e
WHERE e.`Db` = DATABASE() AND e.`Table_name` = 'sign_in_event'
  AND FIND_IN_SET('Insert', e.`Table_priv`) > 0
  AND NOT EXISTS (SELECT 1 FROM mysql.tables_priv l WHERE l.`Db` = e.`Db` AND l.`User` = e.`User`
                  AND l.`Table_name` = 'leave' AND FIND_IN_SET('Insert', l.`Table_priv`) > 0)
"""
