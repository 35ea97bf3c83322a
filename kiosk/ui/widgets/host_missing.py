"""Who is still missing (name, department, ID), filtered as the host types."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input

from db.live import MissingPerson
from kiosk.i18n import t
from kiosk.ui.plain import DataTable, Static


def matches(person: MissingPerson, text: str) -> bool:
    needle = text.strip().casefold()
    return not needle or any(needle in field.casefold()
                             for field in (person.name, person.department, person.staff_id))


class HostMissing(Vertical):
    """A filter box over the missing list; the table is rebuilt only when its rows change."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.people: tuple[MissingPerson, ...] = ()
        self._shown: tuple | None = None

    def compose(self) -> ComposeResult:
        yield Input(placeholder=t("host.filter.placeholder"), id="missing-filter")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="missing-table")
        yield Static("", id="missing-empty")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(t("host.col.name"), t("host.col.department"), t("host.col.staff_id"))

    def show(self, people: tuple[MissingPerson, ...]) -> None:
        self.people = people
        self._render_rows()

    @on(Input.Changed, "#missing-filter")
    def _filter(self) -> None:
        self._render_rows()

    def clear_filter(self) -> None:
        self.query_one("#missing-filter", Input).value = ""

    def selected_staff_id(self) -> str:
        """The staff ID under the table's cursor (to pre-fill a 补签), or ""."""
        table = self.query_one(DataTable)
        if not table.row_count:
            return ""
        row = table.get_row_at(table.cursor_row)
        return str(row[2])

    def _render_rows(self) -> None:
        text = self.query_one("#missing-filter", Input).value
        rows = tuple(p for p in self.people if matches(p, text))
        if rows == self._shown:
            return
        self._shown = rows
        table = self.query_one(DataTable)
        table.clear()
        table.add_rows([(Text(p.name), Text(p.department), Text(p.staff_id)) for p in rows])
        empty = self.query_one("#missing-empty", Static)
        empty.update("" if rows else t("host.missing.none" if not self.people else "host.missing.no_match"))
        empty.display = not rows
        table.display = bool(rows)
