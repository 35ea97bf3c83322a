"""``kiosk fleet [--json]`` (on the centre): every door that has synced, and which need a look.

Run with ``--db`` = the centre. Each door writes its own row on every contact (db.fleet); this
reads them all and flags a clock more than 2 minutes off and a door silent for more than 10
minutes while a session is open (SPEC §8).
"""

from __future__ import annotations

from db import fleet
from kiosk import fleet_view, timefmt
from kiosk.cli.context import CommandError, Context
from kiosk.cli.tables import render
from kiosk.i18n import t


def register(commands, common) -> None:
    p = commands.add_parser("fleet", parents=[common],
                            help="the doors that sync with this centre (run with --db = the centre)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--forget", metavar="KIOSK_ID",
                   help="remove a door's row (a door renamed or taken out); the centre's owner")
    p.set_defaults(handler=show_fleet)


def show_fleet(ctx: Context) -> int:
    db = ctx.database()
    if ctx.args.forget is not None:
        return _forget(ctx, db, ctx.args.forget)
    tz = ctx.tz
    now = fleet.centre_clock(db)[0]
    today = timefmt.local(now, tz).date().isoformat()
    doors = fleet.list_doors(db, today, now)
    if ctx.args.json:
        ctx.json([fleet_view.as_json(door, tz) for door in doors])
        return 0
    if not doors:
        ctx.out(t("fleet.none"))
        return 0
    headers, rows = fleet_view.table_rows(doors, tz)
    ctx.out(render(headers, rows))
    ctx.out(t("fleet.summary", count=len(doors), flagged=sum(1 for d in doors if d.flags)))
    return 0


def _forget(ctx: Context, db, kiosk_id: str) -> int:
    import peewee as pw

    try:
        gone = fleet.forget(db, kiosk_id)
    except pw.DatabaseError as exc:
        if "denied" in str(exc).lower() or getattr(exc, "pgcode", None) == "42501" \
                or (exc.args and exc.args[0] in (1142, 1143)):
            raise CommandError(t("fleet.forget_denied")) from None
        raise
    if not gone:
        raise CommandError(t("fleet.forget_none", kiosk_id=kiosk_id[:64]))
    ctx.out(t("fleet.forgotten", kiosk_id=kiosk_id[:64]))
    return 0
