"""学习计划 (the plan): sessions by month; add, edit, cancel; import with a preview first."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from textual.binding import Binding

from db import queries
from kiosk import rules, timefmt
from kiosk.i18n import Words, t, words
from kiosk.lifecycle import Refused
from kiosk.ui.admin.base import SearchableTable
from kiosk.ui.admin.fit import WHOLE, Fit
from kiosk.ui.admin.imports import import_flow
from kiosk.ui.admin.widgets import Field, Label

COLUMNS = ("id", "state", "date", "time", "session_title", "kind", "location")
# narrow screens: the place gives way first, then the kind, a cancellation's reason, the title;
# the place, then the kind, go when even that does not fit (the form shows them whole)
FITS = (WHOLE, Fit(9, 2), WHOLE, WHOLE, Fit(14, 1), Fit(10, 3, drop=True), Fit(8, 4, drop=True))
EDIT_FIELDS = ("title", "kind", "start", "end", "audience", "location", "speaker", "credit_hours")
USUAL_START, USUAL_END = "09:00", "11:00"  # what a new session's form starts from (edit it)


class PlanSection(SearchableTable):
    SEARCH_PLACEHOLDER = "console.plan.search"
    FITS = FITS
    BINDINGS = [
        Binding("ctrl+n", "add", show=False, priority=True),
        Binding("ctrl+e", "edit", show=False, priority=True),
        Binding("ctrl+d", "cancel_session", show=False, priority=True),
        Binding("ctrl+o", "import", show=False, priority=True),
        Binding("ctrl+l", "leave", show=False, priority=True),
        Binding("ctrl+left", "month(-1)", show=False, priority=True),
        Binding("ctrl+right", "month(1)", show=False, priority=True),
    ]
    DEFAULT_CSS = """
    PlanSection #plan-month { text-style: bold; height: 1; }
    """

    def __init__(self, tz, today: dt.date, **kwargs) -> None:
        super().__init__(**kwargs)
        self.tz = tz
        self.today = today
        self.month = (today.year, today.month)

    def compose(self):
        yield Label(self.month_label(), id="plan-month")
        yield from self.compose_table()

    def month_label(self) -> str:
        return t("console.plan.month", year=self.month[0], month=self.month[1])

    def action_month(self, step: int) -> None:
        year, month = self.month
        month += step
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
        self.month = (year, month)
        self.query_one("#plan-month", Label).update(self.month_label())
        self.reload()

    def load(self) -> list[dict]:
        year, month = self.month
        start = timefmt.day_bounds_utc(dt.date(year, month, 1), self.tz)[0]
        nxt = dt.date(year + month // 12, month % 12 + 1, 1)
        return queries.sessions_between(start, timefmt.day_bounds_utc(nxt, self.tz)[0])

    def show(self) -> None:
        tz = self.tz
        rows = []
        for r in self.rows:
            state = (t("admin.state.cancelled") + (f": {r['cancel_reason']}" if r.get("cancel_reason")
                                                   else "")
                     if r.get("cancelled_at") else t("admin.state.active"))
            cells = [str(r["id"]), state, timefmt.local(r["start"], tz).strftime("%m-%d"),
                     f"{timefmt.hhmm(r['start'], tz)}–{timefmt.hhmm(r['end'], tz)}", r["title"],
                     t(f"kind.{r['kind']}"), r["location"]]
            if self.matches(*cells):
                rows.append((str(r["id"]), cells))
        self.fill([t(f"col.{c}") for c in COLUMNS], rows)

    def session(self) -> dict | None:
        key = self.current_key()
        return next((r for r in self.rows if str(r["id"]) == key), None)

    def activate(self) -> None:
        self.action_edit()

    # -- actions ------------------------------------------------------------------------------
    def _fields(self, values: dict) -> list[Field]:
        hints = {"kind": t("console.plan.kind_hint",
                           kinds=t("admin.list_sep").join(t(f"kind.{k}") for k in rules.KINDS)),
                 "start": t("console.plan.start_hint"), "end": t("console.plan.end_hint"),
                 "audience": t("console.plan.audience_hint"),
                 "credit_hours": t("console.plan.hours_hint")}
        return [Field(name, t(f"field.{name}"), _text(values.get(name)), hint=hints.get(name, ""))
                for name in EDIT_FIELDS]

    def first_day(self) -> dt.date:
        """The day a new session starts on by default: today in this month, else the 1st."""
        today = self.today
        if (today.year, today.month) == self.month:
            return today
        return dt.date(*self.month, 1)

    def _times(self, v: dict[str, str], day: dt.date) -> dict[str, str]:
        """Start and end as typed, shortened forms completed (``05 9:00`` = the 5th of the month
        shown, an end ``11:00`` = the start's day); the CLI's rules then check them."""
        start = timefmt.complete_wall(v["start"], day)
        try:
            start_day = timefmt.parse_local(start).date()
        except timefmt.BadTime:
            start_day = day
        return {"start": start, "end": timefmt.complete_wall(v["end"], start_day)}

    def _follow(self, day: dt.date, start: str, end: str):
        """The end moves with the start, keeping the length, until the clerk types an end."""
        shown = {"end": end}
        length = timefmt.parse_local(end) - timefmt.parse_local(start)

        def follow(name: str, values: dict[str, str]) -> dict[str, str]:
            if name != "start" or values["end"] != shown["end"]:
                return {}
            try:
                begins = timefmt.parse_local(self._times(values, day)["start"])
            except timefmt.BadTime:
                return {}
            shown["end"] = (begins + length).strftime(timefmt.WALL_FORMAT)
            return {"end": shown["end"]}

        return follow

    def action_add(self, rows: list | None = None) -> None:
        day = self.first_day()
        start, end = f"{day.isoformat()} {USUAL_START}", f"{day.isoformat()} {USUAL_END}"

        def add(v: dict[str, str]) -> str:
            v = {**v, **self._times(v, day)}
            sid = self.actions.add_session(**{k: (v[k] or None) if k == "credit_hours" else v[k]
                                              for k in EDIT_FIELDS})
            return words("console.plan.added", session=sid, title=v["title"].strip(),
                     start=_short(v["start"]), end=_short(v["end"], v["start"]))

        self.open_form(t("console.plan.add"), self._fields(
            {"kind": t("kind.learning_day"), "start": start, "end": end, "audience": "all"}), add,
            follow=self._follow(day, start, end), again=self.action_add, rows=rows)

    def action_edit(self) -> None:
        row = self.session()
        if row is None:
            return
        if row.get("cancelled_at"):
            self.app.say(words("admin.session_cancelled", session=row["id"]))
            return
        current = self.actions.current_options(row)
        current["kind"] = t(f"kind.{row['kind']}")
        day = timefmt.parse_local(current["start"]).date()

        def edit(v: dict[str, str]) -> str:
            v = {**v, **self._times(v, day)}
            changes = {k: v[k] for k in EDIT_FIELDS if v[k] != _text(current.get(k))}
            if "credit_hours" in changes and not changes["credit_hours"].strip():
                raise Refused(t("console.plan.hours_required"))
            done = self.actions.edit_session(row["id"], **changes)

            def said() -> str:
                text = t("admin.edited", session=row["id"], fields=t("admin.list_sep").join(
                    t(f"field.{name}") for name in done.changed))
                if done.added or done.removed or done.demoted:
                    text += t("sep") + t("admin.expected_follow", added=done.added,
                                         removed=done.removed, demoted=done.demoted)
                return text
            return Words(said)

        self.open_form(t("console.plan.edit", session=row["id"], title=row["title"]),
                       self._fields(current), edit,
                       follow=self._follow(day, current["start"], current["end"]))

    def action_cancel_session(self) -> None:
        row = self.session()
        if row is None:
            return

        def cancel(v: dict[str, str]) -> str:
            self.actions.cancel_session(row["id"], v["reason"])
            return words("admin.cancelled", session=row["id"], title=row["title"],
                     reason=" ".join(v["reason"].split()))

        self.open_form(t("console.plan.cancel", session=row["id"], title=row["title"]),
                       [Field("reason", t("console.reason"))], cancel,
                       body=t("console.plan.cancel_body"))

    def action_leave(self) -> None:
        """Ctrl+L: record a leave for the highlighted session."""
        from kiosk.ui.admin.leave import record_leave_form

        row = self.session()
        record_leave_form(self, str(row["id"]) if row else "")

    def action_import(self) -> None:
        tz = self.tz

        def preview(path: Path):
            from kiosk.previews import preview_plan

            return preview_plan(path, tz)

        def apply(path: Path) -> str:
            from kiosk.plan import parse_plan
            from kiosk.roster import ImportProblems

            try:
                items = parse_plan(path, tz)
            except ImportProblems as exc:
                raise Refused(t("import.refused", count=len(exc.problems))) from None
            done = self.actions.import_plan(items)
            return words("import.summary", **{w: sum(1 for _, x in done if x == w)
                                          for w in ("added", "updated", "unchanged")})

        import_flow(self, t("console.plan.import"), preview, apply)


def _short(wall: str, start: str = "") -> str:
    """``2026-12-05 09:00`` → ``12-05 09:00`` (the confirmation names what was understood);
    an end on the start's day is its time alone (``12-05 09:00–11:00``)."""
    try:
        when = timefmt.parse_local(wall)
        if start and timefmt.parse_local(start).date() == when.date():
            return when.strftime("%H:%M")
        return when.strftime("%m-%d %H:%M")
    except timefmt.BadTime:
        return wall


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
