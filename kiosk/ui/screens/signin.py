"""The sign-in screen attendees see: clock, today's session, one always-focused input, the result.

The sign-in itself (``SignInDesk.sign_in``) runs on the UI thread on purpose: it is the durable
write, and "done" must not be shown before it has committed. Everything else that touches the
database (today's sessions, the sync mark) runs in thread workers that post messages back.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input

from db.database import DatabaseFileGone
from kiosk import timefmt
from kiosk.desk import SignInDesk
from kiosk.i18n import t
from kiosk.sign_in_outcome import SignInOutcome
from kiosk.ui.plain import Static
from kiosk.ui.today import TodayPlan, load_today
from kiosk.ui.widgets.clock import KioskClock
from kiosk.ui.widgets.result_banner import ResultBanner
from kiosk.ui.widgets.session_card import SessionCard
from kiosk.ui.widgets.sync_mark import SyncMark, SyncState
from kiosk.ui.widgets.today_list import TodayList

log = logging.getLogger("kiosk.ui")
DATABASE_GONE_STOP_S = 8.0  # long enough to read the banner, then systemd restarts the kiosk
RESULT_SECONDS = 3.0
TODAY_LIST_FROM = 120  # terminal columns from which today's list sits beside the card
REFRESH_SECONDS = 20.0
DAY_CHECK_SECONDS = 1.0  # the office day starts at midnight (office zone) for the kiosk too
# one character over the rules' 256 (kiosk.rules.MAX_INPUT), so a longer scan is still seen as
# too long and refused; a runaway paste stops growing (and re-rendering) the field there
INPUT_LIMIT = 257


@dataclass
class PendingScan:
    raw: str
    method: str | None
    asked: SignInOutcome | None = None  # the question (``sign_in(ask=True)``), not yet recorded


class SignInScreen(Screen):
    """One input, always focused; every other widget is display only."""

    AUTO_FOCUS = "#scan"
    BINDINGS = [
        Binding("escape", "attendee_key", show=False, priority=True),
        Binding("f2", "admin", show=False, priority=True),
    ]

    class TodayLoaded(Message):
        def __init__(self, plan: TodayPlan) -> None:
            super().__init__()
            self.plan = plan

    class SyncChecked(Message):
        def __init__(self, state: SyncState) -> None:
            super().__init__()
            self.state = state

    def __init__(self, desk: SignInDesk, *, clock: Callable[[], dt.datetime], qr_only: bool,
                 plan: TodayPlan | None = None) -> None:
        """``plan``: today's sessions read before start (``kiosk run`` preloads them), so the
        open session's title is in the first frame; without it a worker reads them."""
        super().__init__()
        self.desk = desk
        self.clock = clock
        self.qr_only = qr_only
        self._reset_timer: Timer | None = None
        self.plan = plan or TodayPlan()
        self._resumed = False
        self._flash = None  # the timer that ends a status flash
        self._day: dt.date | None = None

    # -- layout ---------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        tz = self.desk.tz
        with Horizontal(id="top"):
            with Vertical(id="brand"):
                yield Static("", id="app-title")
                yield SyncMark(id="sync-mark")
            yield KioskClock(self.clock, tz, id="clock")
        with Horizontal(id="middle"):
            yield SessionCard(tz, id="card")
            yield TodayList(tz, id="today-list")
        yield ResultBanner(tz, id="banner")
        yield Static("", id="prompt")
        with Center(id="scan-row"):
            yield Input(id="scan", max_length=INPUT_LIMIT, select_on_focus=False)
        with Horizontal(id="bottom"):
            yield Static("", id="status-line")
            yield Static("", id="admin-hint")

    def on_mount(self) -> None:
        self.query_one(ResultBanner).display = False
        self._fit(self.app.size.width)
        if self.plan.loaded:  # preloaded: on screen in the first frame, no database round trip
            self.query_one(SessionCard).show(self.plan)
            self.query_one(TodayList).show(self.plan)
        else:
            self.refresh_today()
        self.retranslate()
        self.set_interval(REFRESH_SECONDS, self.refresh_today)
        self._day = self._today()
        self.set_interval(DAY_CHECK_SECONDS, self._watch_the_day)
        self.set_status(self.app.status_text())
        self.app.start_camera()

    def on_resize(self, event) -> None:
        self._fit(event.size.width)

    def _fit(self, width: int) -> None:
        """Today's list only where there is room. Not a breakpoint class on the screen: that
        restyles every widget, which cost ~8 ms of the kiosk's start-up."""
        self.query_one(TodayList).display = width >= TODAY_LIST_FROM

    def on_screen_resume(self) -> None:
        """Back from the admin screen or a dialog: the chosen session or language may have changed.

        Not on the first resume (the screen just mounted and has today's plan already).
        """
        if self._resumed and self.is_mounted:
            self.refresh_today()
        self._resumed = True

    def retranslate(self) -> None:
        """Redraw every text in the current language (after a live language switch)."""
        office = self.app.settings.office_name
        title = t("ui.app_title")
        self.query_one("#app-title", Static).update(f"{office} · {title}" if office else title)
        qr = "_qr_only" if self.qr_only else ""
        self.query_one("#prompt", Static).update(t(f"ui.prompt{qr}"))
        self.query_one("#scan", Input).placeholder = t("ui.placeholder_qr" if qr else "ui.placeholder")
        self.query_one("#admin-hint", Static).update(t("ui.admin_hint"))
        self.query_one(SessionCard).refresh_text()
        self.query_one(TodayList).refresh_text()
        self.query_one(ResultBanner).refresh_text()
        self.query_one(SyncMark).refresh_text()
        self.query_one(KioskClock).tick()

    def set_status(self, text: str) -> None:
        self.query_one("#status-line", Static).update(text)

    def flash_status(self, text: str, seconds: float) -> None:
        """``text`` in the status line for ``seconds``, then the standing text again."""
        self.set_status(text)
        if self._flash is not None:
            self._flash.stop()
        self._flash = self.set_timer(seconds, lambda: self.set_status(self.app.status_text()))

    # -- keys attendees might try -------------------------------------------------------------
    def action_attendee_key(self) -> None:
        """Escape does nothing for attendees (the scan field just clears)."""
        self.query_one("#scan", Input).value = ""

    def action_admin(self) -> None:
        self.app.open_admin()

    # -- today's sessions (thread worker) ------------------------------------------------------
    def _today(self) -> dt.date:
        return timefmt.local(self.clock(), self.desk.tz).date()

    def _watch_the_day(self) -> None:
        """Midnight (or the wall clock stepped into another day): today's sessions at once.

        Runs on Textual's monotonic timer, so a wall-clock step by NTP neither stops nor skips
        it; the date is read from the wall clock each time.
        """
        day = self._today()
        if day != self._day:
            log.info("the day changed (%s → %s): reloading today's sessions", self._day, day)
            self._day = day
            self.refresh_today()

    def refresh_today(self) -> None:
        self._load_today(self.clock(), getattr(self.app, "chosen_session_id", None))

    @work(thread=True, exclusive=True, exit_on_error=False, group="today")
    def _load_today(self, now: dt.datetime, chosen_id: int | None) -> None:
        try:
            with self.desk.db.connection_context():
                plan = load_today(now, self.desk.tz, chosen_id)
        except Exception as exc:  # a locked or unreachable database must not end the kiosk
            log.warning("reading today's sessions failed: %s", exc.__class__.__name__)
            plan = TodayPlan(loaded=False, error=True)
        self.post_message(self.TodayLoaded(plan))

    @on(TodayLoaded)
    def _today_loaded(self, message: TodayLoaded) -> None:
        plan = message.plan
        if plan.loaded and getattr(self.app, "chosen_session_id", None) and plan.chosen is None:
            self.app.chosen_session_id = None  # the chosen session has closed
        self.plan = plan
        self.query_one(SessionCard).show(plan)
        self.query_one(TodayList).show(plan)

    @on(SyncChecked)
    def _sync_checked(self, message: SyncChecked) -> None:
        self.query_one(SyncMark).show(message.state)

    # -- signing in ---------------------------------------------------------------------------
    @on(Input.Submitted, "#scan")
    def _submitted(self, event: Input.Submitted) -> None:
        raw = event.value
        event.input.value = ""
        if not raw.strip():
            return
        self.sign_in(raw)

    def sign_in(self, raw: str, method: str | None = None, session_id: int | None = None,
                at: dt.datetime | None = None) -> None:
        """Run the durable sign-in now, then show its outcome (or ask which session). ``at``:
        the scan's own time when it is recorded later (the answer to "which session?")."""
        chosen = session_id if session_id is not None else getattr(self.app, "chosen_session_id", None)
        try:
            outcome = self.desk.sign_in(raw, method=method, session_id=chosen, ask=True, at=at)
        except DatabaseFileGone as exc:
            self._database_gone(exc)
            return
        except Exception as exc:  # database gone, disk full …: say so, keep the kiosk up
            log.exception("sign-in failed: %s", exc.__class__.__name__)
            self.show_result(None, error_key="ui.result.error")
            return
        try:
            if outcome.reason == "ambiguous_session" and outcome.choices:
                from kiosk.ui.dialogs import SessionPickDialog  # rare: loaded on first use

                pick = SessionPickDialog(outcome.choices, self.desk.tz, name=outcome.name or "")
                asked = PendingScan(raw, method, outcome)
                self.app.push_screen(pick, callback=lambda picked: self._picked(asked, picked))
                return
            self.show_result(outcome)
        except Exception as exc:  # a bug must not end the kiosk: say so, log it, take the next scan
            log.exception("showing a sign-in failed: %s", exc.__class__.__name__)
            self.show_result(None, error_key="ui.result.display_error")

    def _picked(self, scan: PendingScan, picked) -> None:
        """The pick list's answer: a session, nothing (Esc, timeout), or the next scan typed
        while it was up.

        Unanswered, this scan is refused — its own ``ambiguous_session`` event, written now
        (the question wrote nothing) — and a typed line is then a scan of its own, never a
        choice made for this person by the next one.
        """
        from kiosk.ui.dialogs import PickClosed, ScanInstead

        if isinstance(picked, int):  # timed at the scan, not at the choice (up to 30 s later)
            self.sign_in(scan.raw, scan.method, session_id=picked,
                         at=scan.asked.at if scan.asked is not None else None)
            return
        why = ("next_scan" if isinstance(picked, ScanInstead)
               else picked.why if isinstance(picked, PickClosed) else "cancelled")
        self._refuse_unchosen(scan, why)
        if isinstance(picked, ScanInstead):
            self.sign_in(picked.line)

    def _refuse_unchosen(self, scan: PendingScan, why: str) -> None:
        outcome = None
        if scan.asked is not None:
            try:
                outcome = self.desk.refuse_unchosen(scan.asked, why)
                outcome.detail = "ui.result.picked_none"  # the banner: not signed in, and why
            except Exception as exc:  # as for a sign-in: say so, keep the kiosk up
                log.exception("recording an unchosen scan failed: %s", exc.__class__.__name__)
                self.show_result(None, error_key="ui.result.error")
                return
        self.show_result(outcome, error_key="ui.result.picked_none")

    def _database_gone(self, exc: DatabaseFileGone) -> None:
        """The database file was deleted or replaced under the running kiosk: the scan was not
        saved, and no later one could be. Say so, then stop with exit 1 so systemd starts the
        kiosk again on the file now there (a restored copy) — or its start-up says what to do."""
        log.critical("the database file is gone (%s): the sign-in was not saved; stopping", exc)
        self.show_result(None, error_key="ui.result.database_gone")
        self.query_one("#scan", Input).disabled = True
        self.app.stop_message = t("run.database_gone")
        self.set_timer(DATABASE_GONE_STOP_S, lambda: self.app.exit(return_code=1))

    def show_result(self, outcome: SignInOutcome | None, error_key: str = "") -> None:
        self.query_one(ResultBanner).show(outcome, error_key)
        self.query_one("#middle").display = False
        if outcome is None or outcome.result == "rejected":
            self.app.bell()
        if self._reset_timer is not None:
            self._reset_timer.stop()
        self._reset_timer = self.set_timer(RESULT_SECONDS, self.clear_result)
        self.app.request_queue_count()

    def clear_result(self) -> None:
        self.query_one(ResultBanner).clear()
        self.query_one("#middle").display = True
        self.query_one("#scan", Input).focus()
        self.refresh_today()
