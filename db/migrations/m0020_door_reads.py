"""A door reads the register of the sessions near now and the leaves it may still use, through
two views with the owner's rights, never the whole history (FINDINGS 20; SPEC §13).

``recent_attendance`` and ``current_leave`` (see :mod:`db.sync.door_reads`). ``kiosk centre
grant-door`` then gives a door SELECT on them and revokes its SELECT on ``attendance`` and
``leave``: upgrade the doors first (a door of an older build reads the tables), then re-run the
grants. SQLite databases are homes with no roles: nothing to do.
"""

from db.sync.door_reads import install


def apply(db, migrator) -> None:
    install(db)
