"""``kiosk centre grant-door|grant-host|grant-admin ROLE``: the centre's roles (SPEC §13), and
``kiosk centre rebind ROLE KIOSK_ID``: a renamed door's binding.

Run by the centre's owner (``--db`` the owner's URL) on PostgreSQL or MariaDB; ROLE is an existing
role (PostgreSQL) or account ``user`` / ``user@host`` (MariaDB). Idempotent; prints what it revoked
(rights the kind no longer needs) and every grant.
"""

from __future__ import annotations

import peewee as pw

from db import database
from kiosk.cli.context import CommandError, Context
from kiosk.i18n import t

KINDS = {"grant-door": "door", "grant-host": "host", "grant-admin": "admin"}
HELP = {"door": "a door: read roster/plan/leaves/credits/public key, add events, its fleet row",
        "host": "a session host: read the register, add leaves, manual sign-ins and undos as events",
        "admin": "an admin: keep roster, plan, leaves, credits and settings"}


def register(commands, common) -> None:
    centre = commands.add_parser("centre", help="the central database's roles (run by its owner)")
    sub = centre.add_subparsers(dest="action", metavar="ACTION",
                                parser_class=commands._parser_class)
    sub.required = True
    for action, kind in KINDS.items():
        p = sub.add_parser(action, parents=[common], help=f"give ROLE the rights of {HELP[kind]}")
        p.add_argument("role", metavar="ROLE", help="an existing database role / account")
        p.set_defaults(handler=grant, kind=kind)
    p = sub.add_parser("rebind", parents=[common],
                       help="bind door ROLE to KIOSK_ID (after renaming that door)")
    p.add_argument("role", metavar="ROLE", help="an existing database role / account")
    p.add_argument("kiosk_id", metavar="KIOSK_ID", help="the door's new [kiosk] id")
    p.set_defaults(handler=rebind)


def rebind(ctx: Context) -> int:
    """Move a door role's binding to another kiosk id (db.sync.door_binding): the owner's way
    to rename a door whose home sends no install id, or to move a rename back."""
    from db.sync import door_binding

    db = ctx.database()
    if ctx.settings.is_sqlite:
        raise CommandError(t("centre.not_server"))
    role, kiosk_id = ctx.args.role, ctx.args.kiosk_id.strip()
    if not kiosk_id or len(kiosk_id) > 64:
        raise CommandError(t("centre.bad_kiosk_id", kiosk_id=kiosk_id[:80]))
    try:
        old = door_binding.rebind(db, role, kiosk_id)
    except door_binding.NotADoor:
        raise CommandError(t("centre.not_a_door", role=role)) from None
    except door_binding.HeldByAnother as exc:
        raise CommandError(t("centre.kiosk_id_held", kiosk_id=kiosk_id, other=exc.role)) from None
    except pw.DatabaseError as exc:
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        raise CommandError(t("centre.grant_failed", role=role,
                             detail=database.redact_text(text, ctx.settings.db_url)[:200])) from None
    ctx.out(t("centre.rebound", role=role, kiosk_id=kiosk_id, old=old or "-"))
    return 0


def grant(ctx: Context) -> int:
    from db.sync.grants import (
        AccountsUnreadable,
        CentreNotUpgraded,
        GroupRole,
        SchemaOpen,
        UnknownRole,
    )
    from db.sync.grants import grant as grant_rights
    from db.sync.schema_acl import revoke_from_public

    db = ctx.database()
    if ctx.settings.is_sqlite:
        raise CommandError(t("centre.not_server"))
    role, kind = ctx.args.role, ctx.args.kind
    where = database.redact_url(ctx.settings.db_url)
    try:
        done = grant_rights(db, kind, role)
    except UnknownRole:
        raise CommandError(t("centre.unknown_role", role=role)) from None
    except AccountsUnreadable:
        owner = database.url_user(ctx.settings.db_url) or "OWNER"
        raise CommandError(t("centre.accounts_unreadable", role=role, owner=owner)) from None
    except GroupRole:
        raise CommandError(t("centre.group_role", role=role)) from None
    except SchemaOpen as exc:
        if exc.who == "PUBLIC":
            raise CommandError(t("centre.schema_open", who="PUBLIC", schema=exc.schema, where=where,
                                 statement=revoke_from_public(exc.schema))) from None
        raise CommandError(t("centre.role_creates", who=exc.who, schema=exc.schema,
                             where=where)) from None
    except CentreNotUpgraded:
        raise CommandError(t("sync.central_schema", where=where)) from None
    except pw.DatabaseError as exc:
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        raise CommandError(t("centre.grant_failed", role=role,
                             detail=database.redact_text(text, ctx.settings.db_url)[:200])) from None
    if done.revoked:  # rights an older grant (or another kind) gave that this kind does not need
        ctx.out(t("centre.revoked", role=role, where=where))
        for sql in done.revoked:
            ctx.out("  " + " ".join(sql.split()))
    ctx.out(t("centre.granted", kind=t(f"centre.kind.{kind}"), role=role, where=where))
    for sql in done.granted:
        ctx.out("  " + " ".join(sql.split()))
    for sql in done.skipped:  # the owner may not ALTER ROLE: said, the grant itself stands
        ctx.out(t("centre.setting_skipped", role=role, statement=" ".join(sql.split())))
    return 0
