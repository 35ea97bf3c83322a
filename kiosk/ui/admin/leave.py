"""请假 (leaves): record a leave, withdraw one recorded by mistake (kept, marked withdrawn)."""

from __future__ import annotations

from textual.binding import Binding

from db import lifecycle
from kiosk import timefmt
from kiosk.i18n import Words, t, words
from kiosk.lifecycle import Refused
from kiosk.ui.admin.base import SearchableTable
from kiosk.ui.admin.fit import WHOLE, Fit
from kiosk.ui.admin.widgets import Field

# who, why and whether it still holds come first: at 80 columns a long title is what is cut
COLUMNS = ("date", "id", "staff_id", "name", "reason", "state", "session_title")
# narrow screens: the session's title gives way first, then the reason, then the name
FITS = (WHOLE, WHOLE, WHOLE, Fit(6, 1), Fit(8, 2), Fit(4, 0), Fit(12, 3))


class LeaveSection(SearchableTable):
    FITS = FITS
    SEARCH_PLACEHOLDER = "console.leave.search"
    BINDINGS = [
        Binding("ctrl+n", "record", show=False, priority=True),
        Binding("ctrl+d", "withdraw", show=False, priority=True),
    ]

    def compose(self):
        yield from self.compose_table()

    def load(self) -> list[dict]:
        return lifecycle.leave_rows()

    def show(self) -> None:
        tz = self.app.settings.tz
        rows = []
        for r in self.rows:
            cells = [timefmt.local(r["start"], tz).strftime("%m-%d %H:%M"), str(r["session_id"]),
                     r["staff_id"], r["name"], r["reason"],
                     t("console.leave.withdrawn") if r["withdrawn_at"] else t("console.leave.active"),
                     r["title"]]
            if self.matches(*cells):
                rows.append((f"{r['session_id']}|{r['staff_id']}", cells))
        self.fill([t(f"col.{c}") for c in COLUMNS], rows)

    def leave(self) -> dict | None:
        key = self.current_key()
        return next((r for r in self.rows if f"{r['session_id']}|{r['staff_id']}" == key), None)

    def activate(self) -> None:
        self.action_withdraw()

    def action_record(self) -> None:
        record_leave_form(self)

    def action_withdraw(self) -> None:
        row = self.leave()
        if row is None or row["withdrawn_at"]:
            return

        def withdraw(_: dict[str, str]) -> str:
            self.actions.withdraw_leave(row["staff_id"], row["session_id"])
            return words("admin.leave_withdrawn", staff_id=row["staff_id"], name=row["name"],
                     session=row["session_id"])

        self.open_form(t("console.leave.withdraw", staff_id=row["staff_id"], name=row["name"],
                         session=row["session_id"]), [], withdraw,
                       body=t("console.leave.withdraw_body", reason=row["reason"]))


def record_leave_form(section, session_id: str = "", rows: list | None = None) -> None:
    """登记请假: person, session (prefilled from the plan's highlighted row), reason."""
    fields = [Field("staff_id", t("col.staff_id")),
              Field("session", t("console.session_id"), session_id,
                    hint=t("console.leave.session_hint")),
              Field("reason", t("console.reason"))]

    def record(v: dict[str, str]) -> str:
        session = v["session"].strip()
        if not session.isdigit():
            raise Refused(t("reason.session_not_found", session=session[:20]))
        row, signed_in = section.actions.record_leave(v["staff_id"], int(session), v["reason"])
        return Words(lambda: t("cli.leave_added", name=row["name"], session=session) + (
            t("sep") + t("cli.leave_already_signed_in", name=row["name"]) if signed_in else ""))

    section.open_form(t("console.leave.record"), fields, record,
                      again=lambda more: record_leave_form(section, session_id, more), rows=rows)
