"""The centre's rules on PostgreSQL (see :mod:`db.sync.centre_sql` for what they do).

Two ``BEFORE INSERT`` row triggers (fired by name: the flag first) flag a revoked badge's scan
and stamp each event (receiver, signatures cut, a door's refused kinds marked), and an ``AFTER
INSERT`` *statement* trigger applies the whole batch set-wise over its transition table (only
the rows actually inserted, so a re-sent batch applies nothing); all are ``SECURITY DEFINER``
functions with a pinned ``search_path``. A door's push is its INSERT alone.
"""

from __future__ import annotations

from db.sync.centre_sql import (
    BADGE_SCAN,
    PG,
    ROLE_TABLE,
    STAMP_VARIABLES,
    applies,
    flag_body,
    pg_qualified,
    rule_blocks,
    stamp_body,
)

# the events of the inserting statement that the register can take (see centre_sql.BATCH_COLUMNS)
BATCH = ("(SELECT n.id, s.id AS sid, n.staff_key AS skey, n.at, n.result, n.method, n.kiosk_id, "
         "n.note, n.actor, s.start + s.late_after * interval '1 minute' AS late_from "
         "FROM kiosk_new_events n JOIN study_session s ON s.uid = n.session_uid "
         f"WHERE n.staff_key IS NOT NULL AND {applies('n.note')})")
DECLARE = "\n".join(f"  {name} {kind};" for name, kind, _ in STAMP_VARIABLES)
DEFINER = "LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT"

PG_RULES = f"""
CREATE OR REPLACE FUNCTION kiosk_apply_events() RETURNS trigger {DEFINER} AS $rules$
BEGIN
{rule_blocks(PG, BATCH)}
  RETURN NULL;
END
$rules$;

CREATE OR REPLACE FUNCTION kiosk_flag_revoked_badge() RETURNS trigger {DEFINER} AS $flag$
DECLARE
{DECLARE}
BEGIN
{flag_body(PG)}
  RETURN NEW;
END
$flag$;

CREATE OR REPLACE FUNCTION kiosk_stamp_receiver() RETURNS trigger {DEFINER} AS $stamp$
BEGIN
{stamp_body(PG)}
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
  WHEN ({BADGE_SCAN}) EXECUTE FUNCTION kiosk_flag_revoked_badge();
REVOKE ALL ON FUNCTION kiosk_apply_events() FROM PUBLIC;
REVOKE ALL ON FUNCTION kiosk_flag_revoked_badge() FROM PUBLIC;
REVOKE ALL ON FUNCTION kiosk_stamp_receiver() FROM PUBLIC;
"""


def pg_rules(schema: str) -> str:
    """The rules with the centre's tables named with ``schema`` and the functions'
    ``search_path`` pinned to ``pg_catalog, pg_temp`` (:func:`db.sync.centre_sql.pg_qualified`):
    no door's table in pg_temp (migration 0011) nor overload in the schema (REVIEW B1) is used."""
    return pg_qualified(PG_RULES, schema)


# -- the register's guard (FINDINGS 33) ------------------------------------------------------
# The register is applied from events by the owner's rules; an admin keeps only its bookkeeping
# (who is expected: rows without a sign-in, pending <-> excused). A role that may not write
# signed_in_at (PostgreSQL: column privileges from grant-admin; MariaDB: a role recorded as an
# admin) can neither delete a row holding a sign-in nor give a row a sign-in's status. The
# owner's rules, which run as the owner, and the host (补签 and undo are its job) are not bound.
BOOKKEEPING = "('pending', 'excused')"


def pg_guard(schema: str) -> str:
    """The register's guard (it runs as whoever writes the register, the owner's rules too), its
    names resolved as :func:`pg_rules`'s."""
    return pg_qualified(f"""
CREATE OR REPLACE FUNCTION kiosk_guard_register() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $guard$
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
""", schema)


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
