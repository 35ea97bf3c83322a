"""The centre's rules applied once per pushed batch on MariaDB, not once per event (issue 16).

MariaDB has no statement triggers, so 0008's rules ran per inserted row (4.4× a bare insert of
10,000 events). Now (see :mod:`db.sync.centre_mariadb`): a door's push says it applies its batch,
inserts it, and calls ``kiosk_apply_pushed(ids, received_at)``, a ``SQL SECURITY DEFINER``
procedure that applies that batch set-wise with the owner's rights; an insert that does not say so
(a door not yet upgraded) is still applied row by row. The accounts that may already add events
(door, host and admin grants before this release) are given ``EXECUTE`` on the procedure; ``kiosk
centre grant-*`` gives it from now on. The register's guard triggers (0011) are made again: the
same checks, the roles looked up only when needed. Needs MariaDB 10.6 or later (10.5 ended in
2025).

PostgreSQL: the same rules, now written once for both servers (``db.sync.centre_sql``), made
again.

Idempotent, like 0011 (``kiosk init`` re-applies the rules). SQLite homes: nothing to do.
"""

import peewee as pw

from db.sync.centre_mariadb import MY_GUARD, MY_RULES, grant_existing, run
from db.sync.centre_pg import pg_rules


def apply(db, migrator) -> None:
    if isinstance(db, pw.PostgresqlDatabase):
        schema = db.execute_sql("SELECT current_schema()").fetchone()[0]
        db.execute_sql(pg_rules(schema))
    elif isinstance(db, pw.MySQLDatabase):
        run(db, MY_RULES + MY_GUARD)
        grant_existing(db)
