"""The host's app: wires settings, database, clock and the host actions; the screens do the rest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import peewee as pw
from textual.binding import Binding

from kiosk import timefmt
from kiosk.config import Settings
from kiosk.host_actions import HostActions
from kiosk.ui.safe_app import SafeApp
from kiosk.ui.screens.host import HostScreen
from kiosk.ui.screens.host_pick import HostPickScreen


class HostApp(SafeApp):
    CSS_PATH = "host.tcss"
    ENABLE_COMMAND_PALETTE = False
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (36, "-tall")]
    BINDINGS = [Binding("ctrl+q", "quit", show=False, priority=True)]

    def __init__(self, settings: Settings, db: pw.Database, *, clock: Callable[[], dt.datetime],
                 session_id: int | None, actor: str = "host") -> None:
        super().__init__()
        self.settings = settings
        self.db = db
        self.clock = clock
        self.session_id = session_id
        self.actor = actor
        self.actions = HostActions(db, tz=settings.tz, kiosk_id=settings.kiosk_id, clock=clock)

    def on_mount(self) -> None:
        self.title = "study-kiosk host"
        if self.session_id is None:
            self.push_screen(HostPickScreen())
        else:
            self.push_screen(HostScreen(self.session_id))


def build_host_app(settings: Settings, db: pw.Database, *,
                   clock: Callable[[], dt.datetime] = timefmt.utc_now,
                   session_id: int | None = None, actor: str = "host") -> HostApp:
    """The factory the CLI and the tests share (clock injectable: frozen in tests/snapshots)."""
    return HostApp(settings, db, clock=clock, session_id=session_id, actor=actor)
