"""Who may create objects in the centre's schema (PostgreSQL; REVIEW B1).

A role that may ``CREATE`` in the centre's schema can put functions and operators there; the
centre's owner-rights functions never look there for them (see
:func:`db.sync.centre_sql.pg_qualified`), but anything else the owner runs in that schema might,
and a door has no business creating anything. PostgreSQL ≤ 14 gives PUBLIC ``CREATE`` on
``public`` (and a cluster upgraded from one keeps it), so ``kiosk centre grant-*`` takes it away
(or says who must), ``kiosk init`` warns, and ``kiosk doctor`` fails on it.
"""

from __future__ import annotations

import peewee as pw


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def revoke_from_public(schema: str) -> str:
    """The statement the schema's owner runs."""
    return f"REVOKE CREATE ON SCHEMA {_ident(schema)} FROM PUBLIC"


def open_schema(db: pw.Database) -> str | None:
    """The centre's schema if PUBLIC may create objects in it (PostgreSQL), else None."""
    if not isinstance(db, pw.PostgresqlDatabase):
        return None
    schema, open_ = db.execute_sql(
        "SELECT current_schema(), has_schema_privilege('public', current_schema(), 'CREATE')"
    ).fetchone()
    return schema if open_ else None


def may_create(db: pw.Database, role: str) -> bool:
    """``role`` may create in the centre's schema (directly, through PUBLIC or a role it is
    a member of, or as its owner)."""
    return bool(db.execute_sql("SELECT has_schema_privilege(%s, current_schema(), 'CREATE')",
                               (role,)).fetchone()[0])


def held_directly(db: pw.Database, role: str) -> bool:
    """``role`` itself was granted ``CREATE`` on the centre's schema."""
    return db.execute_sql(
        "SELECT 1 FROM pg_namespace n CROSS JOIN LATERAL aclexplode(n.nspacl) a "
        "WHERE n.nspname = current_schema() AND a.privilege_type = 'CREATE' "
        "AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = %s)", (role,)).fetchone() is not None
