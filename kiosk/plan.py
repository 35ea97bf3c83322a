"""Study-plan input: one session from CLI options or one row of an imported plan, validated."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from db import queries
from kiosk import rules, timefmt
from kiosk.i18n import TABLE, t
from kiosk.roster import ImportProblems, control_problem, read_import
from kiosk.tabular import cell, column_index, split_unreadable_rows

COLUMNS = {
    "title": ("title", "标题", "名称", "主题"),
    "kind": ("kind", "类型", "形式"),
    "start": ("start", "开始", "开始时间"),
    "end": ("end", "结束", "结束时间"),
    "location": ("location", "地点"),
    "speaker": ("speaker", "主讲", "主讲人", "主持"),
    "credit_hours": ("credit_hours", "学时"),
    "audience": ("audience", "对象", "参加对象"),
    "require_signout": ("require_signout", "签退"),
    "open_before": ("open_before", "提前签到分钟"),
    "late_after": ("late_after", "迟到宽限分钟"),
}
REQUIRED = ("title", "kind", "start", "end")
MAX_SESSION = dt.timedelta(hours=24)  # SPEC §7: a multi-day training is one session a day


class PlanError(ValueError):
    """One invalid session field; ``str(exc)`` is already translated."""


@dataclass
class SessionInput:
    fields: dict
    audience: list[tuple[str, str]]


def kind_from_text(text: str) -> str:
    """A kind code from its code or its zh/en label (``central_group``, ``中心组集中学习``)."""
    value = text.strip()
    if value in rules.KINDS:
        return value
    for kind in rules.KINDS:
        zh, en = TABLE[f"kind.{kind}"]
        if value in (zh, en) or value.lower() == en.lower():
            return kind
    raise PlanError(t("cli.bad_kind", value=value, choices=", ".join(rules.KINDS)))


def build_session(*, title: str, kind: str, start: str, end: str, tz: ZoneInfo,
                  audience: str = "all", location: str = "", speaker: str = "",
                  credit_hours: str | float | None = None, require_signout: bool = False,
                  open_before: int = 30, late_after: int = 5) -> SessionInput:
    """Validate one session against the rules and the roster; raises :class:`PlanError`."""
    title = (title or "").strip()
    for label, text in ((t("col.session_title"), title), (t("col.location"), location or ""),
                        (t("col.speaker"), speaker or ""), (t("col.audience"), audience or "")):
        problem = control_problem(label, text)
        if problem:
            raise PlanError(problem)
    if not title:
        raise PlanError(t("cli.empty_title"))
    if len(title) > 200:
        raise PlanError(t("cli.bad_title"))
    kind_code = kind_from_text(kind)
    try:
        start_utc, end_utc = timefmt.parse_wall(start, tz), timefmt.parse_wall(end, tz)
    except timefmt.BadTime as exc:
        raise PlanError(_time_message(exc)) from None
    if end_utc <= start_utc:
        raise PlanError(t("cli.end_before_start"))
    if end_utc - start_utc > MAX_SESSION:
        raise PlanError(t("cli.session_too_long"))
    hours = _hours(credit_hours)
    terms = _audience(audience)
    return SessionInput(
        fields={"title": title, "kind": kind_code, "start": start_utc, "end": end_utc,
                "location": (location or "").strip()[:200], "speaker": (speaker or "").strip()[:100],
                "credit_hours": hours, "require_signout": bool(require_signout),
                "open_before": open_before, "late_after": late_after},
        audience=terms,
    )


def _time_message(exc: timefmt.BadTime) -> str:
    """A typed time refused: malformed, or missing / doubled by a daylight-saving change."""
    if exc.kind in ("nonexistent", "ambiguous"):
        return t(f"cli.time_{exc.kind}", value=exc.value, tz=exc.tz)
    return t("cli.bad_time", value=exc.value)


def _hours(value) -> float | None:
    try:
        return rules.optional_hours(value, most=1000)
    except ValueError:
        raise PlanError(t("cli.bad_hours", value=value)) from None


def _audience(spec: str) -> list[tuple[str, str]]:
    try:
        audience = rules.parse_audience(spec or "all")
    except ValueError as exc:
        raise PlanError(t("cli.bad_audience", value=str(exc) or spec)) from None
    unknown_depts = audience.departments - queries.department_names()
    if unknown_depts:
        raise PlanError(t("cli.unknown_department", value=", ".join(sorted(unknown_depts))))
    unknown_groups = audience.groups - queries.group_names()
    if unknown_groups:
        raise PlanError(t("cli.unknown_group", value=", ".join(sorted(unknown_groups))))
    unknown_staff = audience.staff - queries.staff_keys(sorted(audience.staff))
    if unknown_staff:
        raise PlanError(t("cli.unknown_staff", value=", ".join(sorted(unknown_staff))))
    return rules.audience_terms(audience)


def parse_plan(path: Path, tz: ZoneInfo) -> list[SessionInput]:
    """Read a study plan file, one session a row; raises :class:`ImportProblems` with lines."""
    cols, body = read_import(path, COLUMNS, REQUIRED)
    body, problems = split_unreadable_rows(body)
    sessions = []
    for line, cells in body:
        try:
            sessions.append(row_session(cells, cols, tz))
        except PlanError as exc:
            problems.append((line, str(exc)))
    if problems:
        raise ImportProblems(problems)
    return sessions


def plan_columns(header: list[str]) -> dict[str, int]:
    """The plan's columns found in ``header`` (either language)."""
    return column_index(header, COLUMNS)


def row_session(cells: list[str], cols: dict[str, int], tz: ZoneInfo) -> SessionInput:
    """One row of a plan file as a validated session; raises :class:`PlanError`."""
    return build_session(
        title=cell(cells, cols["title"]), kind=cell(cells, cols["kind"]),
        start=cell(cells, cols["start"]), end=cell(cells, cols["end"]), tz=tz,
        audience=cell(cells, cols.get("audience")) or "all",
        location=cell(cells, cols.get("location")),
        speaker=cell(cells, cols.get("speaker")),
        credit_hours=cell(cells, cols.get("credit_hours")) or None,
        require_signout=cell(cells, cols.get("require_signout")).lower()
        in ("1", "true", "yes", "是", "y"),
        open_before=_minutes(cell(cells, cols.get("open_before")), 30),
        late_after=_minutes(cell(cells, cols.get("late_after")), 5),
    )


def _minutes(text: str, default: int) -> int:
    if not text:
        return default
    if not text.isdigit() or int(text) > 24 * 60:
        raise PlanError(t("import.bad_value", column="minutes", value=text))
    return int(text)
