"""``kiosk doctor [--json]``: one line per check, ok or what to do; exit 0 only if all pass."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from kiosk.cli.context import CommandError, Context
from kiosk.i18n import t


def register(commands, common) -> None:
    p = commands.add_parser("doctor", parents=[common],
                            help="check this kiosk: schema, integrity, disk, modes, clock, key, "
                                 "centre, backups, log")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=doctor)


def doctor(ctx: Context) -> int:
    import sys

    from kiosk.doctor import Doctor, hints

    db = None
    path = _sqlite_file(ctx)
    if path is None or path.exists():  # (never create an empty database by looking at it)
        try:
            db = ctx.database(require_schema=False)
        except CommandError:
            db = None
    checks = Doctor(ctx.settings, db, dt.datetime.now(dt.UTC)).run()
    healthy = all(c.ok for c in checks)
    advice = hints(ctx.settings)
    if ctx.args.json:
        ctx.json({"ok": healthy, "checks": [c.as_json() for c in checks], "hints": advice})
    else:
        for check in checks:
            ctx.out(check.line())
        ctx.out(t("doctor.all_ok") if healthy else
                t("doctor.some_failed", count=sum(not c.ok for c in checks)))
        for line in advice:  # advice, not a check: on stderr, the check lines stay as they are
            sys.stderr.write(line + "\n")
    return 0 if healthy else 1


def _sqlite_file(ctx: Context) -> Path | None:
    from db import database

    if not ctx.settings.is_sqlite:
        return None
    return Path(database.sqlite_path(ctx.settings.db_url))
