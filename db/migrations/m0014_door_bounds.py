"""A door's bounds at the centre (FINDINGS 1, 2, 4; see db.sync.centre_guard_sql).

The centre stamps ``received_at``/``pushed_at`` of every event and ``last_seen`` of every fleet
row with its own clock; a door role speaks for one kiosk id and keeps one fleet row; a door's
sign-in or sign-out out of the door's own order, or for a session that ended long before it
arrives, is kept but not applied. ``kiosk init`` re-creates the triggers on a centre already at
0014 (after 0011's, whose order they follow).

SQLite databases are homes (no roles there): nothing to do.
"""

from db.sync.centre_guard_sql import install


def apply(db, migrator) -> None:
    install(db)
