"""What this home's credential for the centre is (FINDINGS 17): a door's, or more.

A centre keeps every event a door's credential delivers but applies only a door's own kinds
(scans' sign-ins and sign-outs): a leave, its withdrawal, a 补签 or an undo recorded on a door's
home would be confirmed here and never applied there. So each full round asks the centre's server
what this credential may do and remembers the answer in ``sync_state``; the home's leave, 补签 and
undo then refuse on a door's home, saying where to do them (kiosk.desk, kiosk.host_actions,
kiosk.lifecycle).

A door's credential is the one that may add events but not read the log: exactly what
``kiosk centre grant-door`` gives (a host, an admin and the owner all read it). Asked of the
server's own privilege checks (PostgreSQL: ``has_table_privilege``; MariaDB: a read of no rows,
refused or not), so it holds for a centre of any schema version.
"""

from __future__ import annotations

import peewee as pw

from db.sync.common import _engine, get_state, set_state

STATE_KEY = "centre.credential"
DOOR = "door"


def read_kind(central: pw.Database) -> str:
    """``door`` for a door's credential, "" for any other (a SQLite centre: its owner)."""
    engine = _engine(central)
    if engine == "postgresql":
        reads, adds = central.execute_sql(
            "SELECT has_table_privilege('sign_in_event', 'SELECT'), "
            "has_table_privilege('sign_in_event', 'INSERT')").fetchone()
        return DOOR if adds and not reads else ""
    if engine == "mysql":
        try:
            central.execute_sql("SELECT 1 FROM sign_in_event LIMIT 0").fetchall()
        except (pw.ProgrammingError, pw.OperationalError) as exc:
            if "denied" in str(exc).lower():
                return DOOR
            raise
    return ""


def remember(kind: str) -> None:
    """Record the round's answer in the local (bound) database."""
    if (get_state(STATE_KEY) or "") != kind:
        set_state(STATE_KEY, kind or None)


def door_home(db: pw.Database) -> bool:
    """``db`` is a home (embedded) whose last round found its credential a door's."""
    return isinstance(db, pw.SqliteDatabase) and get_state(STATE_KEY) == DOOR
