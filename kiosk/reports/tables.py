"""The report model laid out as titled tables — the common ground of the CSV, XLSX, md and HTML.

A :class:`Table` keeps raw values (numbers stay numbers, rates stay 0–1 fractions); columns listed
in ``percent`` are rates that each renderer shows as a percentage in its own way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.i18n import t

COUNT_COLUMNS = ("expected", "attended", "present", "late", "excused", "absent", "visitors",
                 "early_leaves")
RATE_COLUMNS = ("rate", "rate_excluding_excused")


@dataclass
class Table:
    key: str  # summary | departments | people | sessions | detail | warnings | targets
    title: str
    headers: list[str]
    rows: list[list]
    percent: set[int] = field(default_factory=set)
    percent_cells: set[tuple[int, int]] = field(default_factory=set)  # (row, column) in ``rows``

    def is_percent(self, row: int, column: int) -> bool:
        return column in self.percent or (row, column) in self.percent_cells


def _table(key: str, columns: list[str], rows: list[list]) -> Table:
    return Table(key=key, title=t(f"report.section.{key}"),
                 headers=[t(f"report.col.{c}") for c in columns], rows=rows,
                 percent={i for i, c in enumerate(columns) if c in RATE_COLUMNS})


def _pick(entry: dict, columns: list[str]) -> list:
    return [entry.get(c) for c in columns]


def monthly_tables(report: dict, *, detail: bool = True) -> list[Table]:
    """汇总, 按部门, 按人员, 按场次, (预警名单), 明细 — in that order."""
    totals = report["totals"]
    summary_keys = ["sessions", "expected", "attended", "present", "late", "excused", "absent",
                    "in_progress", "visitors", "early_leaves", "rate", "rate_excluding_excused"]
    summary = Table(key="summary", title=t("report.section.summary"),
                    headers=[t("report.col.item"), t("report.col.value")],
                    rows=[[t("report.col.month"), report["month"]]]
                    + [[t(f"report.col.{k}"), totals[k]] for k in summary_keys])
    summary.percent_cells = {(1 + summary_keys.index(k), 1) for k in RATE_COLUMNS}
    dept_cols = ["rank", "department", "people", *COUNT_COLUMNS, *RATE_COLUMNS]
    people_cols = ["staff_id", "name", "department", *COUNT_COLUMNS, "sessions_attended",
                   "credit_hours", *RATE_COLUMNS]
    session_cols = ["session_id", "title", "kind", "state", "start", "location", "credit_hours",
                    *COUNT_COLUMNS, *RATE_COLUMNS]
    sessions = [_pick({**s, "session_id": s["id"], "kind": t(f"kind.{s['kind']}"),
                       "state": t(f"records.state.{s['state']}"),
                       "start": s["start"][:16].replace("T", " ")}, session_cols)
                for s in report["sessions"]]
    tables = [
        summary,
        _table("departments", dept_cols, [_pick(d, dept_cols) for d in report["departments"]]),
        _table("people", people_cols, [_pick(p, people_cols) for p in report["people"]]),
        _table("sessions", session_cols, sessions),
    ]
    if report["warnings"]:
        warn_cols = ["staff_id", "name", "department", "rate", "absent", "reasons"]
        tables.append(_table("warnings", warn_cols, [
            [w["staff_id"], w["name"], w["department"], w["rate"], w["absent"],
             _reasons(w)] for w in report["warnings"]]))
    if detail:
        detail_cols = ["session_id", "title", "start", "staff_id", "name", "department", "status",
                       "signed_in_at", "signed_out_at", "early_leave", "method"]
        tables.append(_table("detail", detail_cols, [
            [d["session_id"], d["title"], _wall(d["start"]), d["staff_id"], d["name"],
             d["department"], t(f"status.{d['status']}"), _wall(d["signed_in_at"]),
             _wall(d["signed_out_at"]), t("report.yes") if d["early_leave"] else "",
             t(f"method.{d['method']}") if d["method"] else ""] for d in report["detail"]]))
    return tables


def annual_tables(report: dict) -> list[Table]:
    """汇总 (targets and counts) and 按人员 (one row per person and target)."""
    summary = Table(key="summary", title=t("report.section.summary"),
                    headers=[t("report.col.target"), t("report.col.required"),
                             t("report.col.kind"), t("report.col.behind")],
                    rows=[])
    for target in report["targets"]:
        behind = sum(1 for p in report["people"] for x in p["targets"]
                     if x["name"] == target["name"] and not x["met"])
        unit = t(f"report.metric.{target['metric']}")
        kinds = t("report.bulletin.list_sep").join(t(f"kind.{k}") for k in target["kinds"])
        summary.rows.append([f"{target['name']} ({target['who']})", f"{target['required']:g} {unit}",
                             kinds, behind])
    summary.rows.append([t("report.col.months_left"), report["months_left"], "", ""])
    cols = ["staff_id", "name", "department", "credit_hours", "sessions_attended", "articles",
            "target", "required", "achieved", "met", "shortfall", "per_month_needed"]
    rows = []
    for p in report["people"]:
        base = [p["staff_id"], p["name"], p["department"], p["credit_hours"], p["sessions_attended"],
                p["credits"]["articles"]]
        if not p["targets"]:
            rows.append(base + [None] * 6)
        for x in p["targets"]:
            rows.append(base + [x["name"], x["required"], x["achieved"],
                                t("report.yes") if x["met"] else t("report.no"), x["shortfall"],
                                x["per_month_needed"]])
    return [summary, _table("people", cols, rows)]


def _reasons(warning: dict) -> str:
    from kiosk.reports.bulletin import warning_detail

    return warning_detail(warning)


def _wall(iso: str | None) -> str:
    return iso[:16].replace("T", " ") if iso else ""
