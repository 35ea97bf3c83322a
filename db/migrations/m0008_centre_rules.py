"""The centre's register rules inside the database (PostgreSQL and MariaDB; see db.sync.centre_sql).

The rules are created on the server engines only: a SQLite database is a kiosk's own home (or a test centre),
where the rules stay in Python. Pushing to a centre with this migration is an INSERT of events
and nothing else, so a door's credential needs no right to write the register (SPEC §13).
"""

import peewee as pw
from playhouse.migrate import migrate

from db.sync.centre_mariadb import MY_RULES, run
from db.sync.centre_pg import PG_RULES


def apply(db, migrator) -> None:
    # who delivered each event (stamped by the centre's trigger): a column on every engine, so
    # a home and a centre share one schema; added only where missing (m0001 makes it on new ones)
    if "received_by" not in {c.name for c in db.get_columns("sign_in_event")}:
        migrate(migrator.add_column("sign_in_event", "received_by",
                                    pw.CharField(max_length=128, null=True)))
    if isinstance(db, pw.PostgresqlDatabase):
        db.execute_sql(PG_RULES)
    elif isinstance(db, pw.MySQLDatabase):
        run(db, MY_RULES)
