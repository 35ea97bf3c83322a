"""What every section of the console shares: loading off the UI thread, a searchable table,
opening a form whose action runs through ``kiosk.lifecycle``, and reporting the result."""

from __future__ import annotations

from collections.abc import Callable

from textual import events, on, work
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input

from kiosk.i18n import t, words
from kiosk.ui.admin.fit import WHOLE, Fit, fitted
from kiosk.ui.admin.widgets import Action, DataTable, Field, Follow, FormDialog


class Section(Vertical):
    """One section of the console (人员, 学习计划 …). Subclasses define ``load`` (thread) and
    ``show`` (UI); their keys are named by ``console.hint.<id>`` in the hint line."""

    DEFAULT_CSS = """
    Section { height: 1fr; }
    Section Input.search, Section Input.search:focus {
        height: 1; border: none; padding: 0 1; background: $boost; margin-bottom: 1;
    }
    Section Input.search:focus { background: $accent 30%; }
    Section DataTable { height: 1fr; }
    """

    class Loaded(Message):
        def __init__(self, rows: list) -> None:
            super().__init__()
            self.rows = rows

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rows: list = []

    # -- data ---------------------------------------------------------------------------------
    def reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def _load(self) -> None:
        try:
            with self.app.db.connection_context():
                rows = self.load()
        except Exception as exc:
            self.app.log_error(exc)
            self.app.call_from_thread(self.app.say, t("console.load_failed"))
            return
        self.post_message(self.Loaded(rows))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.rows = message.rows
        self.show()

    def load(self) -> list:  # runs in a thread
        return []

    def show(self) -> None:
        pass

    # -- acting -------------------------------------------------------------------------------
    def open_form(self, title: str, fields: list[Field], action: Action, *, body: str = "",
                  then: Callable[[object], None] | None = None, follow: Follow | None = None,
                  hint: str = "", again: Callable[[list], None] | None = None,
                  rows: list | None = None) -> None:
        """A form; on success the result is said (a str) or handed to ``then``, and data reload.
        ``again(rows)`` (an add form) opens the same form anew for further pasted lines;
        ``rows``: the lines this one is to take (kiosk.ui.admin.widgets.FormDialog)."""
        def finished(result: object) -> None:
            if result is None:
                return
            if then is not None:
                then(result)
                return
            if isinstance(result, str):
                self.app.say(result)
            self.reload()

        self.app.push_screen(FormDialog(title, fields, action, body=body, follow=follow,
                                        hint=hint, again=again, rows=rows),
                             callback=finished)

    @property
    def actions(self):
        return self.app.actions


TABLE_KEYS = {"up": "cursor_up", "down": "cursor_down", "pageup": "page_up",
              "pagedown": "page_down"}


class SearchableTable(Section):
    """A section with a filter line over a table: type to filter, arrows move, Enter acts."""

    SEARCH_PLACEHOLDER = "console.search"
    FITS: tuple[Fit, ...] = ()  # how each column gives way on a narrow screen (none: all whole)
    SCROLLBAR = 2  # cells kept for the table's vertical scrollbar
    ENTER_OPENS_FORM = True  # Enter on a row opens a form (edit, withdraw): never from a paste

    def _table_width(self) -> int:
        """The cells the table's columns may take: its own width once laid out, else the
        screen's (the first fill comes before the first layout)."""
        width = self.table.size.width or self.size.width or self.app.size.width
        return max(20, width - self.SCROLLBAR)

    def on_resize(self) -> None:
        if self.rows:
            self.show()

    def compose_table(self):
        yield Input(placeholder=t(self.SEARCH_PLACEHOLDER), classes="search", id=f"{self.id}-search")
        table = DataTable(id=f"{self.id}-table", cursor_type="row", zebra_stripes=True)
        yield table

    @property
    def table(self) -> DataTable:
        return self.query_one(DataTable)

    @property
    def search(self) -> Input:
        return self.query_one(Input)

    def on_mount(self) -> None:
        self.search.cursor_blink = getattr(self.app, "cursor_blink", True)
        self.reload()

    def focus_default(self) -> None:
        self.search.focus()

    @on(Input.Changed)
    def _filter(self, event: Input.Changed) -> None:
        event.stop()
        self.show()

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        event.stop()
        self._act()

    def on_key(self, event: events.Key) -> None:
        """Up/Down/PageUp/PageDown in the filter line move the table's cursor."""
        action = TABLE_KEYS.get(event.key)
        if action and self.search.has_focus:
            event.stop()
            event.prevent_default()
            getattr(self.table, f"action_{action}")()

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self._act()

    def _act(self) -> None:
        """Enter on the list acts on the highlighted row — unless more keys came with it: a
        paste (rows meant for an add form) would fill the edit form that Enter opens and
        rewrite that person (FINDINGS #30). Then nothing opens, the rest of the paste is left
        unused, and the status line says so."""
        held = getattr(self.app, "keys_held", None)
        if self.ENTER_OPENS_FORM and held is not None and held():
            self._leave_burst_unused()
            return
        self.activate()

    @work(exclusive=True, group="burst")
    async def _leave_burst_unused(self) -> None:
        self.app.capture_burst()
        await self.app.burst_over()
        self.app.say(words("console.burst_in_list"))

    def activate(self) -> None:
        """Enter: act on the highlighted row (edit)."""

    def matches(self, *values: object) -> bool:
        needle = self.search.value.strip().casefold()
        return not needle or any(needle in str(v).casefold() for v in values if v is not None)

    def fill(self, columns: list[str], rows: list[tuple[str, list]]) -> None:
        """Replace the table's rows (``(key, cells)``), keeping the cursor on the same key;
        fitted to the table's width as the section's ``FITS`` say (kiosk.ui.admin.fit)."""
        table = self.table
        current = self.current_key()
        fits = self.FITS or [WHOLE] * len(columns)
        shown, cells = fitted(columns, [(k, [str(c) for c in r]) for k, r in rows], fits,
                              self._table_width(), table.cell_padding)
        table.clear(columns=True)
        for label, width in shown:
            table.add_column(label, width=width)
        for key, row in cells:
            table.add_row(*row, key=key)
        if current is not None:
            try:
                table.move_cursor(row=table.get_row_index(current))
            except Exception:
                pass

    def current_key(self) -> str | None:
        table = self.table
        if not table.row_count:
            return None
        try:
            return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except Exception:
            return None
