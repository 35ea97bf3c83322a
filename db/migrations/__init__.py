"""Numbered schema migrations, recorded in ``schema_version`` and applied idempotently.

Each module ``mNNNN_name.py`` defines ``apply(db, migrator)``. ``upgrade`` applies the ones not
yet recorded, each in its own transaction where the engine supports transactional DDL.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from inspect import getmodulename  # (Peewee imports inspect anyway; pkgutil would cost start-up)

import peewee

from db.models import SchemaVersion


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    module: str


def available() -> list[Migration]:
    """All migration modules in this package, in version order.

    The package's directory is listed the way ``pkgutil.iter_modules`` would (module files by
    their import suffixes), without importing pkgutil: every command checks the schema.
    """
    names: set[str] = set()
    for folder in __path__:
        try:
            names.update(filter(None, map(getmodulename, os.listdir(folder))))
        except OSError:
            continue
    found = [Migration(int(name[1:5]), name[6:], f"{__name__}.{name}")
             for name in names if name.startswith("m") and name[1:5].isdigit()]
    return sorted(found, key=lambda m: m.version)


def current_version(db: peewee.Database) -> int:
    table = SchemaVersion._meta.table_name
    if isinstance(db, peewee.SqliteDatabase):  # one statement (every command asks, at start-up)
        try:
            column = SchemaVersion.version.column_name
            return db.execute_sql(f'SELECT MAX("{column}") FROM "{table}"').fetchone()[0] or 0
        except peewee.OperationalError as exc:
            if "no such table" in str(exc):
                return 0
            raise
    if not db.table_exists(table):
        return 0
    return SchemaVersion.select(peewee.fn.MAX(SchemaVersion.version)).scalar() or 0


def schema_migrator(db: peewee.Database):
    """Peewee's migrator for ``db`` (imported here: only ``kiosk init`` needs it, not start-up)."""
    from playhouse.migrate import SchemaMigrator

    return SchemaMigrator.from_database(db)


def upgrade(db: peewee.Database) -> list[Migration]:
    """Apply every pending migration; returns the ones applied (empty when up to date)."""
    db.create_tables([SchemaVersion], safe=True)
    done = {row.version for row in SchemaVersion.select(SchemaVersion.version)}
    applied = []
    for migration in available():
        if migration.version in done:
            continue
        module = importlib.import_module(migration.module)
        with db.atomic():
            module.apply(db, schema_migrator(db))
            (SchemaVersion.insert(version=migration.version, name=migration.name)
             .on_conflict_ignore().execute())
        applied.append(migration)
    return applied


def is_current(db: peewee.Database) -> bool:
    versions = [m.version for m in available()]
    return current_version(db) >= (max(versions) if versions else 0)


def first_applied(db: peewee.Database):
    """When the first migration ran here, i.e. when ``kiosk init`` made this database (or None)."""
    first = SchemaVersion.select(peewee.fn.MIN(SchemaVersion.applied_at)).scalar(database=db)
    if isinstance(first, str):  # SQLite hands back the text it stored
        import datetime as dt

        first = dt.datetime.fromisoformat(first)
    return first
