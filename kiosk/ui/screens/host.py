"""The host's live view of one session: header, big counts, departments, missing, latest.

A thread worker polls the database's cheap change detector (``db.live.ChangeDetector``) twice a
second and reads a full snapshot only when it moved, so a sign-in written by any process shows
within a second without hammering the database. The clock ticks separately: the time left and
未到 → 缺席 at the end are derived from it, with no query. Host actions (leave, 补签, undo) sit
behind the admin PIN and each needs a reason; they run in a thread and wake the poller.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading
import time

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.worker import get_current_worker

from db import live, queries
from kiosk import pin as admin_pin
from kiosk import rules, timefmt
from kiosk.host_actions import HostOutcome
from kiosk.i18n import t
from kiosk.sign_in_outcome import session_view
from kiosk.ui.dialogs import PinDialog
from kiosk.ui.outage import Outage
from kiosk.ui.plain import Static, plain
from kiosk.ui.widgets.host_counts import HostCounts
from kiosk.ui.widgets.host_departments import HostDepartments
from kiosk.ui.widgets.host_doors import HostDoors
from kiosk.ui.widgets.host_form import HostActionForm, HostForm
from kiosk.ui.widgets.host_header import HostHeader
from kiosk.ui.widgets.host_missing import HostMissing
from kiosk.ui.widgets.host_recent import HostRecent

log = logging.getLogger("kiosk.ui.host")
POLL_SECONDS = 0.5
SAFETY_REFRESH_SECONDS = 30.0  # a full refresh now and then, whatever the detector says
UNLOCK_SECONDS = 120.0  # after a right PIN, further host actions need no PIN for this long
DOORS_SECONDS = 5.0  # the doors line: each door reports every round (10 s by default)


def key_hints() -> str:
    return "  ".join(f"{key} {t(label)}" for key, label in (
        ("F2", "host.key.leave"), ("F3", "host.key.manual"), ("F4", "host.key.undo"),
        ("F5", "host.key.refresh"), ("F6", "host.key.sessions"), ("Ctrl+Q", "host.key.quit")))


class HostScreen(Screen):
    BINDINGS = [
        Binding("f2", "host('leave')", show=False),
        Binding("f3", "host('manual')", show=False),
        Binding("f4", "host('undo')", show=False),
        Binding("f5", "refresh", show=False),
        Binding("f6", "sessions", show=False),
        Binding("escape", "clear_filter", show=False),
    ]

    class Refreshed(Message):
        def __init__(self, session: rules.SessionView | None, snapshot: live.LiveSnapshot | None,
                     at: dt.datetime) -> None:
            super().__init__()
            self.session = session
            self.snapshot = snapshot
            self.at = at

    class Failed(Message):
        pass

    class DoorsRead(Message):
        def __init__(self, doors: list) -> None:
            super().__init__()
            self.doors = doors

    def __init__(self, session_id: int) -> None:
        super().__init__()
        self.session_id = session_id
        self.session: rules.SessionView | None = None
        self.snapshot: live.LiveSnapshot | None = None
        self.last_outcome: HostOutcome | None = None
        self._status = ""
        self._ended: bool | None = None
        self._wake = threading.Event()
        self._doors_stop = threading.Event()
        self._unlocked_until = 0.0
        self.refresh_outage: Outage | None = None  # the live data's failures (set by _watch)

    def compose(self) -> ComposeResult:
        yield HostHeader(id="host-header")
        yield HostCounts(id="host-counts")
        with Horizontal(id="host-main"):
            with Vertical(id="departments-panel", classes="host-panel"):
                yield HostDepartments(id="host-departments")
            yield HostMissing(id="missing-panel", classes="host-panel")
        with Vertical(id="recent-panel", classes="host-panel"):
            yield HostRecent(id="host-recent")
        yield HostDoors(id="host-doors")
        yield Static(key_hints(), id="host-keys")

    def on_mount(self) -> None:
        self.query_one("#departments-panel").border_title = plain(t("host.panel.departments"))
        self.query_one("#recent-panel").border_title = plain(t("host.panel.recent"))
        self.query_one("#missing-panel").border_title = plain(t("host.panel.missing", count=""))
        self.query_one("#missing-filter").focus()
        self._tick()
        self.set_interval(1.0, self._tick)
        self._watch()
        self._watch_doors()

    # -- live data --------------------------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="host-live")
    def _watch(self) -> None:
        worker = get_current_worker()
        db = self.app.db
        detector = live.ChangeDetector(db, self.session_id)
        last_full = 0.0
        outage = self.refresh_outage = Outage(log, "host refresh", POLL_SECONDS,
                                              url=self.app.settings.db_url)
        try:
            while not worker.is_cancelled:
                forced = self._wake.is_set()
                self._wake.clear()
                try:
                    moved = detector.changed()
                    if (forced or moved or outage.down
                            or time.monotonic() - last_full > SAFETY_REFRESH_SECONDS):
                        row = queries.session_by_id(self.session_id)
                        session = session_view(row) if row else None
                        snap = live.snapshot(self.session_id) if row else None
                        last_full = time.monotonic()
                        self.post_message(self.Refreshed(session, snap, self.app.clock()))
                    wait = outage.succeeded()
                except Exception as exc:  # the view keeps trying: a dropped server, a locked file
                    wait = outage.failed(exc)  # (logged once, then once per change: FINDINGS 33)
                    detector = live.ChangeDetector(db, self.session_id)
                    self._close_quietly(db)
                    self.post_message(self.Failed())
                self._wake.wait(wait)  # (F5 wakes it at once, down or not)
        finally:
            self._close_quietly(db)

    @work(thread=True, exclusive=True, exit_on_error=False, group="host-doors")
    def _watch_doors(self) -> None:
        """The doors' state from the fleet table, every few seconds (db.fleet)."""
        from db import fleet

        worker = get_current_worker()
        db = self.app.db
        tz = self.app.settings.tz
        outage = Outage(log, "reading the doors", DOORS_SECONDS, url=self.app.settings.db_url)
        try:
            while not worker.is_cancelled:
                try:
                    now = self.app.clock()
                    today = timefmt.local(now, tz).date().isoformat()
                    self.post_message(self.DoorsRead(fleet.list_doors(db, today, now)))
                    wait = outage.succeeded()
                except Exception as exc:  # an older centre without the table, a dropped server
                    wait = outage.failed(exc)
                    self._close_quietly(db)
                if self._doors_stop.wait(wait):
                    break
        finally:
            self._close_quietly(db)

    def on_unmount(self) -> None:
        self._doors_stop.set()

    @on(DoorsRead)
    def _doors_read(self, message: DoorsRead) -> None:
        self.query_one(HostDoors).show(message.doors)

    @staticmethod
    def _close_quietly(db) -> None:
        try:
            db.close()
        except Exception:  # closing a broken connection may itself fail
            pass

    @on(Refreshed)
    def _refreshed(self, message: Refreshed) -> None:
        self.session, self.snapshot = message.session, message.snapshot
        self._status = "" if message.session else t("reason.session_not_found",
                                                       session=self.session_id)
        self._ended = None
        self._tick()

    @on(Failed)
    def _failed(self) -> None:
        self._status = t("host.header.db_error")
        self._tick()

    def _tick(self) -> None:
        """Once a second: the header's time left; on the end, 未到 turns into 缺席."""
        now = self.app.clock()
        self.query_one(HostHeader).show(self.session, now, self.app.settings.tz, self._status)
        if self.session is None or self.snapshot is None:
            return
        ended = now > self.session.end
        if ended == self._ended:
            return
        self._ended = ended
        self._show(self.snapshot, ended)

    def on_resize(self) -> None:
        self._ended = None  # re-render: bar lengths follow the terminal width
        self._tick()

    def _show(self, snap: live.LiveSnapshot, ended: bool) -> None:
        self.query_one(HostCounts).show(snap.totals, ended=ended,
                                        signout=bool(self.session and self.session.require_signout))
        self.query_one(HostDepartments).show(snap.departments, ended=ended)
        missing = self.query_one(HostMissing)
        missing.show(snap.missing)
        missing.border_title = plain(t("host.panel.missing_absent" if ended else "host.panel.missing",
                                       count=len(snap.missing)))
        self.query_one(HostRecent).show(snap.recent, self.app.settings.tz, self.app.clock())

    # -- keys ----------------------------------------------------------------------------------
    def action_refresh(self) -> None:
        self._wake.set()

    def action_clear_filter(self) -> None:
        self.query_one(HostMissing).clear_filter()
        self.query_one("#missing-filter").focus()

    def action_sessions(self) -> None:
        """F6: back to today's list — the one beneath, or (started with ``--session``) a new one
        in this screen's place whose Escape comes back to this session."""
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            from kiosk.ui.screens.host_pick import HostPickScreen  # imports this module

            self.app.switch_screen(HostPickScreen(open_single=False, watched=self.session_id))

    def action_host(self, kind: str) -> None:
        staff = self.query_one(HostMissing).selected_staff_id() if kind != "undo" else ""
        self._host_flow(kind, staff)

    @work(exclusive=True, group="host-action")
    async def _host_flow(self, kind: str, staff: str) -> None:
        """The form, the action, and the form again after a refusal — with what was typed and
        the reason in it (FINDINGS 12), so a 补签 refused for its time is corrected, not retyped."""
        if not await self._unlock():
            return
        typed, error = None, ""
        while True:
            form = await self.app.push_screen_wait(HostActionForm(kind, staff, typed=typed,
                                                                  error=error))
            if form is None:
                return
            out = await asyncio.to_thread(self._apply, form)
            self._wake.set()
            if out.result != "refused":
                self._announce(out)
                return
            self.last_outcome = out
            self.app.bell()
            typed, error = form, self._refusal(out)

    async def _unlock(self) -> bool:
        if time.monotonic() < self._unlocked_until:
            return True
        home = self.app.settings.home
        if not admin_pin.has_pin(home):  # never offer a first PIN on screen: refused, say how
            self.notify(t("host.form.no_pin"), severity="error", timeout=12)
            self.app.bell()
            return False
        ok = await self.app.push_screen_wait(PinDialog(home))
        if ok:
            self._unlocked_until = time.monotonic() + UNLOCK_SECONDS
        return bool(ok)

    def _apply(self, form: HostForm) -> HostOutcome:
        """The host's action (in a thread: it writes to the database); never raises."""
        actions, actor = self.app.actions, self.app.actor
        try:
            if form.kind == "leave":
                out = actions.record_leave(form.staff, self.session_id, form.reason, actor)
            elif form.kind == "manual":
                out = actions.manual_signin(form.staff, self.session_id, form.reason, actor,
                                            at=self._arrival(form.time))
            else:
                out = actions.undo_signin(form.staff, self.session_id, form.reason, actor)
        except Exception as exc:  # say it on screen, log the detail, keep the view alive
            log.exception("host action %s failed", form.kind)
            out = HostOutcome("refused", "failed", staff_id=form.staff,
                              name=exc.__class__.__name__)
        finally:
            self._close_quietly(self.app.db)
        return out

    @staticmethod
    def _refusal(out: HostOutcome) -> str:
        return t(f"host.refused.{out.reason}", name=out.name, staff=out.staff_id, detail=out.name)

    def _arrival(self, hhmm: str) -> dt.datetime | None:
        if not hhmm or self.session is None:
            return None
        tz = self.app.settings.tz
        day = timefmt.local(self.session.start, tz).date()
        return timefmt.parse_wall(f"{day.isoformat()} {hhmm}", tz)

    def _announce(self, out: HostOutcome) -> None:
        self.last_outcome = out
        tz = self.app.settings.tz
        if out.result == "refused":
            self.notify(self._refusal(out), severity="error")
            self.app.bell()
            return
        if out.result == "leave":
            key = "host.done.leave_signed_in" if out.reason == "already_signed_in" else "host.done.leave"
        else:
            key = f"host.done.{out.result}"
        if out.result != "already":
            self.query_one(HostMissing).clear_filter()
        when = timefmt.hhmm(out.already_at, tz) if out.already_at else ""
        self.notify(t(key, name=out.name, time=when),
                    severity="warning" if out.result == "already" else "information")
