"""Life cycle without deletion: a session can be cancelled (with a reason), a leave withdrawn.

``study_session.cancelled_at``/``cancel_reason`` and ``leave.withdrawn_at``/``withdrawn_by``.
A database created after the model change already has them (``m0001`` creates the tables from the
current models), so each column is added only where it is missing.

Every column is added with a plain ``ALTER TABLE … ADD COLUMN`` (nullable, or ``NOT NULL DEFAULT
''``), never through Peewee's ``add_not_null``: on SQLite that rebuilds the table, and dropping
the old ``study_session`` would cascade-delete every attendance row and leave.
"""

import peewee as pw
from playhouse.migrate import migrate

from db.models import Leave, StudySession

NULLABLE = ((StudySession, "cancelled_at"), (Leave, "withdrawn_at"))
TEXT = ((StudySession, "cancel_reason", 500), (Leave, "withdrawn_by", 64))


def apply(db, migrator) -> None:
    for model, name in NULLABLE:
        table = model._meta.table_name
        if name not in {c.name for c in db.get_columns(table)}:
            migrate(migrator.add_column(table, name, pw.DateTimeField(null=True)))
    left, right = db.quote[0], db.quote[1]
    for model, name, size in TEXT:
        table = model._meta.table_name
        if name not in {c.name for c in db.get_columns(table)}:
            db.execute_sql(f"ALTER TABLE {left}{table}{right} ADD COLUMN {left}{name}{right} "
                           f"VARCHAR({size}) NOT NULL DEFAULT ''")
