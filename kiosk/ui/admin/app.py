"""``kiosk admin``: the admin's console app, behind the same PIN gate as the kiosk.

The app wires settings, the database, the clock and the one service every action goes through
(:class:`kiosk.lifecycle.AdminActions`, the CLI's own); the screen and its sections do the rest.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

import peewee as pw
from textual import events
from textual.screen import Screen
from textual.timer import Timer

from kiosk import timefmt
from kiosk.config import Settings
from kiosk.i18n import set_language, t
from kiosk.lifecycle import AdminActions, mirror_refusal
from kiosk.ui.admin.console import ConsoleScreen
from kiosk.ui.plain import Label
from kiosk.ui.safe_app import SafeApp

log = logging.getLogger("kiosk.ui.admin")


IDLE_LOCK_SECONDS = 600.0  # a console left alone this long asks for the PIN again


class LockScreen(Screen):
    """What a locked console shows under the PIN dialog: nothing of the data."""

    DEFAULT_CSS = "LockScreen { align: center middle; }"

    def compose(self):
        yield Label(t("console.locked"))


class AdminConsoleApp(SafeApp):  # literal notifications, one key at a time
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, settings: Settings, db: pw.Database, *, clock: Callable[[], dt.datetime],
                 require_pin: bool = True, actor: str = "admin") -> None:
        super().__init__()
        self.settings = settings
        self.db = db
        self.clock = clock
        self.require_pin = require_pin
        self.cursor_blink = True  # (snapshots switch it off: a frozen frame has no blink)
        self.actions = AdminActions(db, tz=settings.tz, kiosk_id=settings.kiosk_id, actor=actor,
                                    clock=clock, mirror_of=mirror_refusal(settings))
        # behind the PIN, the console locks itself when left alone (a clerk walks away)
        self.idle_lock = IDLE_LOCK_SECONDS if require_pin else None
        self._idle: Timer | None = None

    def on_mount(self) -> None:
        self.title = t("console.title")
        if not self.require_pin:
            self.push_screen(ConsoleScreen())
            return
        from kiosk.ui.dialogs import PinDialog

        self.push_screen(PinDialog(self.settings.home), callback=self._pin_checked)

    def _pin_checked(self, ok: bool | None) -> None:
        if ok:
            self.push_screen(ConsoleScreen())
            self._touch()
        else:
            self.exit(return_code=1, message=t("console.pin_cancelled"))

    # -- locking when idle ----------------------------------------------------------------------
    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            self._touch()
        await super().on_event(event)

    def _touch(self) -> None:
        if self.idle_lock is None or self.console_screen is None:
            return
        if self._idle is not None:
            self._idle.stop()
        self._idle = self.set_timer(self.idle_lock, self.lock)

    def lock(self) -> None:
        """Cover the console and ask for the PIN; a wrong PIN or Escape closes the console."""
        if any(isinstance(s, LockScreen) for s in self.screen_stack):
            return
        from kiosk.ui.dialogs import PinDialog

        self.push_screen(LockScreen())
        self.push_screen(PinDialog(self.settings.home), callback=self._unlocked)

    def _unlocked(self, ok: bool | None) -> None:
        if not ok:
            self.exit(return_code=1, message=t("console.pin_cancelled"))
            return
        if isinstance(self.screen, LockScreen):
            self.pop_screen()
        self._touch()

    @property
    def console_screen(self) -> ConsoleScreen | None:
        return next((s for s in self.screen_stack if isinstance(s, ConsoleScreen)), None)

    def say(self, text: str, lasting: bool = False) -> None:
        """The result of an action on the console's status line (literal text)."""
        screen = self.console_screen
        if screen is not None:
            screen.say(text)

    def log_error(self, exc: BaseException) -> None:
        log.error("console action failed", exc_info=(type(exc), exc, exc.__traceback__))

    def switch_language(self, lang: str) -> None:
        set_language(lang)
        self.title = t("console.title")


def build_admin_app(settings: Settings, db: pw.Database, *,
                    clock: Callable[[], dt.datetime] = timefmt.utc_now,
                    require_pin: bool = True) -> AdminConsoleApp:
    """The factory the CLI and the tests share (clock injectable, frozen in snapshots)."""
    set_language(settings.lang)
    return AdminConsoleApp(settings, db, clock=clock, require_pin=require_pin)
