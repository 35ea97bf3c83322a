"""The centre's public settings as a view a door may read (issue 16; SPEC §13).

``public_setting`` shows the badge verify key and the centre's identity, nothing else of
``setting`` (see :mod:`db.sync.public_setting`). It runs with its owner's rights: MariaDB, which has
no row-level security, then lets ``kiosk centre grant-door`` give a door SELECT on the view and
none on ``setting``. Re-run the grants after upgrading (``grant-door`` revokes the old SELECT).

SQLite databases are homes with no roles: nothing to do.
"""

import peewee as pw

from db.sync.public_setting import VIEW_SQL


def apply(db, migrator) -> None:
    if isinstance(db, pw.PostgresqlDatabase):
        statements = VIEW_SQL["postgresql"]
    elif isinstance(db, pw.MySQLDatabase):
        statements = VIEW_SQL["mysql"]
    else:
        return
    for sql in statements:
        db.execute_sql(sql)
