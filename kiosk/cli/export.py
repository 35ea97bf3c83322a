"""``kiosk export log``: the sign-in event log as CSV (BOM), XLSX or JSONL."""

from __future__ import annotations

import datetime as dt

from db import queries
from db.redact import drop_badge_signatures
from kiosk import timefmt
from kiosk.cli.context import CommandError, Context
from kiosk.i18n import t
from kiosk.sheets import csv_bytes, write_bytes, xlsx_bytes
from kiosk.text_safety import json_text

EARLIEST, LATEST = dt.datetime(1970, 1, 1), dt.datetime(9999, 1, 1)
FIELDS = ("event_id", "time", "kiosk", "method", "result", "reason", "staff_id", "name",
          "department", "session", "session_title", "input", "note", "actor")


def register(commands, common) -> None:
    export = commands.add_parser("export", help="exports")
    sub = export.add_subparsers(dest="what", metavar="WHAT", parser_class=commands._parser_class)
    sub.required = True
    p = sub.add_parser("log", parents=[common], help="the sign-in event log")
    p.add_argument("--month", help="YYYY-MM")
    p.add_argument("--from", dest="date_from", metavar="D", help="YYYY-MM-DD (inclusive)")
    p.add_argument("--to", dest="date_to", metavar="D", help="YYYY-MM-DD (inclusive)")
    p.add_argument("--format", choices=["csv", "xlsx", "jsonl"], required=True)
    p.add_argument("--out", required=True, metavar="FILE", help="file, or - for standard output")
    p.set_defaults(handler=export_log)


def period(ctx: Context) -> tuple[dt.datetime, dt.datetime]:
    """The UTC span to export: ``--month``, or ``--from``/``--to`` (either may be left open),
    or — with neither — the whole log."""
    a = ctx.args
    if a.month and (a.date_from or a.date_to):
        raise CommandError(t("cli.bad_range"), code=2)
    if a.month:
        return timefmt.month_bounds_utc(*timefmt.parse_month(a.month), ctx.tz)
    start, end = EARLIEST, LATEST
    if a.date_from:
        start = timefmt.day_bounds_utc(timefmt.parse_date(a.date_from), ctx.tz)[0]
    if a.date_to:
        end = timefmt.day_bounds_utc(timefmt.parse_date(a.date_to), ctx.tz)[1]
    if end <= start:
        raise CommandError(t("cli.range_reversed"))
    return start, end


def log_rows(ctx: Context, start: dt.datetime, end: dt.datetime) -> list[dict]:
    events = list(queries.events_between(start, end).dicts())
    names = queries.staff_names({e["staff_key"] for e in events if e["staff_key"]})
    titles = {}
    for sid in {e["session_id"] for e in events if e["session_id"]}:
        row = queries.session_by_id(sid)
        titles[sid] = row["title"] if row else ""
    out = []
    for e in events:
        name, dept = names.get(e["staff_key"], ("", ""))
        out.append({
            "event_id": e["id"], "time": timefmt.iso(e["at"], ctx.tz), "kiosk": e["kiosk_id"],
            "method": e["method"], "result": e["result"], "reason": e["reason"] or "",
            "staff_id": e["staff_key"] or "", "name": name, "department": dept,
            "session": e["session_id"], "session_title": titles.get(e["session_id"], ""),
            # a second line of defence (SPEC §7): a signature an old door once sent stays out
            "input": drop_badge_signatures(e["input"] or "", scanned=True),
            "note": drop_badge_signatures(e["note"] or ""), "actor": e["actor"],
        })
    return out


def export_log(ctx: Context) -> int:
    start, end = period(ctx)
    ctx.database()
    rows = log_rows(ctx, start, end)
    fmt = ctx.args.format
    if fmt == "jsonl":
        data = "".join(json_text(r) + "\n" for r in rows).encode("utf-8")
    else:
        headers = [t(f"col.{_col(f)}") for f in FIELDS]
        table = [[r[f] for f in FIELDS] for r in rows]
        data = (csv_bytes(headers, table) if fmt == "csv"
                else xlsx_bytes([(t("export.log_sheet"), headers, table)]))
    try:
        write_bytes(ctx.args.out, data)
    except OSError:
        raise CommandError(t("cli.cannot_write", path=ctx.args.out)) from None
    if ctx.args.out != "-":
        ctx.out(t("cli.written", path=ctx.args.out, count=len(rows)))
    return 0


def _col(field: str) -> str:
    return {"time": "time", "kiosk": "kiosk", "session_title": "session_title"}.get(field, field)
