"""Which kiosk id a door role speaks for (``kiosk_door``), and how that binding moves.

The centre binds a door role to one kiosk id (:mod:`db.sync.centre_guard_sql`). A door is
renamed now and then — its generated ``<host>-<4 hex>`` id replaced by ``east-door`` on its
first day (FINDINGS 34) — so the binding moves with it, two ways:

- **By its install id.** Every fleet row carries the home's install id (``KIOSK_HOME/install-id``,
  migration 0010). A role bound to ``X`` whose fleet report comes with ``X``'s install id under a
  new id ``Y`` is moved to ``Y`` (``renamed_from`` = ``X``: the scans it queued under ``X`` still
  count). The centre's triggers do this; the door reports before it pushes, so its first
  pushed scans under ``Y`` already count.
- **By the owner**: :func:`rebind` (``kiosk centre rebind ROLE KIOSK_ID``), for a door of an older
  build (no install id), a moved disk, or moving a rename back.

A copy of a door's disk holds both its credential and its install id, so the copy may rename
the door: it then takes the binding, and the real door's next report under the old id is refused
("renamed by a home holding this door credential …"): the real door says so on its status line,
and the owner revokes the role. The copy could already act as the door under its own id; a
rename gives it no more than that.

:func:`backfill` binds, at the upgrade (and each ``kiosk init``), every door role that has
delivered events or reported and is not bound yet, to its latest kiosk id, with the watermark at
its latest event or contact (FINDINGS 31): no door role is left to bind itself at a time of its
own choosing.
"""

from __future__ import annotations

import peewee as pw

from db.sync.centre_guard_sql import BEHIND_LIMIT_SECONDS, DOOR_TABLE, unmarked
from db.sync.centre_sql import FUTURE_SLACK_MINUTES, ROLE_TABLE


class NotADoor(Exception):
    """The role was never granted a door's rights here (``kiosk centre grant-door``)."""


class HeldByAnother(Exception):
    """The kiosk id is bound to another door role (``.role``)."""

    def __init__(self, role: str) -> None:
        super().__init__(role)
        self.role = role


def _latest_id_sql(mysql: bool) -> str:
    """SELECT role, kiosk_id, latest_at, behind_s of unbound door roles, one row each."""
    if mysql:
        who_f, who_e = "SUBSTRING_INDEX(f.`db_user`, '@', 1)", "SUBSTRING_INDEX(e.`received_by`, '@', 1)"
        now, q, live = "UTC_TIMESTAMP(6)", "`", ""
        behind = "TIMESTAMPDIFF(SECOND, f.`door_time`, f.`last_seen`)"
        ahead = f"{now} + INTERVAL {FUTURE_SLACK_MINUTES} MINUTE"
    else:
        who_f, who_e = "f.db_user", "e.received_by"
        now, q = "(now() AT TIME ZONE 'utc')", ""
        live = " AND EXISTS (SELECT 1 FROM pg_roles p WHERE p.rolname = r.role)"
        behind = "EXTRACT(EPOCH FROM (f.last_seen - f.door_time))"
        ahead = f"{now} + interval '{FUTURE_SLACK_MINUTES} minutes'"
    fleet = f"FROM kiosk_fleet f WHERE {who_f} = r.{q}role{q} ORDER BY f.last_seen DESC LIMIT 1"
    events = (f"FROM sign_in_event e WHERE {who_e} = r.{q}role{q} AND e.received_at IS NOT NULL "
              "ORDER BY e.received_at DESC LIMIT 1")
    return f"""
SELECT x.door_role,
       CASE WHEN x.fleet_id IS NOT NULL AND (x.event_id IS NULL OR x.seen >= x.received)
            THEN x.fleet_id ELSE x.event_id END AS kiosk_id,
       LEAST(GREATEST(COALESCE(x.latest_event, x.seen), COALESCE(x.seen, x.latest_event)),
             {now}) AS latest_at,
       LEAST({BEHIND_LIMIT_SECONDS}, GREATEST(0, ROUND(COALESCE(x.behind, 0)))) AS behind_s
FROM (SELECT r.{q}role{q} AS door_role,
             (SELECT f.kiosk_id {fleet}) AS fleet_id,
             (SELECT f.last_seen {fleet}) AS seen,
             (SELECT {behind} {fleet}) AS behind,
             (SELECT e.kiosk_id {events}) AS event_id,
             (SELECT e.received_at {events}) AS received,
             (SELECT max(e.at) FROM sign_in_event e WHERE {who_e} = r.{q}role{q}
                AND {unmarked("e.note")} AND e.at <= {ahead}) AS latest_event
      FROM {q}{ROLE_TABLE}{q} r
      WHERE r.kind = 'door'{live}
        AND NOT EXISTS (SELECT 1 FROM {q}{DOOR_TABLE}{q} d WHERE d.{q}role{q} = r.{q}role{q})) x
WHERE x.fleet_id IS NOT NULL OR x.event_id IS NOT NULL
"""


def backfill(db: pw.Database) -> None:
    """Bind every unbound door role that has delivered events or reported (see the module)."""
    mysql = isinstance(db, pw.MySQLDatabase)
    q = "`" if mysql else ""
    columns = f"({q}role{q}, kiosk_id, latest_at, behind_s, bound_at)"
    now = "UTC_TIMESTAMP(6)" if mysql else "(now() AT TIME ZONE 'utc')"
    sql = (f"INSERT {'IGNORE ' if mysql else ''}INTO {DOOR_TABLE} {columns} "
           f"SELECT b.*, {now} FROM ({_latest_id_sql(mysql)}) b")
    if not mysql:
        sql += " ON CONFLICT DO NOTHING"
    db.execute_sql(sql.replace("%", "%%"))


def rebind(db: pw.Database, role: str, kiosk_id: str) -> str | None:
    """Bind door ``role`` to ``kiosk_id`` (the owner's command); returns the id it was bound to.
    A binding of that id to a role that no longer exists (PostgreSQL) is released first."""
    mysql = isinstance(db, pw.MySQLDatabase)
    name = role.partition("@")[0] if mysql else role
    q = "`" if mysql else '"'
    now = "UTC_TIMESTAMP(6)" if mysql else "(now() AT TIME ZONE 'utc')"
    with db.atomic():
        kind = db.execute_sql(f"SELECT kind FROM {q}{ROLE_TABLE}{q} WHERE {q}role{q} = %s",
                              (name,)).fetchone()
        if not kind or kind[0] != "door":
            raise NotADoor(role)
        rows = db.execute_sql(f"SELECT {q}role{q}, kiosk_id FROM {q}{DOOR_TABLE}{q} "
                              f"WHERE {q}role{q} = %s OR kiosk_id = %s", (name, kiosk_id)).fetchall()
        old = next((k for r, k in rows if r == name), None)
        for other, _ in rows:
            if other != name and _alive(db, other):
                raise HeldByAnother(other)
        db.execute_sql(f"DELETE FROM {q}{DOOR_TABLE}{q} WHERE kiosk_id = %s AND {q}role{q} <> %s",
                       (kiosk_id, name))
        if old is None:
            db.execute_sql(f"INSERT INTO {q}{DOOR_TABLE}{q} ({q}role{q}, kiosk_id, latest_at, "
                           f"bound_at, behind_s) VALUES (%s, %s, {now}, {now}, 0)", (name, kiosk_id))
        elif old != kiosk_id:
            db.execute_sql(f"UPDATE {q}{DOOR_TABLE}{q} SET kiosk_id = %s, renamed_from = %s "
                           f"WHERE {q}role{q} = %s", (kiosk_id, old, name))
    return old


def _alive(db: pw.Database, role: str) -> bool:
    if isinstance(db, pw.MySQLDatabase):
        return True  # (MariaDB: the owner deletes a dropped account's binding, README)
    return bool(db.execute_sql("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone())
