"""Sync: the ``sync_state`` watermarks table and ``sign_in_event.badge_version``.

A database made after this migration's model change already has the column (``m0001`` creates
the tables from the current models), so the column is added only where it is missing: a fresh
database and an upgraded one end up with the same columns.
"""

import peewee as pw
from playhouse.migrate import migrate

from db.models import SignInEvent
from db.sync import SyncState


def apply(db, migrator) -> None:
    db.create_tables([SyncState], safe=True)
    table = SignInEvent._meta.table_name
    columns = {c.name for c in db.get_columns(table)}
    if "badge_version" not in columns:
        migrate(migrator.add_column(table, "badge_version", pw.IntegerField(null=True)))
    if isinstance(db, pw.PostgresqlDatabase):
        # a register row is written twice (pending, then signed in): room on its page lets
        # PostgreSQL update it in place (HOT) without touching the table's four indexes
        db.execute_sql("ALTER TABLE attendance SET (fillfactor = 70)")
