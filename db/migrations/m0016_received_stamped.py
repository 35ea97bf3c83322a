"""The centre stamps every event's receive time with its own clock on MariaDB too (FINDINGS 2).

0014 kept a sent ``received_at`` of the centre's last five minutes on MariaDB, because 0013's
batch apply found a push's events by that time. Since 0015 the apply goes by the centre's own
markers and ignores any time it is given, so the door-bounds trigger is made again to stamp
always (:mod:`db.sync.centre_guard_sql`). PostgreSQL always stamped: its functions are made
again unchanged. SQLite homes: nothing to do.
"""

from db.sync.centre_guard_sql import install


def apply(db, migrator) -> None:
    install(db)
