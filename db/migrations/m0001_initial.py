"""The initial schema: roster, sessions and audiences, the register, the event log, leaves."""

from db.models import ALL_MODELS


def apply(db, migrator) -> None:
    db.create_tables(ALL_MODELS, safe=True)
