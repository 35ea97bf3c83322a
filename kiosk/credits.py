"""Credits outside sessions (SPEC §10): one credit from CLI options or a row of an imported file,
validated before anything is written.

Refused: an unknown person, a kind that is not one of :data:`db.credits.KINDS` (its code or its
zh/en name), an empty or over-long title or one with control characters, a date that is not
``YYYY-MM-DD`` or lies after today (in the office's zone), and hours ≤ 0 or > 24. Hours are
optional (an article may count as an article only); an inactive person may still be credited
(the work was done while they were here).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

from db import queries
from db.credits import KINDS, CreditRecord
from kiosk import rules, timefmt
from kiosk.i18n import TABLE, t
from kiosk.roster import ImportProblems, _table_message, require_columns
from kiosk.tabular import TableError, cell, column_index, read_table, split_unreadable_rows
from kiosk.text_safety import has_controls

COLUMNS = {
    "staff_id": ("staff_id", "工号", "staff id"),
    "kind": ("kind", "类型", "类别"),
    "title": ("title", "标题", "名称", "题目"),
    "date": ("date", "日期"),
    "hours": ("hours", "学时", "credit_hours"),
}
REQUIRED = ("staff_id", "kind", "title", "date")
KIND_WORDS = {"调研文章": "article", "学习体会": "article", "心得体会": "article", "文章": "article",
              "自学": "self_study", "个人自学": "self_study", "培训": "training", "考察": "trip",
              "学习考察": "trip", "参观考察": "trip", "其他": "other"}
MAX_HOURS = 24.0
DAY_PATTERN = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?: 00:00)?")


class CreditError(ValueError):
    """One invalid field; ``str(exc)`` is already translated."""


def kind_from_text(text: str) -> str:
    value = (text or "").strip()
    if value.lower() in KINDS:
        return value.lower()
    if value in KIND_WORDS:
        return KIND_WORDS[value]
    for kind in KINDS:
        zh, en = TABLE[f"records.credit_kind.{kind}"]
        if value == zh or value.lower() == en.lower():
            return kind
    raise CreditError(t("records.credit.bad_kind", value=value, choices=", ".join(KINDS)))


def build_credit(*, staff_id: str, kind: str, title: str, date: str, hours: str | float | None,
                 tz: ZoneInfo, now: dt.datetime, known: set[str] | None = None) -> CreditRecord:
    """One validated credit; ``known`` (normalised keys) spares a lookup per row of a file."""
    key = rules.normalise_staff_id(staff_id or "")
    if not key:
        raise CreditError(t("records.credit.no_staff"))
    exists = key in known if known is not None else queries.staff_row(key) is not None
    if not exists:
        raise CreditError(t("cli.unknown_staff", value=staff_id.strip()))
    kind_code = kind_from_text(kind)
    title = (title or "").strip()
    if not title:
        raise CreditError(t("records.credit.no_title"))
    if len(title) > 200 or has_controls(title):
        raise CreditError(t("cli.bad_title"))
    day = _day(date)
    today = timefmt.local(now, tz).date()
    if day > today:
        raise CreditError(t("records.credit.future_date", value=day.isoformat(),
                            today=today.isoformat()))
    return CreditRecord(staff_key=key, kind=kind_code, title=title, date=day, hours=_hours(hours))


def _day(text: str) -> dt.date:
    """A calendar day as people write it: ``2026-05-06``, ``2026/5/6``, ``2026.5.6``,
    ``2026年5月6日``, or an XLSX date cell (read as ``2026-05-06 00:00``)."""
    value = (text or "").strip()
    match = DAY_PATTERN.fullmatch(value)
    if match:
        value = "{}-{:0>2}-{:0>2}".format(*match.groups())
    try:
        return timefmt.parse_date(value)
    except timefmt.BadTime:
        if _is_iso_day(value) and int(value[:4]) < timefmt.MIN_YEAR:  # well written, too early
            raise CreditError(t("records.credit.date_out_of_range", value=text,
                                first=timefmt.MIN_YEAR)) from None
        raise CreditError(t("records.credit.bad_date", value=text)) from None


def _is_iso_day(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _hours(value) -> float | None:
    try:
        hours = rules.optional_hours(value, most=MAX_HOURS)
        if hours is not None and round(hours, 2) <= 0:
            raise ValueError(value)  # (kept to 0.01 h: 0.0001 would be stored as 0 hours)
    except ValueError:
        raise CreditError(t("records.credit.bad_hours", value=value)) from None
    return None if hours is None else round(hours, 2)


def parse_credit_file(path: Path, tz: ZoneInfo, now: dt.datetime) -> list[CreditRecord]:
    """Every row of a credits file, validated; raises :class:`ImportProblems` with line numbers
    (all or nothing, like the roster and the study plan)."""
    try:
        header, body = read_table(path)
    except TableError as exc:
        raise ImportProblems([(0, _table_message(exc))]) from None
    if len({h.lower() for h in header if h}) != len([h for h in header if h]):
        raise ImportProblems([(1, t("records.credit.repeated_column"))])
    try:
        cols = column_index(header, COLUMNS)
    except TableError as exc:  # one column under two of its names ("name" and "姓名")
        raise ImportProblems([(0, _table_message(exc))]) from None
    require_columns(cols, body, COLUMNS, REQUIRED)
    body, problems = split_unreadable_rows(body)
    ids = [rules.normalise_staff_id(cell(cells, cols["staff_id"])) for _, cells in body]
    known = queries.staff_keys(sorted({k for k in ids if k}))
    records, seen = [], {}
    for line, cells in body:
        try:
            record = build_credit(
                staff_id=cell(cells, cols["staff_id"]), kind=cell(cells, cols["kind"]),
                title=cell(cells, cols["title"]), date=cell(cells, cols["date"]),
                hours=cell(cells, cols.get("hours")), tz=tz, now=now, known=known)
        except CreditError as exc:
            problems.append((line, str(exc)))
            continue
        same = (record.staff_key, record.kind, record.title, record.date)
        if same in seen:
            problems.append((line, t("records.credit.repeats_line", other=seen[same])))
            continue
        seen[same] = line
        records.append(record)
    if problems:
        raise ImportProblems(problems)
    return records
