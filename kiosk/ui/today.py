"""Today's sessions for the kiosk card and admin screen: what is open now, what comes later.

Read off the UI thread: by a thread worker on the screen, and once at start-up by ``preload``,
which ``kiosk run`` starts before Textual is even imported so the open session's title is in
the kiosk's first frame. Nothing here imports Textual.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from db import queries
from kiosk import rules, timefmt
from kiosk.sign_in_outcome import session_view

log = logging.getLogger("kiosk.ui")


@dataclass(frozen=True)
class TodayPlan:
    """What the card shows; built off the UI thread from the database."""

    open_now: tuple[rules.SessionView, ...] = ()
    later: tuple[rules.SessionView, ...] = ()
    chosen: rules.SessionView | None = None
    loaded: bool = False
    error: bool = False
    today: tuple[rules.SessionView, ...] = field(default=())

    @property
    def current(self) -> rules.SessionView | None:
        if self.chosen is not None:
            return self.chosen
        return self.open_now[0] if self.open_now else None


def load_today(now: dt.datetime, tz: ZoneInfo, chosen_id: int | None) -> TodayPlan:
    """Sessions of today (office zone) split into open now and later; the admin's choice if open."""
    start, end = timefmt.day_bounds_utc(timefmt.local(now, tz).date(), tz)
    today = [session_view(r) for r in queries.sessions_between(start, end, cancelled=False)]
    # a session that started yesterday evening may still be open
    near = [session_view(r) for r in queries.sessions_near(now)]
    by_id = {s.id: s for s in today + near}
    open_now = tuple(sorted((s for s in by_id.values() if rules.window_open(s, now)),
                            key=lambda s: (s.start, s.id)))
    later = tuple(s for s in today if s.opens > now)
    chosen = next((s for s in open_now if s.id == chosen_id), None)
    return TodayPlan(open_now=open_now, later=later, chosen=chosen, loaded=True, today=tuple(today))


class PlanPreload:
    """Today's plan read in a background thread while the rest of the kiosk loads.

    ``take`` waits a little for it and returns None when it is not there (the screen's own
    worker then reads it): start-up never blocks on a slow database.
    """

    def __init__(self, db, tz: ZoneInfo, clock: Callable[[], dt.datetime]) -> None:
        self._plan: TodayPlan | None = None
        self._thread = threading.Thread(target=self._read, args=(db, tz, clock), daemon=True,
                                        name="kiosk-preload")
        self._thread.start()

    def _read(self, db, tz: ZoneInfo, clock: Callable[[], dt.datetime]) -> None:
        try:
            with db.connection_context():
                self._plan = load_today(clock(), tz, None)
        except Exception as exc:  # the screen's worker tries again and says so if it fails
            log.warning("preloading today's sessions failed: %s", exc.__class__.__name__)

    def take(self, timeout: float = 0.5) -> TodayPlan | None:
        self._thread.join(timeout)
        return self._plan
