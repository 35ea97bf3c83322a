"""Credits outside sessions (articles, self-study, training, study trips): the ``credit`` table.

A database made after this migration's model change already has it (``m0001`` creates the tables
from the current models), so it is created only where it is missing.
"""

from db.models import Credit


def apply(db, migrator) -> None:
    db.create_tables([Credit], safe=True)
