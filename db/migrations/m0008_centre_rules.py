"""The centre's register rules inside the database (PostgreSQL and MariaDB; see db.sync.centre_sql).

Created on the server engines only: a SQLite database is a kiosk's own home (or a test centre),
where the rules stay in Python. Pushing to a centre with this migration is an INSERT of events
and nothing else, so a door's credential needs no right to write the register (SPEC §13).
"""

import peewee as pw

from db.sync.centre_sql import MY_RULES, PG_RULES


def apply(db, migrator) -> None:
    if isinstance(db, pw.PostgresqlDatabase):
        db.execute_sql(PG_RULES)
    elif isinstance(db, pw.MySQLDatabase):
        for statement in MY_RULES:
            db.execute_sql(statement)
