"""人员 (roster): a searchable table; add, edit, deactivate; import with a preview first."""

from __future__ import annotations

from pathlib import Path

from textual.binding import Binding

from db import queries
from kiosk import rules
from kiosk.i18n import Words, t, words
from kiosk.lifecycle import Refused, staff_record
from kiosk.ui.admin.base import SearchableTable
from kiosk.ui.admin.fit import WHOLE, Fit
from kiosk.ui.admin.imports import import_flow
from kiosk.ui.admin.widgets import Field, Offer, Offered

COLUMNS = ("staff_id", "name", "department", "groups", "title", "active")
# narrow screens (or long groups): groups give way first, then the title, department, name
FITS = (WHOLE, Fit(6, 1), Fit(8, 2), Fit(8, 4), Fit(8, 3), WHOLE)


class RosterSection(SearchableTable):
    FITS = FITS
    BINDINGS = [
        Binding("ctrl+n", "add", show=False, priority=True),
        Binding("ctrl+e", "edit", show=False, priority=True),
        Binding("ctrl+d", "deactivate", show=False, priority=True),
        Binding("ctrl+o", "import", show=False, priority=True),
        Binding("ctrl+k", "bind_card", show=False, priority=True),
    ]

    def compose(self):
        yield from self.compose_table()

    def load(self) -> list[dict]:
        return queries.roster()

    def show(self) -> None:
        rows = [(r["key"], [r["staff_id"], r["name"], r["department"], ";".join(r["groups"]),
                            r["title"], t("yes") if r["active"] else t("no")])
                for r in self.rows
                if self.matches(r["staff_id"], r["name"], r["department"], r["title"],
                                *r["groups"])]
        self.fill([t(f"col.{c}") for c in COLUMNS], rows)

    def person(self) -> dict | None:
        key = self.current_key()
        return next((r for r in self.rows if r["key"] == key), None)

    def activate(self) -> None:
        self.action_edit()

    # -- actions ------------------------------------------------------------------------------
    def action_add(self, rows: list | None = None) -> None:
        fields = [Field("staff_id", t("col.staff_id")), Field("name", t("col.name")),
                  Field("department", t("col.department")),
                  Field("groups", t("col.groups"), hint=t("console.groups_hint")),
                  Field("title", t("col.title"))]

        def add(v: dict[str, str]) -> str:
            if queries.staff_row(rules.normalise_staff_id(v["staff_id"])) is not None:
                raise Refused(t("console.staff_exists", staff_id=v["staff_id"].strip()))
            record = staff_record(v["staff_id"].strip(), v["name"].strip(),
                                  v["department"].strip(), v["groups"], v["title"].strip())
            self.actions.save_staff(record)
            return words("admin.staff_saved.added", staff_id=record.staff_id, name=record.name)

        # a paste of several rows (a spreadsheet's): each row one more add, checked on its own
        self.open_form(t("console.roster.add"), fields, add, again=self.action_add, rows=rows)

    def action_edit(self) -> None:
        person = self.person()
        if person is None:
            return
        fields = [Field("name", t("col.name"), person["name"]),
                  Field("department", t("col.department"), person["department"]),
                  Field("groups", t("col.groups"), ";".join(person["groups"]),
                        hint=t("console.groups_hint")),
                  Field("title", t("col.title"), person["title"])]

        def edit(v: dict[str, str]) -> str:
            record = staff_record(person["staff_id"], v["name"].strip(), v["department"].strip(),
                                  v["groups"], v["title"].strip())
            result = self.actions.save_staff(record)
            return words(f"admin.staff_saved.{result}", staff_id=record.staff_id, name=record.name)

        self.open_form(t("console.roster.edit", staff_id=person["staff_id"], name=person["name"]),
                       fields, edit)

    def action_deactivate(self) -> None:
        person = self.person()
        if person is None:
            return

        def deactivate(_: dict[str, str]) -> str:
            row = self.actions.deactivate(person["staff_id"])
            return words("admin.deactivated", staff_id=row["staff_id"], name=row["name"])

        self.open_form(t("console.roster.deactivate", staff_id=person["staff_id"],
                         name=person["name"]), [], deactivate,
                       body=t("console.roster.deactivate_body"))

    def action_bind_card(self) -> None:
        """刷卡绑定: the highlighted person, then the card presented to the reader (+ Enter).

        Each tap is one scan (the field empties after it). A card an active colleague holds is
        refused with the console's own way on: Ctrl+T moves it here (asked first)."""
        person = self.person()
        if person is None:
            return
        actions, formats = self.actions, self.app.settings.card_formats

        def bind(v: dict[str, str]) -> str:
            from kiosk import cards

            try:
                done = actions.bind_card(person["staff_id"], v["card"], formats)
            except cards.CardRefused as exc:
                if exc.key != "card.taken":
                    raise Refused(exc.message()) from None
                raise Offered(t("console.card_taken", **exc.values),
                              self._move_offer(exc.values, person, v["card"])) from None
            return Words(lambda: t("sep").join([done.message(), *done.warnings()]))

        self.open_form(t("console.roster.bind_card", staff_id=person["staff_id"],
                         name=person["name"]),
                       [Field("card", t("console.card"), placeholder=t("console.card_hint"),
                              scan=True)], bind)

    def _move_offer(self, holder: dict, person: dict, card_text: str) -> Offer:
        actions, formats = self.actions, self.app.settings.card_formats

        def move(_: dict[str, str]) -> str:
            released, bound = actions.move_card(holder["staff_id"], person["staff_id"], card_text,
                                                formats)
            return Words(lambda: t("sep").join([released.message(), bound.message(),
                                                *bound.warnings()]))

        names = {"card": holder["card"], "holder": holder["name"],
                 "holder_id": holder["staff_id"], "name": person["name"],
                 "staff_id": person["staff_id"]}
        return Offer(t("console.card_move_hint", **names), t("console.card_move", **names),
                     t("console.card_move_body", **names), move)

    def action_import(self) -> None:
        settings = self.app.settings

        def preview(path: Path):
            from kiosk.previews import preview_roster

            return preview_roster(path, settings.card_formats)

        def apply(path: Path) -> str:
            from db.cards import CardClash
            from kiosk.roster import ImportProblems, parse_roster

            try:
                records = parse_roster(path, settings.card_formats)
                added, updated, unchanged = self.actions.import_roster(records)
            except ImportProblems as exc:
                raise Refused(t("import.refused", count=len(exc.problems))) from None
            except CardClash as exc:
                raise Refused(t("import.refused", count=len(exc.clashes))) from None
            return words("import.summary", added=added, updated=updated, unchanged=unchanged)

        import_flow(self, t("console.roster.import"), preview, apply)
