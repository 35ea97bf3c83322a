"""``kiosk staff import FILE`` and ``kiosk staff list [--json]``."""

from __future__ import annotations

from pathlib import Path

from db import queries
from db.cards import CardClash
from db.roster import upsert_staff
from kiosk import card_numbers
from kiosk.cli.context import CommandError, Context
from kiosk.cli.tables import render
from kiosk.i18n import t
from kiosk.roster import ImportProblems, parse_roster


def register(commands, common) -> None:
    staff = commands.add_parser("staff", help="the roster")
    sub = staff.add_subparsers(dest="action", metavar="ACTION", parser_class=commands._parser_class)
    sub.required = True
    p = sub.add_parser("import", parents=[common], help="import/update the roster from CSV or XLSX")
    p.add_argument("file", type=Path)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=import_roster)
    p = sub.add_parser("list", parents=[common], help="list the roster")
    p.add_argument("--json", action="store_true")
    p.add_argument("--department")
    p.set_defaults(handler=list_roster)


def import_roster(ctx: Context) -> int:
    db = ctx.database()
    try:
        records = parse_roster(ctx.args.file, ctx.settings.card_formats)
    except ImportProblems as exc:
        raise CommandError("\n".join([t("import.refused", count=len(exc.problems))]
                                     + exc.lines())) from None
    try:
        with db.atomic():
            added, updated, unchanged = upsert_staff(records)
    except CardClash as exc:  # a card another active person in the roster holds
        lines = [t("import.card_taken", card=card_numbers.mask(card), staff_id=key, other=other)
                 for key, other, card in exc.clashes]
        raise CommandError("\n".join([t("import.refused", count=len(lines))] + lines)) from None
    if ctx.args.json:
        ctx.json({"added": added, "updated": updated, "unchanged": unchanged})
    else:
        ctx.out(t("import.summary", added=added, updated=updated, unchanged=unchanged))
    return 0


def list_roster(ctx: Context) -> int:
    ctx.database()
    rows = queries.roster()
    if ctx.args.department:
        rows = [r for r in rows if r["department"] == ctx.args.department]
    if ctx.args.json:
        ctx.json([{"staff_id": r["staff_id"], "name": r["name"], "department": r["department"],
                   "groups": r["groups"], "title": r["title"], "active": bool(r["active"]),
                   "card": card_numbers.mask(r["card"]) if r["card"] is not None else None}
                  for r in rows])
        return 0
    headers = [t(f"col.{c}") for c in ("staff_id", "name", "department", "groups", "title", "active")]
    ctx.out(render(headers, [[r["staff_id"], r["name"], r["department"], ";".join(r["groups"]),
                              r["title"], t("yes") if r["active"] else t("no")] for r in rows]))
    return 0
