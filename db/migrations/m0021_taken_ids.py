"""A second door claiming a kiosk id another door holds is recorded at the centre, so `kiosk
fleet` flags the id ``duplicate_id`` (FINDINGS 26; see :mod:`db.sync.taken_ids`). Re-run
``kiosk centre grant-door`` on MariaDB (EXECUTE on the routine) and ``grant-host``/``grant-admin``
(SELECT on the table) after upgrading. SQLite databases are homes with no roles: nothing to do.
"""

from db.sync.taken_ids import install


def apply(db, migrator) -> None:
    install(db)
