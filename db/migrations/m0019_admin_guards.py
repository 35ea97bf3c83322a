"""Nothing is deleted, and a host's or an admin's events keep the host view's rules (FINDINGS 35,
38; see :mod:`db.sync.centre_admin_guard`).

A session's register rows and leaves keep their session (``ON DELETE RESTRICT``, was
``CASCADE``): the server refuses removing a session that has any, whoever asks, instead of
taking its register along around the register's guard. A host's or an admin's sign-in, undo or
leave with no reason, under a door's kiosk id, or timed in the future is kept but not applied.
``kiosk init`` re-creates the trigger after the door's bounds.

SQLite homes keep their keys (a home's file is its owner's in any case); nothing else to do.
"""

from db.sync.centre_admin_guard import install, restrict_deletes


def apply(db, migrator) -> None:
    restrict_deletes(db)
    install(db)
