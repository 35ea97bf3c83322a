"""Numbered schema migrations, recorded in ``schema_version`` and applied idempotently.

Each module ``mNNNN_name.py`` defines ``apply(db, migrator)``. ``upgrade`` applies the ones not
yet recorded, each in its own transaction where the engine supports transactional DDL.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass

import peewee

from db.models import SchemaVersion


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    module: str


def available() -> list[Migration]:
    """All migration modules in this package, in version order."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("m") and info.name[1:5].isdigit():
            found.append(Migration(int(info.name[1:5]), info.name[6:], f"{__name__}.{info.name}"))
    return sorted(found, key=lambda m: m.version)


def current_version(db: peewee.Database) -> int:
    if not db.table_exists(SchemaVersion._meta.table_name):
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
