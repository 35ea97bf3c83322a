"""PostgreSQL: the centre's owner-rights functions look up functions and operators in pg_catalog
only (REVIEW B1; CVE-2018-1058's pattern).

Their ``search_path`` was ``<schema>, pg_temp``: a role that may CREATE in the schema (PUBLIC on
``public`` up to PostgreSQL 14, and on clusters upgraded from one) could add a better-fitting
``left(varchar, integer)`` or ``=`` on ``varchar`` and have it run as the owner inside a trigger.
Now the path is ``pg_catalog, pg_temp`` and every centre table in the bodies is named with its
schema (:func:`db.sync.centre_sql.pg_qualified`); the functions are made again. ``kiosk centre
grant-*`` also takes CREATE on the schema away (see :mod:`db.sync.schema_acl`).

MariaDB (routines resolve names in their own database, which a door cannot create in) and SQLite
homes: nothing to do.
"""

import peewee as pw

from db.sync import centre_guard_sql
from db.sync.centre_pg import pg_guard, pg_rules


def apply(db, migrator) -> None:
    if isinstance(db, pw.PostgresqlDatabase):
        schema = db.execute_sql("SELECT current_schema()").fetchone()[0]
        db.execute_sql(pg_rules(schema))
        db.execute_sql(pg_guard(schema))
        centre_guard_sql.install(db)
