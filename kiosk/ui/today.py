"""Reading today's sessions for the kiosk card and admin screen (run in a thread worker)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from db import queries
from kiosk import rules, timefmt
from kiosk.desk import session_view
from kiosk.ui.widgets.session_card import TodayPlan


def load_today(now: dt.datetime, tz: ZoneInfo, chosen_id: int | None) -> TodayPlan:
    """Sessions of today (office zone) split into open now and later; the admin's choice if open."""
    start, end = timefmt.day_bounds_utc(timefmt.local(now, tz).date(), tz)
    today = [session_view(r) for r in queries.sessions_between(start, end)]
    # a session that started yesterday evening may still be open
    near = [session_view(r) for r in queries.sessions_near(now)]
    by_id = {s.id: s for s in today + near}
    open_now = tuple(sorted((s for s in by_id.values() if rules.window_open(s, now)),
                            key=lambda s: (s.start, s.id)))
    later = tuple(s for s in today if s.opens > now)
    chosen = next((s for s in open_now if s.id == chosen_id), None)
    return TodayPlan(open_now=open_now, later=later, chosen=chosen, loaded=True, today=tuple(today))
