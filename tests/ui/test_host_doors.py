"""The doors line of the host view on a real PostgreSQL centre (SPEC §8: the host view shows the
doors' state too), at 80×24: flagged doors first and saying why, then the others' counts."""

from __future__ import annotations

import datetime as dt
import time

from textual.widgets import Static

from db import database, fleet
from db.models import utcnow
from db.sessions import add_session
from kiosk import config
from kiosk.ui.host_app import build_host_app
from kiosk.ui.widgets.host_doors import HostDoors
from tests.centre_helpers import make_centre

DAY = "2030-03-04"


async def until(pilot, check, timeout: float = 10.0) -> None:
    start = time.monotonic()
    while not check():
        assert time.monotonic() - start < timeout, "timed out"
        await pilot.pause(0.05)


def report(url: str, kiosk_id: str, *, events: int = 0, queued: int = 0, skew: float = 0,
           silent_min: float = 0) -> None:
    handle = database.make_database(url)
    handle.connect()
    today = dt.datetime.now(config.load().tz).date().isoformat()
    fleet.report_contact(handle, fleet.Contact(kiosk_id, today, events, queued, "0.1.0"),
                         clock=lambda: time.time() + skew)
    if silent_min:
        where = fleet.KioskFleet.kiosk_id == kiosk_id
        seen = fleet.KioskFleet.select(fleet.KioskFleet.last_seen).where(where).scalar(handle)
        (fleet.KioskFleet.update(last_seen=seen - dt.timedelta(minutes=silent_min)).where(where)
         .execute(handle))
    handle.close()


async def test_host_view_shows_the_doors_and_flags_the_ones_to_check(pg_url, home):
    make_centre(pg_url, DAY)
    db = database.bind(pg_url)
    with db.atomic():
        now_session = add_session({"title": "此刻的学习", "kind": "learning_day",
                                   "start": utcnow() - dt.timedelta(minutes=5),
                                   "end": utcnow() + dt.timedelta(hours=2)}, [("all", "")])
    settings = config.load(db=pg_url)
    app = build_host_app(settings, db, clock=utcnow, session_id=now_session)
    async with app.run_test(size=(80, 24)) as pilot:
        doors = app.screen.query_one(HostDoors)
        await pilot.pause(0.3)
        assert not doors.display  # no door has synced yet: no line at all
        report(pg_url, "east-door", events=12)
        report(pg_url, "west-door", events=3, queued=2)
        report(pg_url, "lobby[/]", skew=185)  # a door id is text, never markup
        report(pg_url, "annex", silent_min=15)
        await until(pilot, lambda: doors.display and len(doors.doors) == 4)
        await pilot.pause()
        line = str(doors.render())
        assert line.startswith("终端(4):")
        assert line.index("annex") < line.index("east-door")  # flagged first
        assert line.index("lobby[/]") < line.index("east-door")
        assert "annex ⚠失联15分" in line and "lobby[/] ⚠时钟+3min" in line
        assert "east-door ✓12" in line and "west-door ✓3 待2" in line
        assert doors.region.width == 80 and doors.region.height == 1
        keys = app.screen.query_one("#host-keys", Static)
        assert keys.region.y == 23 and doors.region.y == 22  # both fit at 80×24
    db.close()


async def test_a_door_row_with_impossible_values_is_flagged_not_a_crash(pg_url, home):
    """FINDINGS #35: the row is the door's word; NaN, negative queues and markup stay data."""
    make_centre(pg_url, DAY)
    db = database.bind(pg_url)
    with db.atomic():
        now_session = add_session({"title": "此刻的学习", "kind": "learning_day",
                                   "start": utcnow() - dt.timedelta(minutes=5),
                                   "end": utcnow() + dt.timedelta(hours=2)}, [("all", "")])
    report(pg_url, "east[b]\x1b[2J", events=4)
    report(pg_url, "west-door", events=3)
    bad = fleet.KioskFleet.kiosk_id == "east[b]\x1b[2J"
    fleet.KioskFleet.update(queued=-5, clock_offset_s=float("nan")).where(bad).execute(db)
    settings = config.load(db=pg_url)
    app = build_host_app(settings, db, clock=utcnow, session_id=now_session)
    async with app.run_test(size=(80, 24)) as pilot:
        doors = app.screen.query_one(HostDoors)
        await until(pilot, lambda: doors.display and len(doors.doors) == 2)
        await pilot.pause()
        line = str(doors.render())
        assert "east[b][2J ⚠时钟?" in line and "\x1b" not in line  # flagged, first, as text
        assert "待-5" not in line and line.index("east") < line.index("west-door ✓3")
    db.close()
