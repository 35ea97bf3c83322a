"""The kiosk's background sync: one thread that talks to the centre so the screen never does.

``kiosk run`` starts one :class:`SyncLoop`. Its thread runs a full round (push, pull, fleet row)
every ``sync.interval`` seconds and, right after each scan, a quick push of what waits (bursts of
scans coalesce into one push: a scan during a push asks for one more, never one each); in between,
once a second, it asks the centre whether any door pushed since it last looked and merges those
sign-ins (``db.register_watch``), so a person who signed in at the east door is "already signed
in (east door)" here within 2 s. The UI
thread only ever sets a flag and receives a :class:`SyncState` back; a centre that hangs costs
the loop at most one bounded round (``[sync]`` timeouts, :mod:`db.database`), never the screen.
While the centre is unreachable (or refuses this door's rounds) scans no longer trigger
pushes: the periodic round retries,
backing off ×2 up to 5 minutes (with jitter, so forty doors do not knock in step), and the first
round that gets through resumes everything on its own.

The agent (``kiosk.syncer``) is optional: without it, or without a central URL, the kiosk still
shows how many events wait.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable

from db.database import redact_text
from kiosk.config import Settings
from kiosk.ui.widgets.sync_mark import SyncState

log = logging.getLogger("kiosk.ui.sync")
MAX_BACKOFF = 300.0
REGISTER_SECONDS = 1.0  # the look at the other doors' sign-ins, while the centre answers


def queued_events() -> int:
    """Events the centre has not acknowledged (the store's own count; loaded on first use)."""
    from db.sync import queued_count

    return queued_count()


def sync_round(settings: Settings, agent=None, job: str = "round") -> tuple[SyncState, object]:
    """Return the new state and the agent to reuse next round (created on first use).

    ``job``: ``round`` (push, pull), ``push`` (push only) or ``register`` (the other doors'
    sign-ins only)."""
    if not settings.central_url:
        return SyncState(local_only=True, queued=queued_events()), None
    if agent is None:
        try:
            from kiosk.syncer import SyncAgent
        except ImportError:
            return SyncState(local_only=False, reachable=None, queued=queued_events(),
                             agent_missing=True), None
        agent = SyncAgent(settings)
    try:
        run = {"push": agent.push_now, "register": agent.watch_register}.get(job, agent.run_once)
        report = run()
    except Exception as exc:  # the agent must never take the kiosk down
        log.warning("sync round failed: %s", exc.__class__.__name__)
        return SyncState(local_only=False, reachable=False, queued=queued_events(),
                         error=exc.__class__.__name__), agent
    error = redact_text(str(report.error or ""), settings.central_url)[:200]
    # reached but refused (a foreign home, a missing right, a schema mismatch): nothing was
    # synced, so the door must not say "connected"
    failing = bool(error) and report.reachable is not False
    return SyncState(local_only=False, reachable=report.reachable, queued=int(report.queued),
                     error=error, failing=failing, not_applied=report.not_applied,
                     clock_offset_s=report.clock_offset_s, id_taken=report.id_taken), agent


def held_back(state: SyncState) -> bool:
    """The centre cannot take this door's events now: unreachable, or it refuses the rounds (a
    home that does not mirror it, a missing right) — retrying every few seconds only fills the
    log, so both back off and neither triggers a push per scan."""
    return state.reachable is False or state.failing


def next_delay(state: SyncState, interval: float, current: float) -> float:
    """Back off ×2 (to 5 min) while the centre is held back; the normal interval otherwise."""
    if held_back(state):
        return min(MAX_BACKOFF, max(interval, current * 2))
    return interval


class SyncLoop:
    """The one thread that syncs with the centre; ``publish`` gets each round's state.

    ``publish`` is called on the loop's thread (the app hops to its own with
    ``call_from_thread``). ``request_push`` and ``request_round`` never block.
    """

    def __init__(self, settings: Settings, publish: Callable[[SyncState, bool], None]) -> None:
        self.settings = settings
        self.publish = publish
        self.rounds = 0  # full rounds finished (tests and the log read it)
        self.pushes = 0  # quick pushes finished
        self.looks = 0  # looks at the other doors' sign-ins
        self._cond = threading.Condition()
        self._push_wanted = False
        self._round_due = time.monotonic()  # the first round at once
        self._delay = settings.sync_interval
        self._reachable: bool | None = None
        self._held_back = False  # unreachable or refusing (see held_back)
        self._register_due: float | None = None  # set once a round went through
        self._stopping = False
        self._agent = None
        self._thread = threading.Thread(target=self._run, name="kiosk-sync", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def request_push(self) -> None:
        """After a scan: push soon (coalesced); skipped while the centre is known to be down."""
        if not self.settings.central_url or self._held_back:
            return
        with self._cond:
            self._push_wanted = True
            self._cond.notify()

    def request_round(self) -> None:
        """A full round now (the admin's "sync now", a retry the operator asks for)."""
        with self._cond:
            self._round_due = time.monotonic()
            self._cond.notify()

    def stop(self, wait: float = 1.0) -> None:
        """Ask the thread to end; waits briefly (a round in flight ends by its own timeouts)."""
        with self._cond:
            self._stopping = True
            self._cond.notify()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(wait)
        if not self._thread.is_alive() and self._agent is not None:
            self._agent.close()

    # -- the thread ----------------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            job = self._next_job()
            if job is None:
                return
            state = self._one(job)
            self._count(job)
            self._reachable = state.reachable
            self._held_back = held_back(state)
            if job == "round" or self._held_back:
                self._schedule(state)
            healthy = state.reachable is True and not state.error
            self._register_due = time.monotonic() + REGISTER_SECONDS if healthy else None
            if self._stopping:
                return
            if job == "register" and healthy:
                continue  # nothing the screen shows changed
            try:
                self.publish(state, job == "round")
            except RuntimeError:  # the app is closing
                return

    def _count(self, job: str) -> None:
        if job == "push":
            self.pushes += 1
        elif job == "register":
            self.looks += 1
        else:
            self.rounds += 1

    def _next_job(self) -> str | None:
        """Wait for a push request, the next round's time or the next look; None when stopping."""
        with self._cond:
            while True:
                if self._stopping:
                    return None
                now = time.monotonic()
                if self._round_due <= now:
                    self._push_wanted = False  # the round pushes too
                    return "round"
                if self._push_wanted:
                    self._push_wanted = False
                    return "push"
                if self._register_due is not None and self._register_due <= now:
                    return "register"
                wake = min(self._round_due, self._register_due or self._round_due)
                self._cond.wait(wake - now)

    def _one(self, job: str) -> SyncState:
        from db import database

        try:
            with database.proxy.obj.connection_context():
                state, self._agent = sync_round(self.settings, self._agent, job)
        except Exception as exc:  # the local database itself failed: say so, keep looping
            log.warning("sync check failed: %s", exc.__class__.__name__)
            state = SyncState(local_only=not self.settings.central_url,
                              reachable=False if self.settings.central_url else None,
                              error=exc.__class__.__name__)
        return state

    def _schedule(self, state: SyncState) -> None:
        """The next round: the interval, or backing off while cut off (then the pushes asked
        for meanwhile wait for that round: it pushes them too)."""
        interval = self.settings.sync_interval
        self._delay = next_delay(state, interval, self._delay)
        jitter = random.uniform(0.9, 1.1) if held_back(state) else 1.0
        with self._cond:
            self._round_due = time.monotonic() + self._delay * jitter
            if held_back(state):
                self._push_wanted = False
