"""The centre's roles (SPEC §13): what a door, a host and an admin may do, granted by the owner.

- **door** — read the roster, plan, credits and the public settings, and the register of the
  sessions near now and the leaves it may still use through two views (0020;
  :mod:`db.sync.door_reads`), never ``attendance`` or ``leave`` themselves;
  INSERT events (never change or delete one); keep its own fleet row. On MariaDB every role also
  gets ``EXECUTE`` on ``kiosk_apply_pushed``, the procedure a push calls to have the centre apply
  its batch (only the caller's own events, with the owner's rights). The register follows by
  itself (migration 0008's rules run with the owner's rights), so a stolen door's credential
  can add events — flagged by the kiosk id they carry — and nothing else. The grant records the
  role as a door (``kiosk_role``): its events of a host's kinds are kept, never applied (0011).
- **host** — what the host view needs: read the register, plan, roster, log and fleet, and INSERT
  events. Its leaves, 补签 and undos are events the centre's rules apply (kiosk.host_actions), so
  a stolen host credential can add audited events but never rewrite a sign-in or a leave.
- **admin** — keep the roster, plan, leaves, credits and settings (no DDL, which stays with the
  owner, and still no change to an event or a sign-in). It deletes nothing the product never
  deletes (:data:`ADMIN_DELETES`); the schema refuses removing a session or person that has
  register rows (migration 0019), whoever tries.

On PostgreSQL a door's and a host's sessions end when they sit idle inside a transaction for
:data:`IDLE_IN_TRANSACTION` (``ALTER ROLE … SET``): a door that vanishes between its INSERT and
its COMMIT no longer holds register rows for hours. MariaDB keeps no per-account settings; there
each kiosk connection bounds itself when it connects (:mod:`db.database`).

``setting`` holds more than a door needs (bulletin numbers, the demo mark, an admin's later
settings): a door reads the view ``public_setting`` (0012; :mod:`db.sync.public_setting`).
MariaDB has no row-level security, so there a door gets no SELECT on ``setting`` at all; on
PostgreSQL its SELECT on it stays for doors of an older build, row-level security showing only
the public rows. A host reads ``setting`` whole (its reports number the bulletin as issued) and
writes none of it. ``kiosk_fleet``: PostgreSQL row security lets a door see and write only its own
rows (``db_user = current_user``); MariaDB's trigger stamps each row with its writer and refuses
an update of another writer's row.

Each grant is idempotent and returns what it revoked and what it granted, one statement each.
The role's rights are made exactly the kind's: every table-, column- or sequence-level right it
holds in the centre's schema that the kind does not need — an older build's grant, another
kind's, one given by hand — is revoked first (read from the server's own catalogue:
``pg_class``/``pg_attribute`` ACLs, MariaDB's ``mysql.tables_priv``/``columns_priv``). A MariaDB
owner that may not read those tables revokes what older builds granted, after granting it (a
REVOKE of a right never given fails there). Rights on the database as a whole, role membership,
ownership and superuser are not touched, except ``CREATE`` on the centre's PostgreSQL schema:
taken from the role and from PUBLIC, and the grant refused while either still holds it
(:mod:`db.sync.schema_acl`, REVIEW B1).

Only a role that logs in is granted (REVIEW M1): the centre's rules know a door, a host or an
admin by the login that delivers an event (``session_user``, ``USER()``), so a group role — a
PostgreSQL role that cannot log in or has members, a MariaDB ``CREATE ROLE`` — would give its
members a door's rights without a door's bounds. Each door has its own login (one credential
per door, revoked alone when it is stolen).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import peewee as pw

from db.database import IDLE_IN_TRANSACTION_S
from db.sync import schema_acl
from db.sync.centre_guard_sql import DOOR_VERDICTS
from db.sync.centre_mariadb import APPLY_PUSHED
from db.sync.centre_sql import ROLE_TABLE
from db.sync.common import _engine
from db.sync.door_reads import VIEWS as DOOR_VIEWS
from db.sync.door_reads import has_views as has_door_views
from db.sync.public_setting import PUBLIC_SETTINGS, VIEW, has_view
from db.sync.taken_ids import ROUTINE as TAKEN_ROUTINE
from db.sync.taken_ids import TABLE as TAKEN
from db.sync.taken_ids import has_table as has_taken_table

READ = ["department", "staff", "staff_group", "study_session", "session_audience", "leave",
        "credit", "setting", "schema_version", "attendance"]
FLEET = "kiosk_fleet"
EVENTS = "sign_in_event"
ROLES = ("door", "host", "admin")
ALL_TABLES = READ + [EVENTS, FLEET]
ADMIN_WRITES = [t for t in READ if t not in ("schema_version", "attendance")]
# nothing is deleted (SPEC §11): a session is cancelled, a person deactivated, a leave withdrawn,
# all by events. The admin's own commands delete only bookkeeping that an edit replaces: a
# person's groups (staff import), a session's audience (session edit) and expected rows that hold
# no sign-in (the register's guard, migration 0011, refuses any other) — FINDINGS 38
ADMIN_DELETES = ("staff_group", "session_audience", "attendance")
# a door or host that vanishes inside a transaction (Wi-Fi, power) would hold its register-row
# locks until TCP gives up (hours): the server ends such a session after this (FINDINGS 29)
IDLE_IN_TRANSACTION = f"{IDLE_IN_TRANSACTION_S}s"
ROLE_SETTINGS = {"idle_in_transaction_session_timeout": IDLE_IN_TRANSACTION}
# the register's bookkeeping only (who is expected; pending/excused): never a sign-in, which the
# centre's rules apply from events (FINDINGS 33; the guard trigger of migration 0011 checks
# the status and deletions)
ADMIN_REGISTER_INSERT = ("session_id", "staff_id", "expected", "status", "early_leave")
ADMIN_REGISTER_UPDATE = ("expected", "status")
# what older builds granted that this one no longer does (MariaDB without the grant tables)
LEGACY = {"door": {"setting": {"SELECT"}, "attendance": {"SELECT"}, "leave": {"SELECT"}},
          "host": {"attendance": {"INSERT", "UPDATE", "DELETE"}, "leave": {"INSERT", "UPDATE"}},
          "admin": {"attendance": {"INSERT", "UPDATE"}}}


class UnknownRole(ValueError):
    """The role (PostgreSQL) or account (MariaDB) does not exist on the server."""


NO_SUCH_ACCOUNT = 1133  # MariaDB: "Can't find any matching row in the user table"


class AccountsUnreadable(PermissionError):
    """MariaDB: the owner may not read the server's account list (``mysql.user``), so the
    accounts a bare name stands for cannot be found; ``user@host`` names one without it."""


class SchemaOpen(PermissionError):
    """PostgreSQL: ``who`` (PUBLIC, or the role through a membership or as the schema's owner)
    may still create objects in the centre's ``schema`` (REVIEW B1): nothing was granted."""

    def __init__(self, who: str, schema: str) -> None:
        super().__init__(who, schema)
        self.who, self.schema = who, schema


class GroupRole(ValueError):
    """The role cannot log in, or other roles are members of it (REVIEW M1): the centre's rules
    know a door by the login that delivers an event, so each login is granted itself."""


class CentreNotUpgraded(RuntimeError):
    """The centre lacks what migrations 0012, 0020 or 0021 made: its owner runs ``kiosk init
    --db URL`` first."""


@dataclass
class Rights:
    """A kind's rights: table-level privileges, and column-level ones (table, privilege)."""

    tables: dict[str, set[str]]
    columns: dict[tuple[str, str], set[str]] = field(default_factory=dict)


@dataclass
class Granted:
    """The statements one grant ran: the revocations first, then the grants (credential-free)."""

    revoked: list[str]
    granted: list[str]
    # per-role settings the owner may not make (PostgreSQL: needs CREATEROLE or superuser)
    skipped: list[str] = field(default_factory=list)


def rights(kind: str, engine: str) -> Rights:
    """Exactly what ``kind`` needs on ``engine`` ("postgresql" / "mysql")."""
    private_setting = engine == "mysql" and kind == "door"  # no row security there
    tables = {t: {"SELECT"} for t in READ if not (private_setting and t == "setting")}
    tables[VIEW] = {"SELECT"}
    if kind == "door":  # the register near now and the leaves it may use: views (0020)
        for table in ("attendance", "leave"):
            del tables[table]
        tables.update({view: {"SELECT"} for view in DOOR_VIEWS})
        tables[EVENTS] = {"INSERT"}
        tables[FLEET] = {"SELECT", "INSERT", "UPDATE"}
        return Rights(tables)
    tables[EVENTS] = {"SELECT", "INSERT"}
    tables[FLEET] = {"SELECT"}
    tables[TAKEN] = {"SELECT"}  # ids a second door claimed: the fleet's duplicate_id (0021)
    if kind == "host":
        return Rights(tables)
    for table in ADMIN_WRITES:
        tables[table] |= {"INSERT", "UPDATE"}
    for table in ADMIN_DELETES:
        tables[table] |= {"DELETE"}
    return Rights(tables, {("attendance", "INSERT"): set(ADMIN_REGISTER_INSERT),
                           ("attendance", "UPDATE"): set(ADMIN_REGISTER_UPDATE)})


def grant(db: pw.Database, kind: str, role: str) -> Granted:
    """Make ``role``'s rights exactly those of ``kind`` (door/host/admin)."""
    if kind not in ROLES:
        raise ValueError(kind)
    engine = _engine(db)
    if engine == "sqlite":
        raise NotImplementedError("a SQLite database has no roles")
    if not has_view(db) or not has_door_views(db) or not has_taken_table(db):
        raise CentreNotUpgraded()
    done = _pg_statements(db, kind, role) if engine == "postgresql" else _my_statements(db, kind, role)
    try:
        with db.atomic():
            for sql in done.revoked + done.granted:
                # no parameters, but PyMySQL still %-formats: an account's host '%' must be doubled
                db.execute_sql(sql.replace("%", "%%") if engine == "mysql" else sql)
            if engine == "postgresql":  # what the REVOKEs could not take (not the grantor's)
                _pg_no_create(db, role)
    except pw.DatabaseError as exc:
        if engine == "mysql" and exc.args and exc.args[0] == NO_SUCH_ACCOUNT:
            raise UnknownRole(role) from None
        raise
    if engine == "postgresql":
        _pg_role_settings(db, kind, role, done)
    return done


def _pg_role_settings(db: pw.Database, kind: str, role: str, done: Granted) -> None:
    """A door's or host's sessions end when idle inside a transaction (FINDINGS 29); an admin's
    are reset. Each in its own savepoint: an owner without the right to ALTER ROLE is told."""
    for name, value in ROLE_SETTINGS.items():
        sql = (f"ALTER ROLE {_pg_ident(role)} SET {name} = '{value}'" if kind != "admin"
               else f"ALTER ROLE {_pg_ident(role)} RESET {name}")
        try:
            with db.atomic():
                db.execute_sql(sql)
            done.granted.append(sql)
        except (pw.ProgrammingError, pw.OperationalError, pw.InternalError):
            done.skipped.append(sql)


def _surplus(held: Rights, wanted: Rights) -> Rights:
    """What ``held`` has beyond ``wanted``."""
    tables = {t: privs - wanted.tables.get(t, set()) for t, privs in held.tables.items()}
    columns = {key: cols - wanted.columns.get(key, set()) for key, cols in held.columns.items()
               if key[1] not in wanted.tables.get(key[0], set())}
    return Rights({t: p for t, p in tables.items() if p}, {k: c for k, c in columns.items() if c})


def _revocations(surplus: Rights, on, who: str) -> list[str]:
    """REVOKE statements for ``surplus``; ``on(table)`` names a table in SQL."""
    out = [f"REVOKE {', '.join(sorted(privs))} ON {on(table)} FROM {who}"
           for table, privs in sorted(surplus.tables.items())]
    out += [f"REVOKE {priv} ({', '.join(sorted(cols))}) ON {on(table)} FROM {who}"
            for (table, priv), cols in sorted(surplus.columns.items())]
    return out


def _grants(wanted: Rights, on, who: str) -> list[str]:
    """GRANT statements for ``wanted``, one per set of privileges (tables grouped)."""
    by_privs: dict[tuple[str, ...], list[str]] = {}
    for table, privs in wanted.tables.items():
        by_privs.setdefault(tuple(sorted(privs)), []).append(table)
    out = [f"GRANT {', '.join(privs)} ON {', '.join(on(t) for t in tables)} TO {who}"
           for privs, tables in sorted(by_privs.items(), key=lambda kv: (len(kv[0]), kv[0]))]
    out += [f"GRANT {priv} ({', '.join(sorted(cols))}) ON {on(table)} TO {who}"
            for (table, priv), cols in sorted(wanted.columns.items())]
    return out


# -- PostgreSQL ----------------------------------------------------------------------------------
PG_HELD_TABLES = """
SELECT c.relname, c.relkind, a.privilege_type
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL aclexplode(c.relacl) a
WHERE n.nspname = current_schema() AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = %s)
"""
PG_HELD_COLUMNS = """
SELECT c.relname, a.privilege_type, att.attname
FROM pg_attribute att JOIN pg_class c ON c.oid = att.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL aclexplode(att.attacl) a
WHERE n.nspname = current_schema() AND NOT att.attisdropped
  AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = %s)
"""


def _pg_statements(db: pw.Database, kind: str, role: str) -> Granted:
    found = db.execute_sql(
        "SELECT r.rolcanlogin, EXISTS (SELECT 1 FROM pg_auth_members m WHERE m.roleid = r.oid) "
        "FROM pg_roles r WHERE r.rolname = %s", (role,)).fetchone()
    if found is None:
        raise UnknownRole(role)
    if not found[0] or found[1]:  # the rules know the login (session_user), not its groups
        raise GroupRole(role)
    who = _pg_ident(role)
    name, schema = db.execute_sql("SELECT current_database(), current_schema()").fetchone()
    wanted = rights(kind, "postgresql")
    held = Rights({})
    sequences: list[str] = []
    for table, relkind, priv in db.execute_sql(PG_HELD_TABLES, (role,)).fetchall():
        if relkind == "S":
            if kind != "admin" and table not in sequences:
                sequences.append(table)
        else:
            held.tables.setdefault(table, set()).add(priv)
    for table, priv, column in db.execute_sql(PG_HELD_COLUMNS, (role,)).fetchall():
        held.columns.setdefault((table, priv), set()).add(column)
    revoked = _revocations(_surplus(held, wanted), _pg_ident, who)
    if sequences:
        revoked.append(f"REVOKE ALL ON SEQUENCE {', '.join(map(_pg_ident, sorted(sequences)))} "
                       f"FROM {who}")
    # no role of the centre creates objects in its schema (REVIEW B1): PostgreSQL <= 14 let PUBLIC
    if schema_acl.held_directly(db, role):
        revoked.append(f"REVOKE CREATE ON SCHEMA {_pg_ident(schema)} FROM {who}")
    if schema_acl.open_schema(db):
        revoked.append(schema_acl.revoke_from_public(schema))
    out = [f"GRANT CONNECT ON DATABASE {_pg_ident(name)} TO {who}",
           f"GRANT USAGE ON SCHEMA {_pg_ident(schema)} TO {who}"]
    out += _grants(wanted, str, who)
    out.append(f"INSERT INTO {ROLE_TABLE} (role, kind) VALUES ({_pg_text(role)}, '{kind}') "
               "ON CONFLICT (role) DO UPDATE SET kind = excluded.kind")
    public = "key IN (" + ", ".join(f"'{k}'" for k in PUBLIC_SETTINGS) + ")"
    if kind == "door":
        mine = "db_user = current_user"
        out += _pg_policy("setting", role, "SELECT", public)
        out += _pg_policy(FLEET, role, "ALL", mine, check=mine)
    elif kind == "host":  # a host's reports read the bulletin numbers an admin issued
        out += _pg_policy("setting", role, "SELECT", "true")
        out += _pg_policy(FLEET, role, "SELECT", "true")
    else:
        out.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {_pg_ident(schema)} TO {who}")
        out += _pg_policy("setting", role, "ALL", "true", check="true")
        out += _pg_policy(FLEET, role, "SELECT", "true")
    return Granted(revoked, out)


def _pg_no_create(db: pw.Database, role: str) -> None:
    """Refuse (the caller's transaction rolls back) while PUBLIC or ``role`` may still create in
    the schema: the owner running the grant is not the schema's owner, or ``role`` holds it
    through a membership or owns the schema."""
    schema = schema_acl.open_schema(db)
    if schema:
        raise SchemaOpen("PUBLIC", schema)
    if schema_acl.may_create(db, role):
        raise SchemaOpen(role, db.execute_sql("SELECT current_schema()").fetchone()[0])


def _pg_policy(table: str, role: str, command: str, using: str, check: str | None = None) -> list[str]:
    """A row-level policy of ``role`` on ``table`` (replaced if there), with RLS switched on."""
    name = _pg_ident(f"kiosk_{role}"[:63])
    with_check = f" WITH CHECK ({check})" if check else ""
    return [f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
            f"DROP POLICY IF EXISTS {name} ON {table}",
            f"CREATE POLICY {name} ON {table} FOR {command} TO {_pg_ident(role)} "
            f"USING ({using}){with_check}"]


def _pg_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _pg_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# -- MariaDB -------------------------------------------------------------------------------------
def _my_statements(db: pw.Database, kind: str, role: str) -> Granted:
    accounts = _my_accounts(db, role)
    schema = db.execute_sql("SELECT DATABASE()").fetchone()[0]
    wanted = rights(kind, "mysql")

    def on(table: str) -> str:
        return f"`{schema}`.`{table}`"

    revoked: list[str] = []
    # the kind the centre's trigger reads (by user name: USER() names the client's host)
    out = [f"INSERT INTO `{ROLE_TABLE}` (`role`, `kind`) VALUES ('{_my_text(role.partition('@')[0])}', "
           f"'{kind}') ON DUPLICATE KEY UPDATE `kind` = VALUES(`kind`)"]
    # the batch apply every push of events calls (db.sync.centre_mariadb)
    apply = db.execute_sql("SELECT 1 FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = "
                           f"DATABASE() AND ROUTINE_NAME = '{APPLY_PUSHED}'").fetchone()
    # which of its own events the centre did not apply (db.sync.verdicts; migration 0014)
    verdicts = db.execute_sql("SELECT 1 FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = "
                              f"DATABASE() AND ROUTINE_NAME = '{DOOR_VERDICTS}'").fetchone()
    for user, host in accounts:
        who = f"'{_my_text(user)}'@'{_my_text(host)}'" if host is not None else f"'{_my_text(user)}'"
        held = _my_held(db, schema, user, host)
        if held is None:  # the grant tables are closed to this owner: what older builds gave
            legacy = Rights({t: set(p) for t, p in LEGACY[kind].items()})
            revoked += [s.replace("REVOKE", "GRANT", 1).replace(" FROM ", " TO ", 1)
                        for s in _revocations(legacy, on, who)]
            revoked += _revocations(legacy, on, who)
        else:
            revoked += _revocations(_surplus(held, wanted), on, who)
        out += [f"GRANT {', '.join(sorted(privs))} ON {on(table)} TO {who}"
                for table, privs in wanted.tables.items()]
        out += [f"GRANT {priv} ({', '.join(sorted(cols))}) ON {on(table)} TO {who}"
                for (table, priv), cols in sorted(wanted.columns.items())]
        if apply:
            out.append(f"GRANT EXECUTE ON PROCEDURE `{schema}`.`{APPLY_PUSHED}` TO {who}")
        if kind == "door" and verdicts:  # which of its own events the centre did not apply
            out.append(f"GRANT EXECUTE ON PROCEDURE `{schema}`.`{DOOR_VERDICTS}` TO {who}")
        if kind == "door":  # a refused fleet row's id recorded as taken (db.sync.taken_ids)
            out.append(f"GRANT EXECUTE ON PROCEDURE `{schema}`.`{TAKEN_ROUTINE}` TO {who}")
    if kind == "door":
        out += MY_FLEET_GUARD
    return Granted(revoked, out)


def _my_held(db: pw.Database, schema: str, user: str, host: str | None) -> Rights | None:
    """The account's table and column rights in ``schema`` (None: the owner may not read them)."""
    where = "Db = %s AND User = %s AND Host = %s"
    params = (schema, user, host if host is not None else "")
    try:
        tables = db.execute_sql(f"SELECT Table_name, Table_priv FROM mysql.tables_priv WHERE {where}",
                                params).fetchall()
        columns = db.execute_sql("SELECT Table_name, Column_name, Column_priv FROM "
                                 f"mysql.columns_priv WHERE {where}", params).fetchall()
    except (pw.ProgrammingError, pw.OperationalError, pw.InternalError):
        return None
    held = Rights({})
    for table, privs in tables:
        named = {p.upper() for p in _my_set(privs)} - {"GRANT"}
        if named:
            held.tables[table] = named
    for table, column, privs in columns:
        for priv in _my_set(privs):
            held.columns.setdefault((table, priv.upper()), set()).add(column)
    return held


def _my_set(value) -> set[str]:
    """A SET column's members (PyMySQL hands back a set or a comma-separated string)."""
    if isinstance(value, set | frozenset):
        return set(value)
    return {p for p in str(value or "").split(",") if p}


def _my_accounts(db: pw.Database, role: str) -> list[tuple[str, str | None]]:
    """(user, host) for ``user@host``, else every account named ``role``; a MariaDB role (``CREATE
    ROLE``, which cannot log in) is refused (REVIEW M1)."""
    user, _, host = role.partition("@")
    query = ("SELECT User, Host, is_role FROM mysql.user WHERE User = %s"
             + (" AND Host = %s" if host else ""))
    try:
        with db.atomic():  # (a savepoint: the refusal must not end the caller's transaction)
            rows = db.execute_sql(query, (user, host) if host else (user,)).fetchall()
    except (pw.ProgrammingError, pw.OperationalError, pw.InternalError):
        if host:  # one account named whole: its GRANT says so if it does not exist
            return [(user, host)]
        raise AccountsUnreadable(role) from None
    if not rows:
        raise UnknownRole(role)
    if any(str(is_role).upper() == "Y" for _, _, is_role in rows):  # rules read USER(), no role
        raise GroupRole(role)
    return [(u, h if h else None) for u, h, _ in rows]


def _my_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "''")


MY_FLEET_GUARD = [  # replaced in one statement each: never a moment without them (REVIEW M4)
    """CREATE OR REPLACE DEFINER = CURRENT_USER TRIGGER kiosk_fleet_writer_insert BEFORE INSERT
ON `kiosk_fleet` FOR EACH ROW SET NEW.`db_user` = USER()""",
    """CREATE OR REPLACE DEFINER = CURRENT_USER TRIGGER kiosk_fleet_writer_update BEFORE UPDATE
ON `kiosk_fleet` FOR EACH ROW BEGIN
  IF OLD.`db_user` IS NOT NULL
     AND SUBSTRING_INDEX(OLD.`db_user`, '@', 1) <> SUBSTRING_INDEX(USER(), '@', 1) THEN
    SIGNAL SQLSTATE '42000' SET MYSQL_ERRNO = 1142,
      MESSAGE_TEXT = 'UPDATE command denied for table `kiosk_fleet`: the row of another door';
  END IF;
  SET NEW.`db_user` = USER();
END""",
]
