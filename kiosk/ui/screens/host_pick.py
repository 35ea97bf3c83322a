"""The pick list of today's sessions, shown by ``kiosk host`` when no ``--session`` is given.

When exactly one session is open for sign-in right now, that session opens directly (once, at
start); F6 in the live view comes back to this list to switch — also when the view was started
with ``--session`` (then the list is made on the spot, knowing the session to return to).
Escape goes back to the session watched; at start there is none, and the hint says Ctrl+Q.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets.option_list import Option

from kiosk import rules, timefmt
from kiosk.i18n import t
from kiosk.ui.plain import Label, OptionList
from kiosk.ui.screens.host import HostScreen
from kiosk.ui.today import load_today


class HostPickScreen(Screen):
    # Escape closes the list: back to the session watched before F6 (nothing to close at start)
    BINDINGS = [Binding("escape", "close", show=False)]

    class Loaded(Message):
        def __init__(self, sessions: list[rules.SessionView], open_now: list[int]) -> None:
            super().__init__()
            self.sessions = sessions
            self.open_now = open_now

    def __init__(self, *, open_single: bool = True, watched: int | None = None) -> None:
        super().__init__()
        self.open_single = open_single
        self.watched = watched  # the session shown before F6 brought the list back

    def compose(self) -> ComposeResult:
        with Vertical(id="pick-body"):
            yield Label(t("host.pick.title"), id="pick-title")
            yield OptionList(id="pick-list")
            yield Label("", id="pick-none")
            yield Label(self._hint(), id="pick-hint")

    def _hint(self) -> str:
        """With a session to go back to, Esc does; at start only Ctrl+Q leaves the list."""
        return t("host.pick.hint" if self.watched is not None else "host.pick.hint_start")

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _load(self) -> None:
        try:
            plan = load_today(self.app.clock(), self.app.settings.tz, None)
        finally:
            self.app.db.close()
        self.post_message(self.Loaded(list(plan.today), sorted(s.id for s in plan.open_now)))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        tz = self.app.settings.tz
        options = self.query_one(OptionList)
        options.clear_options()
        for s in message.sessions:
            place = f"  ({s.location})" if s.location else ""
            options.add_option(Option(Text(
                f"{timefmt.hhmm(s.start, tz)}–{timefmt.hhmm(s.end, tz)}  {s.title}"
                f"  · {t(f'kind.{s.kind}')}{place}  #{s.id}"), id=str(s.id)))
        self.query_one("#pick-none", Label).update("" if message.sessions else t("host.pick.none"))
        if message.sessions:
            options.highlighted = 0
        options.focus()
        if self.open_single and len(message.open_now) == 1:
            self.open_single = False  # only at start: back here by F6, the list stays
            self._watch(message.open_now[0])

    @on(OptionList.OptionSelected, "#pick-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self._watch(int(event.option.id))

    def _watch(self, session_id: int) -> None:
        self.watched = session_id
        self.query_one("#pick-hint", Label).update(self._hint())
        self.app.push_screen(HostScreen(session_id))

    def action_close(self) -> None:
        if self.watched is not None and self.app.screen is self:
            self.app.push_screen(HostScreen(self.watched))
