"""``kiosk session add|import|list``."""

from __future__ import annotations

from pathlib import Path

from db import queries
from db.sessions import add_session, upsert_session
from kiosk import rules, timefmt
from kiosk.cli.context import CommandError, Context
from kiosk.cli.tables import render
from kiosk.i18n import t
from kiosk.plan import PlanError, build_session, parse_plan
from kiosk.roster import ImportProblems


def register(commands, common) -> None:
    session = commands.add_parser("session", help="study sessions")
    sub = session.add_subparsers(dest="action", metavar="ACTION", parser_class=commands._parser_class)
    sub.required = True
    p = sub.add_parser("add", parents=[common], help="add a session")
    p.add_argument("--title", required=True)
    p.add_argument("--kind", required=True, help=", ".join(rules.KINDS))
    p.add_argument("--start", required=True, help='"YYYY-MM-DD HH:MM" (local time)')
    p.add_argument("--end", required=True, help='"YYYY-MM-DD HH:MM" (local time)')
    p.add_argument("--audience", default="all", help="all, or dept:NAME,group:NAME,staff:ID")
    p.add_argument("--location", default="")
    p.add_argument("--speaker", default="")
    p.add_argument("--credit-hours")
    p.add_argument("--require-signout", action="store_true")
    p.add_argument("--open-before", type=int, default=30, help="minutes before start (default 30)")
    p.add_argument("--late-after", type=int, default=5, help="grace minutes (default 5)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=add)
    p = sub.add_parser("import", parents=[common], help="import a study plan (CSV/XLSX)")
    p.add_argument("file", type=Path)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=import_plan)
    p = sub.add_parser("list", parents=[common], help="list sessions")
    p.add_argument("--date", help="YYYY-MM-DD (local)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=list_sessions)


def add(ctx: Context) -> int:
    db = ctx.database()
    a = ctx.args
    if not (0 <= a.open_before <= 1440 and 0 <= a.late_after <= 1440):
        raise CommandError(t("import.bad_value", column="minutes", value=a.open_before))
    try:
        item = build_session(title=a.title, kind=a.kind, start=a.start, end=a.end, tz=ctx.tz,
                             audience=a.audience, location=a.location, speaker=a.speaker,
                             credit_hours=a.credit_hours, require_signout=a.require_signout,
                             open_before=a.open_before, late_after=a.late_after)
    except PlanError as exc:
        raise CommandError(str(exc)) from None
    with db.atomic():
        session_id = add_session(item.fields, item.audience)
    if a.json:
        ctx.json({"id": session_id})
    else:
        ctx.out(str(session_id))
    return 0


def import_plan(ctx: Context) -> int:
    db = ctx.database()
    try:
        items = parse_plan(ctx.args.file, ctx.tz)
    except ImportProblems as exc:
        raise CommandError("\n".join([t("import.refused", count=len(exc.problems))]
                                     + exc.lines())) from None
    with db.atomic():
        done = [upsert_session(item.fields, item.audience) for item in items]
    counts = {what: sum(1 for _, w in done if w == what) for what in ("added", "updated", "unchanged")}
    if ctx.args.json:
        ctx.json({"ids": [sid for sid, _ in done], **counts})
    else:
        ctx.out(t("import.summary", **counts))
    return 0


def session_json(row: dict, tz) -> dict:
    return {
        "id": row["id"], "title": row["title"], "kind": row["kind"],
        "start": timefmt.iso(row["start"], tz), "end": timefmt.iso(row["end"], tz),
        "location": row["location"], "speaker": row["speaker"],
        "credit_hours": row["credit_hours"] if row["credit_hours"] is not None else round(
            (row["end"] - row["start"]).total_seconds() / 3600, 2),
        "audience": rules.audience_spec(rules.audience_from_terms(row["audience"])),
        "require_signout": bool(row["require_signout"]),
        "open_before": row["open_before"], "late_after": row["late_after"],
    }


def list_sessions(ctx: Context) -> int:
    ctx.database()
    if ctx.args.date:
        day = timefmt.parse_date(ctx.args.date)
        start, end = timefmt.day_bounds_utc(day, ctx.tz)
        rows = queries.sessions_between(start, end)
    else:
        import datetime as dt

        rows = queries.sessions_between(dt.datetime(1900, 1, 1), dt.datetime(9999, 1, 1))
    if ctx.args.json:
        ctx.json([session_json(r, ctx.tz) for r in rows])
        return 0
    headers = [t(f"col.{c}") for c in ("id", "session_title", "kind", "start", "end", "location")]
    ctx.out(render(headers, [[str(r["id"]), r["title"], t(f"kind.{r['kind']}"),
                              timefmt.wall(r["start"], ctx.tz), timefmt.hhmm(r["end"], ctx.tz),
                              r["location"]] for r in rows]))
    return 0
