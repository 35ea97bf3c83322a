"""Work cards: ``staff.card``, the card's 32-bit number, and its index (a scan looks it up).

As in ``m0002``: a database made after the model change already has the column (``m0001``
creates the tables from the current models), so it is added only where it is missing. The index
is not unique: a card is unique among *active* staff only, which ``db.cards`` checks.
"""

import peewee as pw
from playhouse.migrate import migrate

from db.models import Staff


def apply(db, migrator) -> None:
    table = Staff._meta.table_name
    if "card" not in {c.name for c in db.get_columns(table)}:
        migrate(migrator.add_column(table, "card", pw.BigIntegerField(null=True)))
    if not any(index.columns == ["card"] for index in db.get_indexes(table)):
        migrate(migrator.add_index(table, ("card",), False))
