"""The kiosk App: wires settings, the sign-in desk, CSS, the PIN gate and the sync/camera loops.

Screens do the work (``screens/signin.py``, ``screens/admin.py``); this class stays small.
Attendees cannot leave: Ctrl+C, Ctrl+Q and the command palette are disabled; quitting is a
button on the PIN-gated admin screen.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
from collections.abc import Callable
from dataclasses import replace

import peewee as pw
from textual import work
from textual.binding import Binding

from kiosk import timefmt
from kiosk.config import Settings
from kiosk.desk import SignInDesk
from kiosk.i18n import set_language, t
from kiosk.ui.safe_app import SafeApp
from kiosk.ui.screens.signin import SignInScreen
from kiosk.ui.sync_poll import SyncLoop, queued_events
from kiosk.ui.today import TodayPlan
from kiosk.ui.widgets.sync_mark import SyncState

log = logging.getLogger("kiosk.ui")


class KioskApp(SafeApp):
    CSS_PATH = "kiosk.tcss"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("ctrl+q", "attendee_key", show=False, priority=True),
        Binding("ctrl+c", "attendee_key", show=False, priority=True, system=True),
    ]

    def __init__(self, settings: Settings, db: pw.Database, desk: SignInDesk, *,
                 clock: Callable[[], dt.datetime], qr_only: bool, camera_source: int | str | None,
                 plan: TodayPlan | None = None) -> None:
        super().__init__()
        self.first_plan = plan
        self.settings = settings
        self.db = db
        self.desk = desk
        self.clock = clock
        self.qr_only = qr_only
        self.camera_source = camera_source
        self.chosen_session_id: int | None = None
        self.sync_state = SyncState(local_only=not settings.central_url)
        self.status_hint = ""  # a line for the status bar (the demo's IDs to try)
        self.bells = 0  # counted so tests (and the log) can tell a refusal rang
        self.stop_message: str | None = None  # why the kiosk stopped itself (kiosk run says it)
        self.sync_loop: SyncLoop | None = None  # started with the first frame (kiosk.ui.sync_poll)
        self._sync_published = 0  # states the loop has delivered (a queue count older is stale)
        self._camera = None

    # -- start-up -------------------------------------------------------------------------------
    def get_default_screen(self) -> SignInScreen:
        """The sign-in screen is the base of the screen stack (start-up time).

        Pushed over Textual's blank default screen from ``on_mount`` instead, its first paint
        fell inside the app's start-up batch and was dropped, so the first frame waited for the
        next screen-update tick (~15 ms of ``kiosk run``'s start-up, bench/startup.py).
        """
        return SignInScreen(self.desk, clock=self.clock, qr_only=self.qr_only, plan=self.first_plan)

    def on_mount(self) -> None:
        self.title = t("ui.app_title")
        self.call_after_refresh(self._first_frame_shown)

    def _first_frame_shown(self) -> None:
        """Work that can wait until the kiosk is on screen (start-up time)."""
        if not gc.isenabled():  # ``kiosk run`` paused the collector for start-up
            gc.freeze()  # what start-up made lives as long as the kiosk: never scan it again
            gc.enable()
        self.request_sync_check()

    def on_unmount(self) -> None:
        if self.sync_loop is not None:
            self.sync_loop.stop()
        if self._camera is not None:
            try:
                self._camera.stop()
            except Exception:
                log.warning("camera stop failed", exc_info=True)

    @property
    def signin(self) -> SignInScreen:
        return next(s for s in self.screen_stack if isinstance(s, SignInScreen))

    # -- keys -----------------------------------------------------------------------------------
    def action_attendee_key(self) -> None:
        """Ctrl+C / Ctrl+Q: attendees cannot quit; a gentle hint names the admin key.

        On the sign-in screen it goes to the status line for a few seconds (a toast there lay
        over the session's title at 80×24 and cut a wide character where it crossed the card's
        border); elsewhere (the admin screen) a toast is fine.
        """
        if isinstance(self.screen, SignInScreen):
            self.signin.flash_status(t("ui.attendee_keys"), 3.0)
        else:
            self.notify(t("ui.attendee_keys"), timeout=3)

    def status_text(self) -> str:
        """The status line's standing text in the current language (the demo's hint follows a
        language switch: ``status_hint`` may be a function of no arguments)."""
        hint = self.status_hint
        return hint() if callable(hint) else hint

    def bell(self) -> None:
        self.bells += 1
        super().bell()

    def open_admin(self) -> None:
        """F2: the PIN dialog, then the admin screen. Never offers to set a first PIN on screen.

        Without a PIN nobody can reach admin or quit here: the message says how to set one from
        the command line. Admin screen and dialogs load on first use (start-up time).
        """
        from kiosk import pin as admin_pin  # loaded on first use: start-up time

        home = self.settings.home
        if not admin_pin.has_pin(home):
            self.notify(t("ui.pin.none_set"), severity="warning", timeout=12)
            return
        from kiosk.ui.dialogs import PinDialog
        from kiosk.ui.screens.admin import AdminScreen

        self.push_screen(PinDialog(home, on_scan=self._scan_from_pin_dialog),
                         callback=lambda ok: ok and self.push_screen(AdminScreen()))

    def _scan_from_pin_dialog(self, raw: str) -> None:
        """A badge scanned while the PIN dialog was open: sign it in as if the dialog weren't there."""
        if isinstance(self.screen, SignInScreen):
            self.signin.sign_in(raw)

    def switch_language(self, lang: str) -> None:
        set_language(lang)
        self.title = t("ui.app_title")
        self.signin.retranslate()
        self.signin.set_status(self.status_text())
        self._remember_language(lang)

    @work(thread=True, exclusive=True, exit_on_error=False, group="config")
    def _remember_language(self, lang: str) -> None:
        """Keep the admin's choice across restarts (``[kiosk] lang`` in config.toml)."""
        from kiosk.config_file import ConfigWriteError, write_setting

        try:
            write_setting(self.settings.home, "kiosk", "lang", lang)
        except ConfigWriteError:
            log.warning("could not save the language to config.toml")
            self.call_from_thread(self.notify, t("ui.lang_not_saved"), severity="warning")

    # -- sync mark ------------------------------------------------------------------------------
    def request_sync_check(self) -> None:
        """A full round now; the loop then runs one every ``sync_interval`` (backing off while
        cut off). Starts the loop on first use."""
        if self.sync_loop is None:
            self.sync_loop = SyncLoop(self.settings, self._from_sync_loop)
            self.sync_loop.start()
        else:
            self.sync_loop.request_round()

    def request_queue_count(self) -> None:
        """After a sign-in: recount the waiting events and ask the loop to push them now, in the
        background (bursts coalesce); never wait on the network for either."""
        self._count_queue()
        if self.sync_loop is not None:
            self.sync_loop.request_push()

    def _from_sync_loop(self, state: SyncState, full_round: bool) -> None:
        """Called on the loop's thread: hop to the UI thread with the new state."""
        state = replace(state, checked_at=timefmt.hhmm(self.clock(), self.settings.tz))
        self.call_from_thread(self._synced, state, full_round)

    @work(thread=True, exclusive=True, exit_on_error=False, group="queue")
    def _count_queue(self) -> None:
        published = self._sync_published
        try:
            with self.db.connection_context():
                queued = queued_events()
        except Exception as exc:
            log.warning("counting the sync queue failed: %s", exc.__class__.__name__)
            return
        self.call_from_thread(self._counted, queued, published)

    def _counted(self, queued: int, published: int) -> None:
        """A recount, unless a push finished meanwhile (its own count is the newer one)."""
        if published == self._sync_published:
            self._show_sync(replace(self.sync_state, queued=queued))

    def _synced(self, state: SyncState, full_round: bool) -> None:
        self._sync_published += 1
        self._show_sync(state)

    def _show_sync(self, state: SyncState) -> None:
        self.sync_state = state
        self.signin.post_message(SignInScreen.SyncChecked(state))

    # -- camera ---------------------------------------------------------------------------------
    def start_camera(self) -> None:
        """Called by the sign-in screen once mounted; a camera problem is a message, never a crash."""
        if self.camera_source is None or self._camera is not None:
            return
        try:
            from kiosk.badges.camera import CameraReader
        except ImportError:
            self.signin.set_status(t("ui.camera.unavailable"))
            return
        try:
            self._camera = CameraReader(
                self.camera_source,
                on_payload=lambda payload: self._from_camera(self._camera_scan, payload),
                on_error=lambda key: self._from_camera(self._camera_error, key),
            )
            self._camera.start()
        except Exception as exc:
            log.warning("camera failed to start: %s", exc.__class__.__name__)
            self._camera = None
            self.signin.set_status(t("ui.camera.failed"))
            return
        self.signin.set_status(t("ui.camera.on"))


    def _from_camera(self, handler: Callable[[str], None], value: str) -> None:
        """Hop from the camera thread to the UI thread; ignore it while the app is closing."""
        try:
            self.call_from_thread(handler, value)
        except RuntimeError:
            pass

    def _camera_scan(self, payload: str) -> None:
        if isinstance(self.screen, SignInScreen):  # not behind the admin screen or a dialog
            self.signin.sign_in(payload, "camera")

    def _camera_error(self, key: str) -> None:
        self.signin.set_status(t(key))


def build_app(settings: Settings, db: pw.Database, *, clock: Callable[[], dt.datetime] = timefmt.utc_now,
              qr_only: bool = False, camera_source: int | str | None = None,
              plan: TodayPlan | None = None) -> KioskApp:
    """The one way the CLI and the tests make a kiosk (posting's ``make_posting`` pattern).

    ``plan``: today's sessions already read (``kiosk run`` preloads them while Textual loads).
    """
    set_language(settings.lang)
    desk = SignInDesk(db, kiosk_id=settings.kiosk_id, tz=settings.tz,
                      allow_typed_id=settings.allow_typed_id and not qr_only,
                      signout_grace=settings.signout_grace, clock=clock,
                      cards_enabled=settings.cards_enabled, card_formats=settings.card_formats,
                      withhold=_pin_matcher(settings.home))
    return KioskApp(settings, db, desk, clock=clock, qr_only=qr_only or not settings.allow_typed_id,
                    camera_source=camera_source, plan=plan)


def _pin_matcher(home) -> Callable[[str], bool]:
    """``kiosk.pin.matcher(home)``, with kiosk.pin (hashlib's scrypt, its lockout state) loaded at
    the first refused scan instead of before the kiosk's first frame (start-up time)."""
    def matches(text: str) -> bool:
        from kiosk import pin as admin_pin

        return admin_pin.matcher(home)(text)
    return matches
