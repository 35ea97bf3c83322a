"""A pushed event is applied once, at its arrival, on a MariaDB centre (FINDINGS 25).

0013's ``kiosk_apply_pushed(ids, received_at)`` applied the events of those ids that the calling
account had delivered at that ``received_at`` — both the caller's to say, so a door could call it
again with its old ids and time and re-apply an old sign-in over a host's undo. Now the row
trigger of a batching session leaves a marker per event in the owner's table ``kiosk_pending``
(event, connection, the centre's clock) and the procedure applies only the named events marked by
its own connection in the last minutes, deleting the markers as it goes; the time argument is
ignored (kept for doors that pass it). See :mod:`db.sync.centre_mariadb`.

Only the table, the procedure and the ``AFTER INSERT`` trigger are made again: the ``BEFORE
INSERT`` triggers keep their order. PostgreSQL applies what each INSERT statement inserted, in
its statement trigger: nothing to change. SQLite homes: nothing to do.
"""

import peewee as pw

from db.sync.centre_mariadb import MY_APPLY_ONCE, run


def apply(db, migrator) -> None:
    if isinstance(db, pw.MySQLDatabase):
        run(db, MY_APPLY_ONCE)
