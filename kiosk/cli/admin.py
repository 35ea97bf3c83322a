"""``kiosk admin``: the admin's full-screen console, behind the admin PIN."""

from __future__ import annotations

from kiosk.cli.context import CommandError, Context
from kiosk.i18n import t


def register(commands, common) -> None:
    p = commands.add_parser("admin", parents=[common],
                            help="the admin's console: roster, plan, leaves, badges, reports")
    p.set_defaults(handler=admin)


def admin(ctx: Context) -> int:
    import os
    import sys

    from kiosk import pin as admin_pin

    db = ctx.database()
    if not admin_pin.has_pin(ctx.settings.home):  # nobody may open it without the admin PIN
        raise CommandError(t("ui.pin.none_set"))
    if not (sys.stdin.isatty() and sys.stdout.isatty()) and not os.environ.get("KIOSK_ALLOW_NO_TTY"):
        raise CommandError(t("console.not_a_terminal"))
    from kiosk.cli.screens import run_app
    from kiosk.ui.admin.app import build_admin_app  # textual loads only for the screen

    return run_app(build_admin_app(ctx.settings, db), ctx)
