"""Whether the centre's rules in the database are this release's (REVIEW M4).

``kiosk init`` made the centre's triggers and routines again on every run, so that a centre
upgraded by an earlier build of a release got the whole of them. On MariaDB each DDL statement
commits at once: a live centre had, for each init, moments without the stamp, the door's marks or
the apply. Now the digest of what would be made is kept in the owner's ``kiosk_rules_digest``,
and the rules are made again only when it differs (a new release changed them, or a migration
made them before the digest was kept); on MariaDB each trigger is then replaced in one statement
(:func:`db.sync.centre_mariadb.in_place`).
"""

from __future__ import annotations

import hashlib

import peewee as pw

TABLE = "kiosk_rules_digest"
PART = "rules"


def expected(db: pw.Database) -> str | None:
    """The digest of the rules this release makes on ``db`` (None on SQLite: no rules)."""
    from db.sync import centre_admin_guard, centre_guard_sql, centre_mariadb, centre_pg, centre_sql

    if isinstance(db, pw.PostgresqlDatabase):
        schema = db.execute_sql("SELECT current_schema()").fetchone()[0]
        parts = [centre_pg.pg_rules(schema), centre_pg.pg_guard(schema),
                 centre_guard_sql.pg_sql(schema), centre_pg.PG_BACKFILL,
                 centre_admin_guard.pg_sql(schema)]
    elif isinstance(db, pw.MySQLDatabase):
        parts = (centre_mariadb.MY_RULES + centre_mariadb.MY_GUARD + centre_guard_sql.MY_SQL
                 + [centre_mariadb.MY_BACKFILL] + centre_admin_guard.MY_SQL)
    else:
        return None
    parts.append(centre_sql.scrub_sql(isinstance(db, pw.MySQLDatabase)))
    return hashlib.sha256("\n;\n".join(parts).encode("utf-8")).hexdigest()


def stored(db: pw.Database) -> str | None:
    """The digest kept when the rules were last made (None: never, or unreadable)."""
    try:
        with db.atomic():
            row = db.execute_sql(f"SELECT digest FROM {TABLE} WHERE part = %s", (PART,)).fetchone()
    except (pw.ProgrammingError, pw.OperationalError, pw.InternalError):
        return None
    return row[0] if row else None


def keep(db: pw.Database, digest: str) -> None:
    """Record ``digest`` as the rules' (the owner's table, created when missing)."""
    db.execute_sql(f"CREATE TABLE IF NOT EXISTS {TABLE} (part varchar(32) PRIMARY KEY, "
                   "digest varchar(64) NOT NULL)")
    db.execute_sql(f"DELETE FROM {TABLE} WHERE part = %s", (PART,))
    db.execute_sql(f"INSERT INTO {TABLE} (part, digest) VALUES (%s, %s)", (PART, digest))
