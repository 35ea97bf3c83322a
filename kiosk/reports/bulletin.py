"""The study bulletin (学习情况通报) in the office's usual form, built from the report model.

Its numbers are the model's numbers: 应到 = totals.expected, 实到 = present + late, the rate is
totals.rate shown as a percentage with one decimal (:func:`percent`).

Layout of the text: a head block (the title "…学习情况通报", the issue "2026年第N期" when the month
has one, the period), a blank line, then one paragraph a line. Renderers use :func:`bulletin_parts`
so the title is shown once, as the section heading, not under a second heading of the same words.
"""

from __future__ import annotations

from itertools import groupby

from kiosk.i18n import t


def percent(rate: float | None) -> str:
    """A 0–1 fraction as ``75.0%``; an undefined rate as a dash."""
    return t("report.rate_none") if rate is None else f"{rate * 100:.1f}%"


def monthly_bulletin(report: dict) -> str:
    year, month = (int(part) for part in report["month"].split("-"))
    lines = [t("report.bulletin.title", office=report.get("office") or "").strip()]
    if report["issue"] is not None:  # a month without sessions issues no numbered bulletin
        lines.append(issue_line(report))
    lines += [t("report.bulletin.period", year=year, month=month), ""]
    for paragraphs in bulletin_sections(report).values():
        lines += paragraphs
    return "\n".join(lines)


def issue_line(report: dict) -> str:
    """"2026年第3期" (numbered per year) or "第48期" (the office's running count)."""
    if report.get("issue_scheme") == "running":
        return t("records.bulletin.issue_running", issue=report["issue"])
    return t("report.bulletin.issue", year=int(report["month"][:4]), issue=report["issue"])


def bulletin_sections(report: dict) -> dict[str, list[str]]:
    """The bulletin's paragraphs by part — ``summary``, ``absentees``, ``ranking``,
    ``attention`` (the parts with nothing to say are empty) — for the text and the Word layout."""
    totals = report["totals"]
    as_of = "" if report.get("complete", True) else _as_of(report["as_of"])
    running = totals.get("in_progress", 0)
    sections: dict[str, list[str]] = {"summary": [], "absentees": [], "ranking": [], "attention": []}
    if not totals["sessions"]:
        if running:  # never "no sessions held" while one is running
            sections["summary"].append(as_of + t("records.bulletin.only_running", count=running))
        elif as_of:
            sections["summary"].append(as_of + t("records.bulletin.none_yet"))
        else:
            sections["summary"].append(t("report.bulletin.none"))
        return sections
    sep = t("report.bulletin.list_sep")
    kinds = sep.join(t("report.bulletin.kind_count", kind=t(f"kind.{kind}"), count=count)
                     for kind, count in totals["kinds"].items())
    sections["summary"].append(as_of + t(
        "report.bulletin.summary", sessions=totals["sessions"], kinds=kinds,
        expected=totals["expected"], attended=totals["attended"], rate=percent(totals["rate"]),
        late=totals["late"], excused=totals["excused"], absent=totals["absent"],
        early=totals["early_leaves"], visitors=totals["visitors"]))
    if running:
        sections["summary"].append(t("records.bulletin.running", count=running))
    sections["absentees"].append(_absentees(report["people"]))
    if report["departments"]:
        ranked = sorted(report["departments"], key=lambda d: d["rank"])
        items = t("report.bulletin.group_sep").join(
            t("report.bulletin.rank_item", rank=d["rank"], department=d["department"],
              rate=percent(d["rate"])) for d in ranked)
        sections["ranking"].append(t("report.bulletin.ranking", list=items))
    if report["warnings"]:
        items = sep.join(t("report.bulletin.attention_item", name=w["name"],
                           department=w["department"], detail=warning_detail(w))
                         for w in report["warnings"])
        sections["attention"].append(t("report.bulletin.attention", list=items))
    return sections


def _as_of(iso: str) -> str:
    """"截至12月1日," — the day the figures of a month in progress hold for."""
    return t("records.bulletin.as_of", month=int(iso[5:7]), day=int(iso[8:10]))


def bulletin_parts(text: str) -> tuple[str, list[str], list[str]]:
    """The bulletin split for layout: (title, the other head lines, the body paragraphs)."""
    head, _, body = text.partition("\n\n")
    head_lines = head.split("\n")
    return head_lines[0], head_lines[1:], [line for line in body.split("\n") if line]


def warning_detail(warning: dict) -> str:
    parts = []
    if "low_rate" in warning["reasons"]:
        parts.append(t("report.warning.low_rate", rate=percent(warning["rate"])))
    if "absences" in warning["reasons"]:
        parts.append(t("report.warning.absences", count=warning["absent"]))
    return t("report.bulletin.list_sep").join(parts)


def _absentees(people: list[dict]) -> str:
    """Absentees named, grouped by department in the report's department order."""
    absent = [p for p in people if p["absent"]]
    if not absent:
        return t("report.bulletin.no_absentees")
    groups = []
    for department, members in groupby(absent, key=lambda p: p["department"]):
        names = t("report.bulletin.list_sep").join(
            t("report.bulletin.absentee", name=p["name"], count=p["absent"]) for p in members)
        groups.append(t("report.bulletin.dept_group", department=department, names=names))
    return t("report.bulletin.absentees", list=t("report.bulletin.group_sep").join(groups))
