"""``kiosk backup [--out DIR] [--keep N]`` and ``kiosk restore FILE``."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from db import backup as sqlite_backup
from db import migrations
from kiosk import backups
from kiosk.cli.context import CommandError, Context
from kiosk.i18n import t


def register(commands, common) -> None:
    p = commands.add_parser("backup", parents=[common],
                            help="a consistent copy of the embedded database, safe while in use")
    p.add_argument("--out", metavar="DIR", help="folder for the backup (default KIOSK_HOME/backups)")
    p.add_argument("--keep", type=int, metavar="N",
                   help=f"keep the newest N backups in that folder (default {backups.DEFAULT_KEEP})")
    p.add_argument("--daily", action="store_true",
                   help="the daily backup: nothing more when the folder holds one made today")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=backup)
    p = commands.add_parser("restore", parents=[common],
                            help="check a backup and put it in place of the home's database")
    p.add_argument("file", type=Path, metavar="FILE")
    p.set_defaults(handler=restore)


def backup(ctx: Context) -> int:
    a = ctx.args
    if a.keep is not None and a.keep < 1:
        raise CommandError(t("backup.bad_keep"), code=2)
    rules = backups.policy(ctx.settings, out=a.out, keep=a.keep)
    source = _embedded_file(ctx)
    if not source.exists():
        raise CommandError(t("cli.db_not_initialised"))
    if a.daily:  # the timer's run: the kiosk's own daily backup may have been made today
        today = backups.made_today(rules, dt.datetime.now(dt.UTC), ctx.settings.tz)
        if today is not None:
            if a.json:
                ctx.json({"path": str(today), "bytes": today.stat().st_size, "seconds": 0,
                          "removed": [], "made": False})
            else:
                ctx.out(t("backup.made_today", path=today))
            return 0
    try:
        made = backups.make_backup(ctx.settings, rules)
    except sqlite3.Error as exc:
        raise CommandError(t("backup.failed", detail=str(exc))) from None
    if a.json:
        ctx.json({"path": str(made.path), "bytes": made.size, "seconds": round(made.seconds, 3),
                  "removed": [str(p) for p in made.removed], "made": True})
    else:
        ctx.out(t("backup.done", path=made.path, size=_size(made.size),
                  seconds=f"{made.seconds:.1f}", kept=len(backups.backups_in(rules.folder))))
    return 0


def restore(ctx: Context) -> int:
    source = ctx.args.file.expanduser()
    target = _embedded_file(ctx)
    if target.exists() and source.resolve() == target.resolve():
        raise CommandError(t("restore.same_file"))
    newest = max((m.version for m in migrations.available()), default=0)
    try:
        checked = sqlite_backup.check_file(source, newest_schema=newest)
    except sqlite_backup.BadBackup as exc:
        raise CommandError(t(f"restore.{exc.reason}", path=source, detail=exc.detail)) from None
    kept = None
    if target.exists():
        rules = backups.policy(ctx.settings)
        backups.private_folder(rules.folder)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        kept = rules.folder / f"before-restore-{stamp}.db"
    sqlite_backup.restore_into(source, target, keep_as=kept)
    target.chmod(0o600)
    ctx.out(t("restore.done", path=source, version=checked.schema_version))
    if kept:
        ctx.out(t("restore.kept", path=kept))
    if checked.schema_version < newest:
        ctx.out(t("restore.needs_init", version=checked.schema_version, newest=newest))
    return 0


def _embedded_file(ctx: Context) -> Path:
    try:
        return backups.database_file(ctx.settings)
    except backups.NotEmbedded as exc:
        raise CommandError(t("backup.not_embedded", where=str(exc))) from None


def _size(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} B"
