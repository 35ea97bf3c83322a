"""What an import would do, before anything is written: every change and every problem, by line.

``kiosk staff import FILE --dry-run``, ``kiosk session import FILE --dry-run`` and the console's
import dialogs all show this. Problems come from the importers themselves (``parse_roster``,
``parse_plan``: the same checks that refuse a real import); changes compare each valid row with
what the database holds, the way ``upsert_staff``/``upsert_session`` will match it. Read only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from db import queries
from db.models import StudySession
from db.roster import StaffRecord, card_clashes
from kiosk import card_numbers, rules, timefmt
from kiosk.i18n import t
from kiosk.plan import PlanError, SessionInput, parse_plan, plan_columns, row_session
from kiosk.roster import COLUMNS as ROSTER_COLUMNS
from kiosk.roster import ImportProblems, _parse_row, _table_message, parse_roster
from kiosk.tabular import TableError, column_index, read_table, split_unreadable_rows


@dataclass(frozen=True)
class Change:
    """One row's effect: ``action`` is added | updated | unchanged; ``fields`` holds
    ``(field, old, new)`` texts for an update."""

    line: int
    action: str
    key: str
    label: str
    fields: tuple[tuple[str, str, str], ...] = ()


@dataclass
class Preview:
    changes: list[Change] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)

    @property
    def writable(self) -> bool:
        """The real import would go through (it is all or nothing)."""
        return not self.problems

    def as_json(self) -> dict:
        return {"added": self.count("added"), "updated": self.count("updated"),
                "unchanged": self.count("unchanged"), "ok": self.writable,
                "changes": [{"line": c.line, "action": c.action, "key": c.key, "label": c.label,
                             "fields": {f: [old, new] for f, old, new in c.fields}}
                            for c in self.changes if c.action != "unchanged"],
                "problems": [{"line": n, "message": m} for n, m in self.problems]}


def _rows(path: Path, columns) -> tuple[dict[str, int], list[tuple[int, list[str]]]] | None:
    try:
        header, body = read_table(path)
        return columns(header), split_unreadable_rows(body)[0]
    except TableError:  # (a column named twice: parse_* reported it)
        return None


# -- roster ----------------------------------------------------------------------------------------
def preview_roster(path: Path, card_formats=card_numbers.DEFAULT_FORMATS) -> Preview:
    """The roster import of ``path`` as changes and problems; nothing is written."""
    preview = Preview()
    try:
        records = parse_roster(path, card_formats)
    except ImportProblems as exc:
        preview.problems = list(exc.problems)
    else:  # a card another active person holds refuses the import too (db.roster.upsert_staff)
        preview.problems = [(0, t("import.card_taken", card=card_numbers.mask(card), staff_id=key,
                                  other=other)) for key, other, card in card_clashes(records)]
    found = _rows(path, lambda header: column_index(header, ROSTER_COLUMNS))
    if found is None or not all(c in found[0] for c in ("staff_id", "name", "department")):
        return preview
    cols, body = found
    existing = {r["key"]: r for r in queries.roster()}
    seen: set[str] = set()
    for line, cells in body:
        record, errors = _parse_row(cells, cols, card_formats)
        if record is None or errors or record.key in seen:
            continue
        seen.add(record.key)
        preview.changes.append(staff_change(line, record, existing.get(record.key)))
    return preview


def staff_change(line: int, record: StaffRecord, old: dict | None) -> Change:
    """How ``record`` would change the person ``old`` (None: a new person)."""
    if old is None:
        return Change(line, "added", record.staff_id, f"{record.name} ({record.department})")
    pairs = [("name", old["name"], record.name), ("department", old["department"], record.department)]
    if record.title is not None:
        pairs.append(("job_title", old["title"], record.title))
    if record.groups is not None:
        pairs.append(("groups", ";".join(sorted(old["groups"])), ";".join(sorted(record.groups))))
    if record.active is not None:
        pairs.append(("active", _yes(old["active"]), _yes(record.active)))
    if record.card_column:  # (masked: a card number is never printed in full)
        pairs.append(("card", _card(old.get("card")), _card(record.card)))
    fields = tuple((f, str(a), str(b)) for f, a, b in pairs if str(a) != str(b))
    return Change(line, "updated" if fields else "unchanged", old["staff_id"], record.name, fields)


def _card(number: int | None) -> str:
    return "" if number is None else card_numbers.mask(number)


def _yes(value) -> str:
    return "1" if value else "0"


# -- the plan --------------------------------------------------------------------------------------
def preview_plan(path: Path, tz: ZoneInfo) -> Preview:
    """The plan import of ``path`` as changes and problems; nothing is written."""
    preview = Preview()
    try:
        parse_plan(path, tz)
    except ImportProblems as exc:
        preview.problems = list(exc.problems)
    except TableError as exc:  # (parse_plan reports these as problems; kept for safety)
        preview.problems = [(0, _table_message(exc))]
    found = _rows(path, plan_columns)
    if found is None or not all(c in found[0] for c in ("title", "kind", "start", "end")):
        return preview
    cols, body = found
    for line, cells in body:
        try:
            item = row_session(cells, cols, tz)
        except PlanError:
            continue
        preview.changes.append(session_change(line, item, tz))
    return preview


def session_change(line: int, item: SessionInput, tz: ZoneInfo) -> Change:
    """How ``item`` would change the session with its title and start (the import's match)."""
    f = item.fields
    label = f"{timefmt.wall(f['start'], tz)} {f['title']}"
    row = (StudySession.select(StudySession.id).where((StudySession.title == f["title"])
                                                      & (StudySession.start == f["start"]))
           .order_by(StudySession.id).tuples().first())
    if row is None:
        return Change(line, "added", "", label)
    old = queries.session_by_id(row[0])
    pairs = []
    for name in ("kind", "end", "location", "speaker", "credit_hours"):
        before, after = old[name], f[name]
        if name == "end":
            before, after = timefmt.wall(before, tz), timefmt.wall(after, tz)
        pairs.append((name, "" if before is None else str(before), "" if after is None else str(after)))
    pairs.append(("audience", rules.audience_spec(rules.audience_from_terms(old["audience"])),
                  rules.audience_spec(rules.audience_from_terms(item.audience))))
    for name in ("require_signout", "open_before", "late_after"):
        pairs.append((name, str(old[name]), str(f[name])))
    fields = tuple((n, a, b) for n, a, b in pairs if a != b)
    return Change(line, "updated" if fields else "unchanged", str(old["id"]), label, fields)


# -- as lines for a person (``--dry-run`` and the console) -----------------------------------
def change_lines(preview: Preview) -> list[str]:
    """One translated line per change and per problem, in file order (the console shows these)."""
    entries: list[tuple[int, int, str]] = []
    for c in preview.changes:
        if c.action == "unchanged":
            continue
        text = t(f"preview.{c.action}", line=c.line, key=c.key or c.label,
                 label=c.label if c.key else "").rstrip()
        if c.fields:
            text += t("preview.fields", fields=t("admin.list_sep").join(
                t("preview.field", field=t(f"field.{f}"), old=old or "∅", new=new or "∅")
                for f, old, new in c.fields))
        entries.append((c.line, 0, text))
    for line, message in preview.problems:
        entries.append((line, 1, t("preview.problem", line=line, message=message) if line
                        else t("preview.problem_file", message=message)))
    return [text for _, _, text in sorted(entries, key=lambda e: (e[0], e[1]))]


def summary(preview: Preview) -> str:
    key = "preview.summary" if preview.writable else "preview.summary_refused"
    return t(key, added=preview.count("added"), updated=preview.count("updated"),
             unchanged=preview.count("unchanged"), problems=len(preview.problems))
