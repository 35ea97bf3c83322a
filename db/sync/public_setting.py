"""The centre's public settings — the badge verify key and the centre's identity — and no others.

``setting`` holds more than a door needs: the 第N期 numbers of issued bulletins, the demo mark,
and whatever an admin keeps there later. A door reads only the rows below, through the view
``public_setting`` (migration 0012), which runs with its owner's rights: MariaDB has no row-level
security, so a door role gets SELECT on the view and none on ``setting`` (``kiosk centre
grant-door``). PostgreSQL's view is a ``security_barrier`` (a door's own function in a WHERE
cannot see the rows the view leaves out); there the door's SELECT on ``setting`` stays for doors
of an older build, row-level security showing it the same rows as the view.

A centre before 0012 (or a SQLite database) has no view: the table is read, as before.
"""

from __future__ import annotations

import peewee as pw

from db.models import Setting
from db.sync.common import _engine

VIEW = "public_setting"
VIEW_MIGRATION = 12
# the rows a door may read: kiosks verify badges with the key and check the centre they mirror
PUBLIC_SETTINGS = ("badge_public_key", "database_uid")


def _keys_sql() -> str:
    return ", ".join(f"'{key}'" for key in PUBLIC_SETTINGS)


VIEW_SQL = {
    "postgresql": [
        f"CREATE OR REPLACE VIEW {VIEW} WITH (security_barrier = true) AS "
        f"SELECT key, value FROM setting WHERE key IN ({_keys_sql()})",
        f"REVOKE ALL ON {VIEW} FROM PUBLIC",
    ],
    "mysql": [
        f"CREATE OR REPLACE DEFINER = CURRENT_USER SQL SECURITY DEFINER VIEW `{VIEW}` AS "
        f"SELECT `key`, `value` FROM `setting` WHERE `key` IN ({_keys_sql()})",
    ],
}


def has_view(central: pw.Database) -> bool:
    """The centre publishes its public settings through the view (a server at 0012+)."""
    if _engine(central) == "sqlite":
        return False
    return central.execute_sql(f"SELECT 1 FROM schema_version WHERE version = {VIEW_MIGRATION}"
                               ).fetchone() is not None


def read_public(central: pw.Database, keys: tuple[str, ...]) -> dict[str, str]:
    """{key: value} of these public settings at the centre (a key it lacks is left out)."""
    wanted = [k for k in keys if k in PUBLIC_SETTINGS]
    if not wanted:
        return {}
    if not has_view(central):
        return dict(Setting.select(Setting.key, Setting.value).where(Setting.key.in_(wanted))
                    .tuples().execute(central))
    left, right = central.quote[0], central.quote[1]
    marks = ", ".join([central.param] * len(wanted))
    rows = central.execute_sql(f"SELECT {left}key{right}, {left}value{right} FROM {VIEW} "
                               f"WHERE {left}key{right} IN ({marks})", wanted).fetchall()
    return {key: value for key, value in rows}
