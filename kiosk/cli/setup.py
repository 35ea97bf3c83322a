"""``kiosk init``: create or upgrade the schema (idempotent), set the admin PIN, make keys."""

from __future__ import annotations

import getpass
import os
import sys

from db import migrations
from kiosk import pin
from kiosk.cli.context import CommandError, Context
from kiosk.i18n import t


def register(commands, common) -> None:
    p = commands.add_parser("init", parents=[common], help="create or upgrade the database schema")
    p.add_argument("--pin", help="set the admin PIN (or KIOSK_ADMIN_PIN)")
    p.add_argument("--no-keys", action="store_true",
                   help="do not create a badge signing key in this home (kiosk-only homes)")
    p.set_defaults(handler=init)


def _private_home(ctx: Context) -> None:
    """Files an earlier release left readable by others become the owner's only (SPEC §7)."""
    from db.database import sqlite_path
    from kiosk.private_file import tighten_home

    db_file = sqlite_path(ctx.settings.db_url) if ctx.settings.is_sqlite else None
    tighten_home(ctx.settings.home, db_file if db_file != ":memory:" else None)


def init(ctx: Context) -> int:
    if ctx.args.pin is not None:  # refuse a bad PIN before touching anything
        try:
            pin.validate(ctx.args.pin)
        except pin.PinError:
            raise CommandError(t("pin.invalid")) from None
    db = ctx.database(require_schema=False)
    _private_home(ctx)
    applied = migrations.upgrade(db)
    _refresh_centre_rules(ctx, db, applied)
    _warn_open_schema(db)
    if applied:
        ctx.out(t("cli.init_applied", names=", ".join(f"{m.version:04d}_{m.name}" for m in applied)))
    from db.database import redact_url

    ctx.out(t("cli.init_done", version=migrations.current_version(db),
              url=redact_url(ctx.settings.db_url)))
    _admin_pin(ctx)
    if not ctx.args.no_keys:
        ensure_signing_key(ctx)
    return 0


def _refresh_centre_rules(ctx: Context, db, applied) -> None:
    """A server centre already at 0011 gets the centre's rules again when they are not this
    release's (their digest differs: :mod:`db.sync.centre_digest`), so one upgraded by an earlier
    build has all of them — and a live centre whose rules are current is left alone (REVIEW M4:
    MariaDB commits each DDL at once). Skipped quietly for a role that may not (re)create them —
    the owner's next ``kiosk init`` does it."""
    import logging

    import peewee as pw

    from db.migrations import m0011_centre_hardening as hardening
    from db.sync import centre_admin_guard, centre_digest, centre_guard_sql

    if ctx.settings.is_sqlite or migrations.current_version(db) < 11:
        return
    digest = centre_digest.expected(db)
    current = digest is None or centre_digest.stored(db) == digest
    try:
        if current:  # data only (no DDL: safe on a live centre): old doors' rows, bindings;
            # each step its own transaction (MariaDB: a savepoint after reading mysql.* fails)
            hardening.refresh_data(db)
            if migrations.current_version(db) >= 14:
                centre_guard_sql.backfill(db)
            return
        with db.atomic():
            if not any(m.version == 11 for m in applied):
                hardening.apply(db, None)
            if migrations.current_version(db) >= 14:  # after 0011's: they follow its triggers
                centre_guard_sql.install(db)
            if migrations.current_version(db) >= 19:  # after the door's: it follows them
                centre_admin_guard.install(db)
            centre_digest.keep(db, digest)
    except pw.DatabaseError as exc:
        logging.getLogger(__name__).info("centre rules not refreshed: %s", exc.__class__.__name__)


def _warn_open_schema(db) -> None:
    """A PostgreSQL centre whose schema anyone may create in (PostgreSQL <= 14's ``public``):
    said on stderr, the init still succeeds (REVIEW B1; grant-* refuses until it is closed)."""
    from db.sync.schema_acl import open_schema, revoke_from_public

    schema = open_schema(db)
    if schema:
        sys.stderr.write(t("init.schema_open", schema=schema,
                           statement=revoke_from_public(schema)) + "\n")


def _admin_pin(ctx: Context) -> None:
    home = ctx.settings.home
    value = ctx.args.pin or os.environ.get("KIOSK_ADMIN_PIN")
    if not value and not pin.has_pin(home) and sys.stdin.isatty() and sys.stdout.isatty():
        value = getpass.getpass(t("pin.prompt_new") + " ")
    if not value:
        return
    try:
        pin.set_pin(home, value)
    except pin.PinError:
        raise CommandError(t("pin.invalid")) from None
    ctx.out(t("cli.pin_set"))


def ensure_signing_key(ctx: Context) -> None:
    """Create the badge key pair on this (admin) home if the badge module provides it."""
    try:
        from kiosk.badges import keys
    except ImportError:
        return
    keys.ensure_keypair(ctx)
