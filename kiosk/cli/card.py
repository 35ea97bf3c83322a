"""``kiosk card bind STAFF_ID CARD``, ``kiosk card unbind STAFF_ID`` and ``kiosk card list``."""

from __future__ import annotations

from kiosk import cards, timefmt
from kiosk.cli.context import CommandError, Context
from kiosk.cli.tables import render
from kiosk.i18n import t


def register(commands, common) -> None:
    card = commands.add_parser("card", help="work cards (IC/RFID) bound to staff")
    sub = card.add_subparsers(dest="action", metavar="ACTION", parser_class=commands._parser_class)
    sub.required = True
    p = sub.add_parser("bind", parents=[common], help="bind a card to a person (audited)")
    p.add_argument("staff_id")
    p.add_argument("card", help="the card's number as printed on it or typed by a reader")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=bind)
    p = sub.add_parser("unbind", parents=[common], help="remove a person's card (audited)")
    p.add_argument("staff_id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=unbind)
    p = sub.add_parser("list", parents=[common], help="who holds a card (numbers masked)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=list_cards)


def bind(ctx: Context) -> int:
    ctx.refuse_on_a_mirror()  # cards are pulled with the roster
    db = ctx.database()
    try:
        done = cards.bind(db, ctx.args.staff_id, ctx.args.card, kiosk_id=ctx.settings.kiosk_id,
                          at=timefmt.utc_now(), formats=ctx.settings.card_formats)
    except cards.CardRefused as exc:
        raise CommandError(exc.message()) from None
    return _report(ctx, done)


def unbind(ctx: Context) -> int:
    ctx.refuse_on_a_mirror()  # cards are pulled with the roster
    db = ctx.database()
    try:
        done = cards.unbind(db, ctx.args.staff_id, kiosk_id=ctx.settings.kiosk_id,
                            at=timefmt.utc_now())
    except cards.CardRefused as exc:
        raise CommandError(exc.message()) from None
    return _report(ctx, done)


def _report(ctx: Context, done: cards.Binding) -> int:
    if ctx.args.json:
        ctx.json(done.as_json())
    else:
        for line in [done.message(), *done.warnings()]:
            ctx.out(line)
    return 0


def list_cards(ctx: Context) -> int:
    ctx.database()
    rows = cards.bound_cards()
    if ctx.args.json:
        ctx.json(rows)
        return 0
    headers = [t(f"col.{c}") for c in ("staff_id", "name", "department", "active", "card")]
    ctx.out(render(headers, [[r["staff_id"], r["name"], r["department"],
                              t("yes") if r["active"] else t("no"), r["card"]] for r in rows]))
    return 0
