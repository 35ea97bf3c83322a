"""``kiosk staff import FILE`` and ``kiosk staff list [--json]``."""

from __future__ import annotations

from pathlib import Path

from db import queries
from db.cards import CardClash
from kiosk import card_numbers, rules
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
    p.add_argument("--dry-run", action="store_true",
                   help="print every change and every problem, write nothing")
    p = sub.add_parser("add", parents=[common], help="add one person")
    p.add_argument("staff_id")
    p.add_argument("--name", required=True)
    p.add_argument("--department", required=True)
    p.add_argument("--groups", help="separated by ; (e.g. 中心组;党员)")
    p.add_argument("--title")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=add_staff)
    p = sub.add_parser("edit", parents=[common], help="change one person (only what is given)")
    p.add_argument("staff_id")
    p.add_argument("--name")
    p.add_argument("--department")
    p.add_argument("--groups", help="separated by ; (an empty value clears them)")
    p.add_argument("--title")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=edit_staff)
    p = sub.add_parser("deactivate", parents=[common],
                       help="mark a person who left as inactive (history is kept)")
    p.add_argument("staff_id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=deactivate)
    p = sub.add_parser("list", parents=[common], help="list the roster")
    p.add_argument("--json", action="store_true")
    p.add_argument("--department")
    p.set_defaults(handler=list_roster)


def import_roster(ctx: Context) -> int:
    if not ctx.args.dry_run:
        ctx.admin_actions()  # a mirror home is refused before the file is read
    ctx.database()
    if ctx.args.dry_run:
        from kiosk.cli.preview import print_preview
        from kiosk.previews import preview_roster

        return print_preview(ctx, preview_roster(ctx.args.file, ctx.settings.card_formats))
    try:
        records = parse_roster(ctx.args.file, ctx.settings.card_formats)
    except ImportProblems as exc:
        raise CommandError(exc.refusal()) from None
    try:
        added, updated, unchanged = ctx.admin_actions().import_roster(records)
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


def add_staff(ctx: Context) -> int:
    from kiosk.lifecycle import Refused, staff_record

    a = ctx.args
    actions = ctx.admin_actions()
    try:
        if queries.staff_row(rules.normalise_staff_id(a.staff_id)) is not None:
            raise Refused(t("admin.staff_exists", staff_id=a.staff_id))
        record = staff_record(a.staff_id, a.name, a.department, a.groups, a.title)
        result = actions.save_staff(record)
    except Refused as exc:
        raise CommandError(str(exc)) from None
    return _saved(ctx, record, result)


def edit_staff(ctx: Context) -> int:
    from kiosk.lifecycle import Refused, staff_record

    a = ctx.args
    actions = ctx.admin_actions()
    row = queries.staff_row(rules.normalise_staff_id(a.staff_id))
    try:
        if row is None:
            raise Refused(t("cli.unknown_staff", value=a.staff_id))
        record = staff_record(row["staff_id"], a.name if a.name is not None else row["name"],
                              a.department if a.department is not None else row["department"],
                              a.groups, a.title)
        result = actions.save_staff(record)
    except Refused as exc:
        raise CommandError(str(exc)) from None
    if result == "unchanged":
        raise CommandError(t("admin.staff_saved.unchanged", staff_id=row["staff_id"],
                             name=row["name"]))
    return _saved(ctx, record, result)


def _saved(ctx: Context, record, result: str) -> int:
    if ctx.args.json:
        ctx.json({"staff_id": record.staff_id, "result": result})
    else:
        ctx.out(t(f"admin.staff_saved.{result}", staff_id=record.staff_id, name=record.name))
    return 0


def deactivate(ctx: Context) -> int:
    from kiosk.lifecycle import Refused

    try:
        row = ctx.admin_actions().deactivate(ctx.args.staff_id)
    except Refused as exc:
        raise CommandError(str(exc)) from None
    if ctx.args.json:
        ctx.json({"staff_id": row["staff_id"], "active": False})
    else:
        ctx.out(t("admin.deactivated", staff_id=row["staff_id"], name=row["name"]))
    return 0
