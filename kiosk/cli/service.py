"""``kiosk service unit|install [--tty N] [--user U]``: the kiosk under systemd."""

from __future__ import annotations

import os
from pathlib import Path

from kiosk.cli.context import CommandError, Context
from kiosk.i18n import t


def register(commands, common) -> None:
    service = commands.add_parser("service", help="run the kiosk under systemd at boot")
    sub = service.add_subparsers(dest="action", metavar="ACTION", parser_class=commands._parser_class)
    sub.required = True
    for name, handler, text in (
            ("unit", unit, "print the systemd unit that runs the kiosk on a virtual terminal"),
            ("install", install, "write that unit and a daily backup timer where systemd reads them")):
        p = sub.add_parser(name, parents=[common], help=text)
        p.add_argument("--tty", type=int, default=1, metavar="N", help="virtual terminal (default 1)")
        p.add_argument("--user", metavar="U", help="the unprivileged user the kiosk runs as")
        p.add_argument("--home", type=Path, metavar="DIR", help="KIOSK_HOME for the kiosk "
                       "(default: KIOSK_HOME, else the user's data folder)")
        if name == "install":
            p.add_argument("--dir", type=Path, metavar="DIR",
                           help="write the units here (default /etc/systemd/system)")
        p.set_defaults(handler=handler)


def _plan(ctx: Context):
    from kiosk import service

    a = ctx.args
    try:
        return service.plan(tty=a.tty, user=a.user, home=a.home, lang=ctx.settings.lang)
    except service.ServiceError as exc:
        raise CommandError(t(exc.key, **exc.fields), code=2) from None


def unit(ctx: Context) -> int:
    from kiosk import service

    ctx.out(service.kiosk_unit(_plan(ctx)).rstrip("\n"))
    return 0


def install(ctx: Context) -> int:
    from kiosk import service

    p = _plan(ctx)
    folder = ctx.args.dir or service.SYSTEM_DIR
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        raise CommandError(t("service.cannot_write", folder=folder))
    for path in service.install(p, folder):
        ctx.out(t("service.written", path=path))
    ctx.out(t("service.enable", user=p.user, tty=p.tty, home=p.home))
    for command in service.enable_commands():
        ctx.out(f"  sudo {command}")
    return 0
