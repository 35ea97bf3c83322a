"""The centre's rules hardened (FINDINGS 36, 19, 26): pinned search path, door kinds, no signature.

- PostgreSQL: the ``SECURITY DEFINER`` functions get ``search_path = <schema>, pg_temp`` (they had
  the creator's ``"$user", public``, where PostgreSQL searches the caller's temporary schema first:
  a door could shadow ``study_session`` with a temp table and have its own plan applied).
- ``kiosk_role`` records which role was granted what (``kiosk centre grant-*``). An event delivered
  by a door role of a kind a door never produces (a leave, an undo, a withdrawal, a revocation, a
  sign-in not made by a scan) is kept in the log, its note starting ``not_applied_door_role``, and
  changes nothing. Door roles granted before are recorded from their privileges (events but no
  leaves); re-running the grants after the upgrade records every role.
- Every event arriving at a server centre has its ``input`` and ``note`` cut to
  ``SK1.<staff_id>.<version>`` by the same trigger, whatever build the door runs; events an old
  door pushed before are scrubbed the same way (one UPDATE).
- A door role's sign-in timed more than 15 minutes ahead of the centre's clock, or outside its
  session's window, is kept but not applied, like the host's kinds.

- The register's guard: an admin role keeps who is expected, never a sign-in (FINDINGS 33; see
  ``db.sync.centre_pg.pg_guard`` / ``db.sync.centre_mariadb.MY_GUARD``; grant-admin then grants
  column rights).

Idempotent: ``kiosk init`` runs :func:`apply` again on a server centre already at 0011, so a
centre upgraded by an earlier build of this release gets the whole of it.

SQLite databases are homes (the rules stay in Python there): nothing to do.
"""

import peewee as pw

from db.sync.centre_mariadb import MY_BACKFILL, MY_GUARD, MY_RULES, run
from db.sync.centre_pg import PG_BACKFILL, pg_guard, pg_rules
from db.sync.centre_sql import ROLE_TABLE_SQL, scrub_sql


def apply(db, migrator) -> None:
    if isinstance(db, pw.PostgresqlDatabase):
        db.execute_sql(ROLE_TABLE_SQL["postgresql"])
        schema = db.execute_sql("SELECT current_schema()").fetchone()[0]
        db.execute_sql(pg_rules(schema))
        db.execute_sql(pg_guard(schema))
    elif isinstance(db, pw.MySQLDatabase):
        db.execute_sql(ROLE_TABLE_SQL["mysql"])
        run(db, MY_RULES + MY_GUARD)
    refresh_data(db)


def refresh_data(db) -> None:
    """The data parts (no trigger touched: ``kiosk init`` runs them on every init of a centre at
    0011): signatures an old door pushed cut, door roles granted before 0011 recorded."""
    if isinstance(db, pw.PostgresqlDatabase):
        db.execute_sql(scrub_sql(mariadb=False))
        db.execute_sql(PG_BACKFILL)
    elif isinstance(db, pw.MySQLDatabase):
        db.execute_sql(scrub_sql(mariadb=True))
        try:  # an owner that may not read the grant tables: grant-door records its doors
            with db.atomic():
                db.execute_sql(MY_BACKFILL)
        except (pw.ProgrammingError, pw.OperationalError, pw.InternalError):
            pass
