"""``kiosk host [--session SID]``: the full-screen live-count view for the session host."""

from __future__ import annotations

from db import queries
from kiosk.cli.context import CommandError, Context
from kiosk.i18n import t


def register(commands, common) -> None:
    p = commands.add_parser("host", parents=[common], help="the host's live-count view")
    p.add_argument("--session", type=int, metavar="SID",
                   help="session to watch (default: choose from today's sessions)")
    p.add_argument("--by", default="host", help="who runs the session (for the audit trail)")
    p.set_defaults(handler=host)


def host(ctx: Context) -> int:
    a = ctx.args
    db = ctx.database()
    if a.session is not None and queries.session_by_id(a.session) is None:
        raise CommandError(t("host.cli.session_not_found", session=a.session))
    from kiosk.cli.screens import run_app
    from kiosk.ui.host_app import build_host_app  # textual loads only for the screen

    return run_app(build_host_app(ctx.settings, db, session_id=a.session, actor=(a.by or "host")[:64]), ctx)
