"""A door's binding follows a rename, binds every door at the upgrade, judges a slow clock in
its own time (FINDINGS 34, 11, 31, 32; see :mod:`db.sync.door_binding`).

``kiosk_door`` gains ``behind_s`` (how far the door's clock was behind the centre's at its last
contact, at most 15 min) and ``renamed_from``; its ``latest_at`` is now in the centre's time. The
triggers of 0014 are made again; every door role that has delivered events or reported and is
not bound yet is bound to its latest kiosk id. SQLite homes: nothing to do.
"""

from db.sync.centre_guard_sql import install


def apply(db, migrator) -> None:
    install(db)
