"""胸卡 (badges): print an HTML sheet for a department or a selection; revoke a lost badge."""

from __future__ import annotations

from textual.binding import Binding

from db import queries
from kiosk.i18n import t, words
from kiosk.lifecycle import Refused
from kiosk.ui.admin.base import SearchableTable
from kiosk.ui.admin.fit import WHOLE, Fit
from kiosk.ui.admin.widgets import Field

COLUMNS = ("mark", "staff_id", "name", "department", "title", "badge_version")
# narrow screens: the title gives way first, then the department, then the name
FITS = (WHOLE, WHOLE, Fit(6, 1), Fit(8, 2), Fit(8, 3), WHOLE)
MARK = "✓"


class BadgeSection(SearchableTable):
    FITS = FITS
    SEARCH_PLACEHOLDER = "console.badges.search"
    ENTER_OPENS_FORM = False  # Enter marks the row for the sheet: nothing to rewrite
    BINDINGS = [
        Binding("ctrl+s", "mark", show=False, priority=True),
        Binding("ctrl+a", "mark_all", show=False, priority=True),
        Binding("ctrl+p", "print_sheet", show=False, priority=True),
        Binding("ctrl+r", "revoke", show=False, priority=True),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.marked: set[str] = set()

    def compose(self):
        yield from self.compose_table()

    def load(self) -> list[dict]:
        return queries.roster(include_inactive=False)

    def visible(self) -> list[dict]:
        return [r for r in self.rows
                if self.matches(r["staff_id"], r["name"], r["department"], r["title"])]

    def show(self) -> None:
        rows = [(r["key"], [MARK if r["key"] in self.marked else "", r["staff_id"], r["name"],
                            r["department"], r["title"], str(r["badge_version"])])
                for r in self.visible()]
        self.fill([t(f"col.{c}") for c in COLUMNS], rows)

    def activate(self) -> None:
        self.action_mark()

    def action_mark(self) -> None:
        key = self.current_key()
        if key is None:
            return
        self.marked ^= {key}
        self.show()
        self.table.action_cursor_down()

    def action_mark_all(self) -> None:
        keys = {r["key"] for r in self.visible()}
        self.marked = self.marked - keys if keys <= self.marked else self.marked | keys
        self.show()

    def chosen(self) -> list[dict]:
        """The marked people, or (none marked) everyone the filter shows, e.g. one department."""
        if self.marked:
            return [r for r in self.rows if r["key"] in self.marked]
        return self.visible()

    def action_print_sheet(self) -> None:
        rows = self.chosen()
        app = self.app
        default = str(app.settings.home / "badges")

        def make(v: dict[str, str]) -> str:
            from kiosk.admin_output import badge_sheet, folder

            path = badge_sheet(rows, app.settings, folder(v["folder"]))
            return words("badge.made", count=len(rows), path=path)

        def done(result: object) -> None:
            self.app.say(result if isinstance(result, str) else str(result), lasting=True)

        self.open_form(t("console.badges.print", count=len(rows)),
                       [Field("folder", t("console.folder"), default)], make, then=done)

    def action_revoke(self) -> None:
        key = self.current_key()
        row = next((r for r in self.rows if r["key"] == key), None)
        if row is None:
            return
        app = self.app

        def revoke(_: dict[str, str]) -> str:
            from kiosk.badges.revocation import revoke as revoke_badge

            done = revoke_badge(app.db, row["key"], kiosk_id=app.settings.kiosk_id, at=app.clock())
            if done is None:
                raise Refused(t("badge.unknown_staff", ids=row["staff_id"]))
            person, old, new = done
            return words("badge.revoked", staff_id=person["staff_id"], name=person["name"], old=old,
                     new=new)

        self.open_form(t("console.badges.revoke", staff_id=row["staff_id"], name=row["name"]), [],
                       revoke, body=t("console.badges.revoke_body"))
