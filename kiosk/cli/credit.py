"""``kiosk credit add|import|list``: study credited outside the sessions (SPEC §10).

Each recorded credit is one audited event in the log (``result`` ``credit``); recording the same
credit again (person, kind, title, date) changes its hours or nothing, never counts it twice.
"""

from __future__ import annotations

from pathlib import Path

from db import credits as store
from kiosk import rules, timefmt
from kiosk.cli.context import CommandError, Context
from kiosk.cli.tables import render
from kiosk.credits import CreditError, build_credit, parse_credit_file
from kiosk.i18n import t
from kiosk.roster import ImportProblems


def register(commands, common) -> None:
    credit = commands.add_parser("credit", help="credits outside sessions (articles, self-study …)")
    sub = credit.add_subparsers(dest="action", metavar="ACTION", parser_class=commands._parser_class)
    sub.required = True
    p = sub.add_parser("add", parents=[common], help="record one credit")
    p.add_argument("staff_id")
    p.add_argument("--kind", required=True, help=", ".join(store.KINDS))
    p.add_argument("--title", required=True)
    p.add_argument("--date", required=True, help="YYYY-MM-DD")
    p.add_argument("--hours", help="credit hours (more than 0, at most 24)")
    p.add_argument("--by", default="admin", help="who records it (for the audit trail)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=add)
    p = sub.add_parser("import", parents=[common], help="import credits from CSV or XLSX")
    p.add_argument("file", type=Path)
    p.add_argument("--by", default="admin", help="who records them (for the audit trail)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=import_credits)
    p = sub.add_parser("list", parents=[common], help="list credits")
    p.add_argument("--staff", metavar="ID")
    p.add_argument("--year", metavar="YYYY")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=list_credits)


def refuse_on_a_mirror(ctx: Context) -> None:
    """Credits are recorded at the centre and pulled to the homes; a home that mirrors a centre
    (``[sync] central`` set, its own database not the centre) pushes no credit, so one recorded
    there would stay on that machine while the clerk was told it was recorded — and the centre's
    annual report would never count it. Refused, naming the ``--db`` that works."""
    from db import database

    central = (ctx.settings.central_url or "").strip()
    if central and ctx.settings.db_url.strip() != central:
        raise CommandError(t("records.credit.on_mirror", centre=database.redact_url(central)))


def add(ctx: Context) -> int:
    a = ctx.args
    refuse_on_a_mirror(ctx)
    ctx.database()
    try:
        record = build_credit(staff_id=a.staff_id, kind=a.kind, title=a.title, date=a.date,
                              hours=a.hours, tz=ctx.tz, now=timefmt.utc_now())
    except CreditError as exc:
        raise CommandError(str(exc)) from None
    [(uid, what)] = store.record_credits([record], actor=a.by, kiosk_id=ctx.settings.kiosk_id)
    [row] = [r for r in store.credits_between(record.date, record.date, record.staff_key)
             if r["uid"] == uid]
    if a.json:
        ctx.json({**credit_json(row), "status": what})
    else:
        ctx.out(_said(what, row))
    return 0


def import_credits(ctx: Context) -> int:
    refuse_on_a_mirror(ctx)
    ctx.database()
    try:
        records = parse_credit_file(ctx.args.file, ctx.tz, timefmt.utc_now())
    except ImportProblems as exc:
        raise CommandError(exc.refusal()) from None
    done = store.record_credits(records, actor=ctx.args.by, kiosk_id=ctx.settings.kiosk_id)
    counts = {what: sum(1 for _, w in done if w == what) for what in ("added", "updated", "unchanged")}
    if ctx.args.json:
        ctx.json({"uids": [uid for uid, _ in done], **counts})
    else:
        ctx.out(t("import.summary", **counts))
    return 0


def list_credits(ctx: Context) -> int:
    import datetime as dt

    a = ctx.args
    ctx.database()
    first, last = dt.date(1900, 1, 1), dt.date(9999, 12, 31)
    if a.year:
        from kiosk.cli.report import _year

        year = _year(a.year)
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    key = rules.normalise_staff_id(a.staff) if a.staff else None
    if key is not None and not store.staff_exists(key):
        raise CommandError(t("cli.unknown_staff", value=a.staff.strip()))
    rows = store.credits_between(first, last, key)
    if a.json:
        ctx.json([credit_json(r) for r in rows])
        return 0
    if not rows:
        ctx.out(t("records.credit.none"))
        return 0
    headers = [t("col.staff_id"), t("col.name"), t("col.department"), t("records.col.date"),
               t("records.col.kind"), t("records.col.title"), t("records.col.hours")]
    ctx.out(render(headers, [[r["staff_id"], r["name"], r["department"], r["date"].isoformat(),
                              t(f"records.credit_kind.{r['kind']}"), r["title"],
                              "" if r["hours"] is None else f"{r['hours']:g}"] for r in rows]))
    return 0


def credit_json(row: dict) -> dict:
    return {"uid": row["uid"], "staff_id": row["staff_id"], "name": row["name"],
            "department": row["department"], "kind": row["kind"], "title": row["title"],
            "date": row["date"].isoformat(), "hours": row["hours"],
            "recorded_by": row["recorded_by"]}


def _said(what: str, row: dict) -> str:
    hours = "" if row["hours"] is None else t("records.credit.hours_suffix", hours=f"{row['hours']:g}")
    return t(f"records.credit.{what}", name=row["name"], kind=t(f"records.credit_kind.{row['kind']}"),
             title=row["title"], date=row["date"].isoformat(), hours=hours)
