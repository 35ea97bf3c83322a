"""``kiosk session add|import|list``."""

from __future__ import annotations

from pathlib import Path

from db import queries
from kiosk import rules, timefmt
from kiosk.cli.context import CommandError, Context
from kiosk.cli.tables import render
from kiosk.i18n import t
from kiosk.plan import parse_plan
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
    p.add_argument("--dry-run", action="store_true",
                   help="print every change and every problem, write nothing")
    p = sub.add_parser("edit", parents=[common],
                       help="change a session (the expected list follows; no sign-in is lost)")
    p.add_argument("session_id", type=int, metavar="SID")
    p.add_argument("--title")
    p.add_argument("--kind", help=", ".join(rules.KINDS))
    p.add_argument("--start", help='"YYYY-MM-DD HH:MM" (local time)')
    p.add_argument("--end", help='"YYYY-MM-DD HH:MM" (local time)')
    p.add_argument("--audience", help="all, or dept:NAME,group:NAME,staff:ID")
    p.add_argument("--location")
    p.add_argument("--speaker")
    p.add_argument("--credit-hours")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=edit)
    p = sub.add_parser("cancel", parents=[common],
                       help="cancel a session (kept and shown as cancelled, out of every report)")
    p.add_argument("session_id", type=int, metavar="SID")
    p.add_argument("--reason", required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cancel)
    p = sub.add_parser("list", parents=[common], help="list sessions")
    p.add_argument("--date", help="YYYY-MM-DD (local)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=list_sessions)


def add(ctx: Context) -> int:
    from kiosk.lifecycle import Refused

    ctx.database()
    a = ctx.args
    if not (0 <= a.open_before <= 1440 and 0 <= a.late_after <= 1440):
        raise CommandError(t("import.bad_value", column="minutes", value=a.open_before))
    try:
        session_id = ctx.admin_actions().add_session(
            title=a.title, kind=a.kind, start=a.start, end=a.end, audience=a.audience,
            location=a.location, speaker=a.speaker, credit_hours=a.credit_hours,
            require_signout=a.require_signout, open_before=a.open_before,
            late_after=a.late_after)
    except Refused as exc:
        raise CommandError(str(exc)) from None
    if a.json:
        ctx.json({"id": session_id})
    else:
        ctx.out(str(session_id))
    return 0


def import_plan(ctx: Context) -> int:
    if not ctx.args.dry_run:
        ctx.admin_actions()  # a mirror home is refused before the file is read
    ctx.database()
    if ctx.args.dry_run:
        from kiosk.cli.preview import print_preview
        from kiosk.previews import preview_plan

        return print_preview(ctx, preview_plan(ctx.args.file, ctx.tz))
    try:
        items = parse_plan(ctx.args.file, ctx.tz)
    except ImportProblems as exc:
        raise CommandError(exc.refusal()) from None
    done = ctx.admin_actions().import_plan(items)
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
        "cancelled": row.get("cancelled_at") is not None,
        "cancel_reason": row.get("cancel_reason") or None,
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
    headers = [t(f"col.{c}") for c in ("id", "session_title", "kind", "start", "end", "location",
                                        "state")]
    ctx.out(render(headers, [[str(r["id"]), r["title"], t(f"kind.{r['kind']}"),
                              timefmt.wall(r["start"], ctx.tz), timefmt.hhmm(r["end"], ctx.tz),
                              r["location"], session_state(r)] for r in rows]))
    return 0


def session_state(row: dict) -> str:
    """"scheduled", or "cancelled: reason" — a cancelled session stays listed, marked."""
    if row.get("cancelled_at") is None:
        return t("admin.state.active")
    return f"{t('admin.state.cancelled')}: {row.get('cancel_reason') or ''}".rstrip(": ")


def edit(ctx: Context) -> int:
    from kiosk.lifecycle import EDITABLE, Refused

    a = ctx.args
    changes = {name: getattr(a, name) for name in EDITABLE}
    if all(v is None for v in changes.values()):
        raise CommandError(t("admin.nothing_to_edit"), code=2)
    try:
        done = ctx.admin_actions().edit_session(a.session_id, **changes)
    except Refused as exc:
        raise CommandError(str(exc)) from None
    if a.json:
        ctx.json({"id": done.session_id, "changed": list(done.changed), "added": done.added,
                  "removed": done.removed, "visitors": done.demoted})
        return 0
    ctx.out(t("admin.edited", session=done.session_id,
              fields=t("admin.list_sep").join(t(f"field.{name}") for name in done.changed)))
    if done.added or done.removed or done.demoted:
        ctx.out(t("admin.expected_follow", added=done.added, removed=done.removed,
                  demoted=done.demoted))
    return 0


def cancel(ctx: Context) -> int:
    from kiosk.lifecycle import Refused

    a = ctx.args
    try:
        row = ctx.admin_actions().cancel_session(a.session_id, a.reason)
    except Refused as exc:
        raise CommandError(str(exc)) from None
    if a.json:
        ctx.json({"id": a.session_id, "cancelled": True})
    else:
        ctx.out(t("admin.cancelled", session=a.session_id, title=row["title"],
                  reason=" ".join(a.reason.split())))
    return 0
