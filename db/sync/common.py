"""What every part of sync shares: limits, the watermark table, the engine probes, the centre's clock.

Two databases take part in a sync: the kiosk's *local* one, bound to the models' proxy (the kiosk
screen signs people in through it, on another thread, while a sync runs), and the *central* one, a
separate ``peewee.Database`` that every central query names explicitly (``.execute(central)``,
``central.atomic()``). Nothing in this package rebinds the models, so a sync can never send a
sign-in to the wrong database.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable

import peewee as pw

from db.models import BaseModel, Leave, SignInEvent, utcnow

PUSH_BATCH = 2000  # events per central transaction (and per local commit marking them)
SQL_ROWS = 1000  # rows per multi-row statement: 15,000 parameters at most
MARK_CHUNK = 5000  # ids per local UPDATE (SQLite allows 32,766 parameters, the servers 65,535)
PULL_OVERLAP = dt.timedelta(minutes=10)
PULLED_SETTINGS = ("badge_public_key",)  # a whitelist: nothing else travels to a kiosk
SIGN_IN_RESULTS = ("present", "late", "visitor")
BADGE_METHODS = ("qr", "camera")
REVOKED_FLAG = "revoked_badge_at_centre"
REQUIRED_CENTRAL_VERSION = 3  # m0003: global identities
RULES_MIGRATION = 8  # m0008: the register rules run inside a server centre (db.sync.centre_sql)
DATABASE_UID = "database_uid"  # setting: this database's own identity (m0003)
PROVISIONAL_KEY = "identity.provisional"  # sync_state: uids not yet taken from the centre (m0003)
MIRROR_KEY = "mirror.verified"  # sync_state: the centre and row counts last found mirrored
IN_CHUNK = 500

StatusOf = Callable[[dict, dt.datetime], str]
# what a push sends: every column but the centre's own stamp of who delivered it
PUSHED_FIELDS = [f for f in SignInEvent._meta.sorted_fields if f.name != "received_by"]
EVENT_COLUMNS = [f.column_name for f in PUSHED_FIELDS]
PG_TYPES = {"VARCHAR": "text", "TEXT": "text", "INT": "int", "BIGINT": "bigint",
            "DATETIME": "timestamp", "BOOL": "boolean"}
EVENT_PG_TYPES = [PG_TYPES[f.field_type] for f in PUSHED_FIELDS]
LEAVE_FIELDS = (Leave.session, Leave.staff, Leave.reason, Leave.recorded_at, Leave.recorded_by,
                Leave.event_id, Leave.uid, Leave.withdrawn_at, Leave.withdrawn_by)


class SyncState(BaseModel):
    """Watermarks of this database's pulls (``pull.staff`` …), ISO timestamps of the centre's rows."""

    key = pw.CharField(max_length=64, primary_key=True)
    value = pw.TextField()

    class Meta:
        table_name = "sync_state"


class CentralSchemaTooOld(RuntimeError):
    """The central database has not been upgraded to a schema that can take pushes."""


class CentralNotInitialised(CentralSchemaTooOld):
    """Nobody ever ran ``kiosk init`` on the centre (no schema at all, not an old one): the fix
    is the same command, but "too old" would send the admin looking for an earlier release."""


def get_state(key: str) -> str | None:
    """A ``sync_state`` value of the local (bound) database."""
    row = SyncState.get_or_none(SyncState.key == key)
    return row.value if row else None


def set_state(key: str, value: str | None) -> None:
    """Set (or, with None, remove) a ``sync_state`` value of the local database."""
    if value is None:
        SyncState.delete().where(SyncState.key == key).execute()
    elif not SyncState.update(value=value).where(SyncState.key == key).execute():
        SyncState.insert(key=key, value=value).execute()


def _chunks(items: list, size: int = IN_CHUNK) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]



def _engine(central: pw.Database) -> str:
    if isinstance(central, pw.PostgresqlDatabase):
        return "postgresql"
    if isinstance(central, pw.MySQLDatabase):
        return "mysql"
    return "sqlite"


def _pg_array(values: list, kind: str) -> str:
    """One column of a batch as a PostgreSQL array literal (``{"a","b\\"c",NULL}``), cast by the
    statement to ``kind[]``.

    Every element is double-quoted with ``\\`` and ``"`` escaped (the array syntax's only
    specials inside quotes), so any text round-trips; the literal itself travels as one ordinary
    bound parameter.
    """
    if kind in ("int", "bigint"):
        items = ["NULL" if v is None else str(int(v)) for v in values]
    elif kind == "timestamp":
        items = ["NULL" if v is None else f'"{v.isoformat(" ")}"' for v in values]
    elif kind == "boolean":
        items = ["NULL" if v is None else ("t" if v else "f") for v in values]
    else:
        items = ["NULL" if v is None else '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'
                 for v in values]
    return "{" + ",".join(items) + "}"


# -- the central side (explicit database) ----------------------------------------------------
class CentralPermissionDenied(RuntimeError):
    """The centre refused this role a right it needs (a grant is missing, not the schema)."""

    def __init__(self, table: str) -> None:
        super().__init__(f"permission denied for table {table}")
        self.table = table


PG_DENIED = re.compile(r'permission denied for (?:table|relation|view|sequence|schema|database) "?([\w.$]+)')
MY_DENIED = re.compile(r"command denied to user [^ ]+ for (?:column [`']?\w+[`']? in table |table "
                       r"|routine )[`']?(?:\w+[`']?\.[`']?)?(\w+)")
MY_DB_DENIED = re.compile(r"Access denied for user [^ ]+ to database '([^']+)'")


def denied_table(exc: BaseException) -> str | None:
    """The table a permission error names (PostgreSQL's 42501, MariaDB's 1142/1143/1044)."""
    text = str(exc)
    for pattern in (PG_DENIED, MY_DENIED):
        match = pattern.search(text)
        if match:
            return match.group(1)
    return None


def denied_database(exc: BaseException) -> str | None:
    """The database a refused connection names (MariaDB's 1044: no grant on that database)."""
    match = MY_DB_DENIED.search(str(exc))
    return match.group(1) if match else None


def central_version(central: pw.Database) -> int:
    """The centre's schema version; a missing table means too old, a refused read is a grant."""
    try:
        row = central.execute_sql("SELECT MAX(version) FROM schema_version").fetchone()
    except (pw.ProgrammingError, pw.OperationalError) as exc:
        table = denied_table(exc)
        if table:
            raise CentralPermissionDenied(table) from None
        if isinstance(exc, pw.OperationalError) and not _missing_table(central, exc):
            raise
        raise CentralNotInitialised() from None
    return int(row[0] or 0) if row else 0


def _missing_table(central: pw.Database, exc: BaseException) -> bool:
    """SQLite reports a missing table as an "operational" error: was it that?"""
    return isinstance(central, pw.SqliteDatabase) and "no such table" in str(exc)


def check_central(central: pw.Database) -> None:
    version = central_version(central)
    if version == 0:
        raise CentralNotInitialised()
    if version < REQUIRED_CENTRAL_VERSION:
        raise CentralSchemaTooOld()


def central_now(central: pw.Database) -> dt.datetime:
    """The centre's own clock (naive UTC): the ``received_at`` of a batch."""
    if isinstance(central, pw.PostgresqlDatabase):
        sql = "SELECT CAST(now() AT TIME ZONE 'UTC' AS timestamp)"
    elif isinstance(central, pw.MySQLDatabase):
        sql = "SELECT UTC_TIMESTAMP(6)"
    else:
        return utcnow()
    value = central.execute_sql(sql).fetchone()[0]
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=None)

