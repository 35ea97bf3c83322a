"""The server drivers are imported when a server database is made, not when Peewee is.

Peewee imports every driver it knows when it is itself imported: psycopg2 (~10 ms) and PyMySQL
(~20 ms, cryptography with it) on every start of every command, though a door or an admin's PC
on its SQLite home never opens either (bench/scans.py, bench/startup.py). :func:`import_peewee`
imports Peewee with the drivers held back, so it finds none; :func:`load` (called by
``db.database.make_database`` for a PostgreSQL or MySQL/MariaDB URL) imports the engine's driver
and binds it into Peewee the way Peewee's own import does, so ``PostgresqlDatabase`` and
``MySQLDatabase`` work as before. A driver already imported when Peewee is (a script that
imported psycopg2 first) is left alone and found by Peewee as usual.
"""

from __future__ import annotations

import sys

# what Peewee tries to import, per engine (peewee.py's module head, 3.x-4.x)
DRIVERS = {"postgresql": ("psycopg2cffi", "psycopg2", "psycopg"), "mysql": ("pymysql", "MySQLdb")}


def import_peewee() -> None:
    """Import Peewee without its drivers (done once, before Peewee's first import: db/__init__)."""
    if "peewee" in sys.modules:
        return
    held = [name for names in DRIVERS.values() for name in names if name not in sys.modules]
    for name in held:
        sys.modules[name] = None  # type: ignore[assignment]  # "import name" → ImportError
    try:
        import peewee  # noqa: F401
    finally:
        for name in held:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]


def load(engine: str) -> None:
    """Import ``engine``'s driver (``postgresql`` or ``mysql``) and bind it into Peewee.

    A driver that is not installed stays unbound: Peewee then says so when connecting, as it
    would have. Binding twice does nothing.
    """
    import peewee

    if engine == "postgresql":
        _bind_postgresql(peewee)
    elif engine == "mysql" and getattr(peewee, "mysql", False) is None:
        try:
            import pymysql as mysql
        except ImportError:
            try:
                import MySQLdb as mysql
            except ImportError:
                return
        peewee.mysql = mysql


def _bind_postgresql(peewee) -> None:
    """What Peewee's import does for psycopg2 (and psycopg 3), done now."""
    if getattr(peewee, "psycopg2", False) is not None or getattr(peewee, "psycopg", False) is not None:
        return  # bound already, or a Peewee that imports its drivers itself
    try:
        from psycopg2cffi import compat
    except ImportError:
        pass
    else:
        compat.register()
    try:
        import psycopg2
        from psycopg2 import extensions
        from psycopg2.extras import Json, register_uuid
    except ImportError:
        pass
    else:
        register_uuid()
        peewee.psycopg2, peewee.pg_extensions = psycopg2, extensions
        peewee.pg_register_uuid, peewee.Json_pg2 = register_uuid, Json
        adapter = peewee.Psycopg2Adapter
        adapter.txn_idle = extensions.TRANSACTION_STATUS_IDLE
        adapter.txn_inerror = extensions.TRANSACTION_STATUS_INERROR
        adapter.txn_unknown = extensions.TRANSACTION_STATUS_UNKNOWN
    try:
        import psycopg
        from psycopg.pq import TransactionStatus
        from psycopg.types.json import Json as Json3
        from psycopg.types.json import Jsonb as Jsonb3
    except ImportError:
        return
    peewee.psycopg, peewee.TransactionStatus = psycopg, TransactionStatus
    peewee.Json_pg3, peewee.Jsonb_pg3 = Json3, Jsonb3
    adapter = peewee.Psycopg3Adapter
    adapter.txn_idle = TransactionStatus.IDLE
    adapter.txn_inerror = TransactionStatus.INERROR
    adapter.txn_unknown = TransactionStatus.UNKNOWN
