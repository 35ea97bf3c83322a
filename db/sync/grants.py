"""The centre's roles (SPEC §13): what a door, a host and an admin may do, granted by the owner.

- **door** — read the roster, plan, leaves, credits, today's register and the public badge key;
  INSERT events (never change or delete one); keep its own fleet row. The register follows by
  itself (migration 0008's rules run with the owner's rights), so a stolen door's credential
  can add events — flagged by the kiosk id they carry — and nothing else. The grant records the
  role as a door (``kiosk_role``): its events of a host's kinds are kept, never applied (0011).
- **host** — what the host view needs at the centre: read everything, record leaves, manual
  sign-ins and undos (register and leave rows, events appended).
- **admin** — keep the roster, plan, leaves, credits and settings (no DDL, which stays with the
  owner, and still no change to an event).

Each grant is idempotent (GRANT twice is one grant; policies and triggers are replaced) and
returns what it granted, one line each. PostgreSQL: privileges, plus row-level security on
``setting`` (a door sees only the public key and the centre's identity) and ``kiosk_fleet`` (a
door sees and writes only the rows it wrote, ``db_user = current_user``). MariaDB has no row-level
security: privileges, plus a trigger that stamps each fleet row with its writer and refuses an
update of another writer's row.
"""

from __future__ import annotations

import peewee as pw

from db.sync.centre_sql import ROLE_TABLE
from db.sync.common import _engine

READ = ["department", "staff", "staff_group", "study_session", "session_audience", "leave",
        "credit", "setting", "schema_version", "attendance"]
FLEET = "kiosk_fleet"
EVENTS = "sign_in_event"
PUBLIC_SETTINGS = ("badge_public_key", "database_uid")
ROLES = ("door", "host", "admin")
ALL_TABLES = READ + [EVENTS, FLEET]
HOST_WRITES = {"attendance": "INSERT, UPDATE, DELETE", "leave": "INSERT, UPDATE",
               EVENTS: "INSERT"}
ADMIN_WRITES = {t: "INSERT, UPDATE, DELETE" for t in READ
                if t not in ("schema_version", "attendance")}
ADMIN_WRITES[EVENTS] = "INSERT"
# the register's bookkeeping only (who is expected; pending/excused): never a sign-in, which the
# centre's rules apply from events (FINDINGS 33; the guard trigger of migration 0011 checks
# the status and deletions). The table-wide rights an older grant gave are taken back first
# (granted, then revoked: a REVOKE of a right never given fails on MariaDB).
ADMIN_REGISTER_INSERT = "session_id, staff_id, expected, status, early_leave"
ADMIN_REGISTER_UPDATE = "expected, status"


class UnknownRole(ValueError):
    """The role (PostgreSQL) or account (MariaDB) does not exist on the server."""


def grant(db: pw.Database, kind: str, role: str) -> list[str]:
    """Grant ``kind`` (door/host/admin) to ``role``; the statements run (credential-free)."""
    if kind not in ROLES:
        raise ValueError(kind)
    engine = _engine(db)
    if engine == "postgresql":
        statements = _pg_statements(db, kind, role)
    elif engine == "mysql":
        statements = _my_statements(db, kind, role)
    else:
        raise NotImplementedError("a SQLite database has no roles")
    with db.atomic():
        for sql in statements:
            # no parameters, but PyMySQL still %-formats: an account's host '%' must be doubled
            db.execute_sql(sql.replace("%", "%%") if engine == "mysql" else sql)
    return statements


def _pg_statements(db: pw.Database, kind: str, role: str) -> list[str]:
    if db.execute_sql("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone() is None:
        raise UnknownRole(role)
    who = _pg_ident(role)
    name, schema = db.execute_sql("SELECT current_database(), current_schema()").fetchone()
    out = [f"GRANT CONNECT ON DATABASE {_pg_ident(name)} TO {who}",
           f"GRANT USAGE ON SCHEMA {_pg_ident(schema)} TO {who}",
           f"GRANT SELECT ON {', '.join(READ)} TO {who}"]
    out.append(f"INSERT INTO {ROLE_TABLE} (role, kind) VALUES ({_pg_text(role)}, '{kind}') "
               "ON CONFLICT (role) DO UPDATE SET kind = excluded.kind")
    if kind == "door":
        out += [f"GRANT INSERT ON {EVENTS} TO {who}",
                f"GRANT SELECT, INSERT, UPDATE ON {FLEET} TO {who}"]
        rows = "key IN (" + ", ".join(f"'{k}'" for k in PUBLIC_SETTINGS) + ")"
        mine = "db_user = current_user"
        out += _pg_policy("setting", role, "SELECT", rows)
        out += _pg_policy(FLEET, role, "ALL", mine, check=mine)
        return out
    writes = HOST_WRITES if kind == "host" else ADMIN_WRITES
    out += [f"GRANT {rights} ON {table} TO {who}" for table, rights in writes.items()]
    if kind == "admin":
        out += _register_bookkeeping("attendance", who)
    out += [f"GRANT SELECT ON {EVENTS}, {FLEET} TO {who}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {_pg_ident(schema)} TO {who}"]
    out += _pg_policy("setting", role, "ALL", "true", check="true")
    out += _pg_policy(FLEET, role, "SELECT", "true")
    return out


def _pg_policy(table: str, role: str, command: str, using: str, check: str | None = None) -> list[str]:
    """A row-level policy of ``role`` on ``table`` (replaced if there), with RLS switched on."""
    name = _pg_ident(f"kiosk_{role}"[:63])
    with_check = f" WITH CHECK ({check})" if check else ""
    return [f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
            f"DROP POLICY IF EXISTS {name} ON {table}",
            f"CREATE POLICY {name} ON {table} FOR {command} TO {_pg_ident(role)} "
            f"USING ({using}){with_check}"]


def _register_bookkeeping(table: str, who: str) -> list[str]:
    """An admin's rights on the register: expected rows, never a sign-in (see above)."""
    return [f"GRANT INSERT, UPDATE ON {table} TO {who}",
            f"REVOKE INSERT, UPDATE ON {table} FROM {who}",
            f"GRANT INSERT ({ADMIN_REGISTER_INSERT}), UPDATE ({ADMIN_REGISTER_UPDATE}), DELETE "
            f"ON {table} TO {who}"]


def _pg_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _pg_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _my_statements(db: pw.Database, kind: str, role: str) -> list[str]:
    accounts = _my_accounts(db, role)
    schema = db.execute_sql("SELECT DATABASE()").fetchone()[0]
    # the kind the centre's trigger reads (by user name: USER() names the client's host)
    out = [f"INSERT INTO `{ROLE_TABLE}` (`role`, `kind`) VALUES ('{_my_text(role.partition('@')[0])}', "
           f"'{kind}') ON DUPLICATE KEY UPDATE `kind` = VALUES(`kind`)"]
    for who in accounts:
        out += [f"GRANT SELECT ON `{schema}`.`{table}` TO {who}" for table in READ]
        if kind == "door":
            out += [f"GRANT INSERT ON `{schema}`.`{EVENTS}` TO {who}",
                    f"GRANT SELECT, INSERT, UPDATE ON `{schema}`.`{FLEET}` TO {who}"]
            continue
        writes = HOST_WRITES if kind == "host" else ADMIN_WRITES
        out += [f"GRANT {rights} ON `{schema}`.`{table}` TO {who}" for table, rights in writes.items()]
        if kind == "admin":
            out += _register_bookkeeping(f"`{schema}`.`attendance`", who)
        out += [f"GRANT SELECT ON `{schema}`.`{table}` TO {who}" for table in (EVENTS, FLEET)]
    if kind == "door":
        out += MY_FLEET_GUARD
    return out


def _my_accounts(db: pw.Database, role: str) -> list[str]:
    """``'user'@'host'`` for ``user@host``, else every account (or role) named ``role``."""
    user, _, host = role.partition("@")
    query = "SELECT User, Host FROM mysql.user WHERE User = %s" + (" AND Host = %s" if host else "")
    rows = db.execute_sql(query, (user, host) if host else (user,)).fetchall()
    if not rows:
        raise UnknownRole(role)
    return [f"'{_my_text(u)}'@'{_my_text(h)}'" if h else f"'{_my_text(u)}'" for u, h in rows]


def _my_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "''")


MY_FLEET_GUARD = [
    "DROP TRIGGER IF EXISTS kiosk_fleet_writer_insert",
    """CREATE DEFINER = CURRENT_USER TRIGGER kiosk_fleet_writer_insert BEFORE INSERT ON `kiosk_fleet`
FOR EACH ROW SET NEW.`db_user` = USER()""",
    "DROP TRIGGER IF EXISTS kiosk_fleet_writer_update",
    """CREATE DEFINER = CURRENT_USER TRIGGER kiosk_fleet_writer_update BEFORE UPDATE ON `kiosk_fleet`
FOR EACH ROW BEGIN
  IF OLD.`db_user` IS NOT NULL
     AND SUBSTRING_INDEX(OLD.`db_user`, '@', 1) <> SUBSTRING_INDEX(USER(), '@', 1) THEN
    SIGNAL SQLSTATE '42000' SET MYSQL_ERRNO = 1142,
      MESSAGE_TEXT = 'UPDATE command denied for table `kiosk_fleet`: the row of another door';
  END IF;
  SET NEW.`db_user` = USER();
END""",
]
