"""Roster import: validate every row of a CSV/XLSX file, then upsert all or nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from db.roster import StaffRecord
from kiosk import card_numbers, rules
from kiosk.i18n import t
from kiosk.tabular import TableError, cell, column_index, read_table, split_unreadable_rows
from kiosk.text_safety import escape_char, first_control

COLUMNS = {
    "staff_id": ("staff_id", "工号", "staff id", "id"),
    "name": ("name", "姓名"),
    "department": ("department", "部门", "dept"),
    "groups": ("groups", "分组", "group", "组别"),
    "title": ("title", "职务"),
    "active": ("active", "在职", "状态"),
    "card": ("card", "卡号", "card_no", "card number", "工作证号", "门禁卡号", "ic卡号"),
}
REQUIRED = ("staff_id", "name", "department")
TRUE_WORDS = {"1", "true", "yes", "y", "是", "在职", "t", "active", ""}
FALSE_WORDS = {"0", "false", "no", "n", "否", "离职", "不在职", "f", "inactive", "停用"}
MAX_TEXT = 100


@dataclass
class ImportProblems(Exception):
    """Every problem found, each ``(line, message)``; nothing was written."""

    problems: list[tuple[int, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Each problem on its own line, in the file's order (the file's own problems first)."""
        ordered = sorted(self.problems, key=lambda problem: problem[0])
        return [t("import.line_error", line=n, message=m) if n else m for n, m in ordered]

    def refusal(self) -> str:
        """The import refused, then every problem, one a line (what a command prints)."""
        return "\n".join([t("import.refused", count=len(self.problems))] + self.lines())


def parse_roster(path: Path, card_formats=card_numbers.DEFAULT_FORMATS) -> list[StaffRecord]:
    """Read and validate a roster file; raises :class:`ImportProblems` listing every error.

    ``card_formats``: how the optional card column's numbers are read (``[cards] formats``).
    """
    cols, body = read_import(path, COLUMNS, REQUIRED)
    body, problems = split_unreadable_rows(body)
    records, seen, cards = [], {}, {}
    for line, cells in body:
        record, errors = _parse_row(cells, cols, card_formats)
        problems += [(line, e) for e in errors]
        if record is None:
            continue
        if record.key in seen:
            problems.append((line, t("import.duplicate_id", value=record.staff_id,
                                     other=seen[record.key])))
            continue
        seen[record.key] = line
        if record.card is not None and record.active is not False:  # unique among active staff
            if record.card in cards:
                problems.append((line, t("import.duplicate_card", card=card_numbers.mask(record.card),
                                         other=cards[record.card])))
                continue
            cards[record.card] = line
        records.append(record)
    if problems:
        raise ImportProblems(problems)
    return records


def _parse_row(cells: list[str], cols: dict[str, int], card_formats=card_numbers.DEFAULT_FORMATS
               ) -> tuple[StaffRecord | None, list[str]]:
    errors = []
    # a staff ID typed in full width (Ａ１００１, an IME in 全角 mode) is the ID the kiosk reads
    staff_id = rules.normalise_text(cell(cells, cols["staff_id"])).strip()
    name = cell(cells, cols["name"])
    dept = cell(cells, cols["department"])
    title = cell(cells, cols.get("title"))
    for column, value in (("staff_id", staff_id), ("name", name), ("department", dept)):
        if not value:
            errors.append(t("import.empty_field", column=_label(column)))
    if staff_id and not rules.is_valid_staff_id(staff_id):
        errors.append(t("import.bad_staff_id", value=staff_id[:40]))
    group_text = cell(cells, cols.get("groups"))
    for column, value in (("name", name), ("department", dept), ("title", title),
                          ("groups", group_text)):
        problem = control_problem(_label(column), value)
        if problem:
            errors.append(problem)
        elif len(value) > MAX_TEXT and column != "groups":
            errors.append(t("import.too_long", column=_label(column), max=MAX_TEXT))
    active_text = cell(cells, cols.get("active")).lower()
    active = True
    if active_text in FALSE_WORDS:
        active = False
    elif active_text not in TRUE_WORDS:
        errors.append(t("import.bad_active", value=active_text[:20]))
    groups = tuple(sorted({g.strip() for g in re.split(r"[;；,，、]", group_text) if g.strip()}))
    if any(len(g) > MAX_TEXT for g in groups):
        errors.append(t("import.too_long", column=_label("groups"), max=MAX_TEXT))
    card_text = cell(cells, cols.get("card"))
    card = card_numbers.parse(card_text, card_formats) if card_text else None
    if card_text and card is None:
        errors.append(t("import.bad_card", column=_label("card"),
                        value=card_numbers.mask_text(card_text[:40])))
    if errors:
        return None, errors
    # a column the file does not have is None: the person keeps what the roster already holds
    return StaffRecord(key=rules.normalise_staff_id(staff_id), staff_id=staff_id, name=name,
                       department=dept, title=title if "title" in cols else None,
                       groups=groups if "groups" in cols else None,
                       active=active if "active" in cols else None,
                       card=card, card_column="card" in cols), []


def read_import(path: Path, columns: dict[str, tuple[str, ...]], required: tuple[str, ...]
                ) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    """A file's columns and rows; raises :class:`ImportProblems` when the file as a whole is
    refused (unreadable, a column named twice or missing, no rows) — the roster's and the plan's
    first checks."""
    try:
        header, body = read_table(path)
        cols = column_index(header, columns)
    except TableError as exc:
        raise ImportProblems(table_problems(exc)) from None
    require_columns(cols, body, columns, required)
    return cols, body


def require_columns(cols: dict[str, int], body: list, columns: dict[str, tuple[str, ...]],
                    required: tuple[str, ...]) -> None:
    """Refuse a file lacking a required column (named in English and in Chinese) or any row."""
    missing = [c for c in required if c not in cols]
    if missing:
        names = ", ".join(f"{c}/{columns[c][1]}" for c in missing)
        raise ImportProblems([(1, t("import.missing_columns", columns=names))])
    if not body:
        raise ImportProblems([(0, t("import.empty_file"))])


def _label(column: str) -> str:
    return t(f"col.{column}")


def control_problem(label: str, value: str, key: str = "import.control_chars") -> str | None:
    """The translated refusal of a text holding a control character, or None if it has none."""
    position = first_control(value)
    if position is None:
        return None
    return t(key, column=label, option=label, position=position,
             char=escape_char(value[position - 1]))


def table_problems(exc: TableError) -> list[tuple[int, str]]:
    """A file-level refusal as ``(line, message)`` problems (line 0: the file as a whole)."""
    if exc.problems:  # messages that name their own line ("line 4, 姓名: a formula, …")
        return [(0, t(key, **values)) for _line, key, values in exc.problems]
    values = dict(exc.values)
    line = values.pop("line", 0)
    if exc.key == "import.line_error":
        return [(line, t(values["message"]))]
    if exc.key == "import.bad_encoding_line":
        return [(line, t("import.bad_encoding"))]
    return [(line, t(exc.key, **values))]


def _table_message(exc: TableError) -> str:
    """A file-level refusal as one message (every problem on its own line)."""
    return "\n".join(t("import.line_error", line=n, message=m) if n else m
                     for n, m in table_problems(exc))
