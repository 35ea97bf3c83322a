"""``kiosk run`` against a real PostgreSQL centre that hangs: the door keeps signing in, shows
"unreachable", backs off, and resumes on its own once the path heals (SPEC §8).

The real app under Pilot, on a real SQLite door mirroring a real PostgreSQL centre reached
through a relay on 127.0.0.1 (tests/relay.py) that stops forwarding while keeping the TCP
connection open.
"""

from __future__ import annotations

import time
from urllib.parse import urlparse

from textual.widgets import Input

from db import database
from db.models import SignInEvent
from kiosk.syncer import SyncAgent
from kiosk.ui.widgets.result_banner import ResultBanner
from kiosk.ui.widgets.sync_mark import SyncMark
from tests.centre_helpers import make_centre
from tests.relay import Relay
from tests.ui.kiosk_office import kiosk

SCAN_BOUND = 1.0  # s: well under the centre's 2 s reply bound, with room for a loaded machine

DAY = "2030-03-04"


def centre_events(url: str) -> set[str]:
    handle = database.make_database(url)
    handle.connect()
    try:
        return {row[0] for row in handle.execute_sql("SELECT staff_key FROM sign_in_event")}
    finally:
        handle.close()


async def wait_for(pilot, predicate, timeout: float) -> float:
    """Seconds until ``predicate()`` held (the UI keeps running meanwhile); fails after timeout."""
    started = time.monotonic()
    while not predicate():
        assert time.monotonic() - started < timeout, "timed out"
        await pilot.pause(0.05)
    return time.monotonic() - started


async def scan(app, pilot, text: str) -> tuple[str, float]:
    """A scan through the real input; returns the banner and how long the screen took."""
    started = time.monotonic()
    app.signin.query_one("#scan", Input).value = text
    await pilot.press("enter")
    await pilot.pause()
    return app.signin.query_one(ResultBanner).text, time.monotonic() - started


async def test_door_keeps_signing_in_while_the_centre_hangs_and_resumes(db, home, pg_url):
    make_centre(pg_url, DAY)
    parsed = urlparse(pg_url)
    relay = Relay(parsed.hostname, parsed.port)
    try:
        app, _ = kiosk(db, home, at=f"{DAY} 09:02", central_url=relay.url(pg_url),
                       sync_interval=2.0, sync_timeouts=(2.0, 1.0, 1.0))
        database.proxy.initialize(db)
        assert SyncAgent(app.settings).run_once().error == ""  # the door mirrors the centre
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: app.sync_state.reachable is True, 10)

            # near-live: the sign-in is at the centre well before the next round
            # SCAN_BOUND: a scan that waited on the centre would take the 2 s reply bound at least
            text, took = await scan(app, pilot, "A1001")
            assert "签到成功" in text and "张 三" in text and took < SCAN_BOUND
            latency = await wait_for(pilot, lambda: "A1001" in centre_events(pg_url), 5)
            assert latency < 1.0, latency
            assert app.sync_loop.pushes >= 1

            # the centre hangs mid-conversation: scans go on at screen speed
            relay.stall()
            for staff_id, name in (("A1002", "李 四"), ("B2001", "王 五"), ("B2002", "赵 六")):
                text, took = await scan(app, pilot, staff_id)
                assert name in text and took < SCAN_BOUND, (text, took)
            await wait_for(pilot, lambda: app.sync_state.reachable is False, 10)
            mark = app.signin.query_one(SyncMark)
            await wait_for(pilot, lambda: "中心未连接" in str(mark.content), 2)
            assert mark.has_class("-down") and "待上传 3" in str(mark.content)
            assert "A1002" not in centre_events(pg_url)
            rounds_when_down = app.sync_loop.rounds

            # still down a while later: it retried (backing off) and the screen never froze
            text, took = await scan(app, pilot, "A1001")
            assert "已签到" in text and took < SCAN_BOUND
            await wait_for(pilot, lambda: app.sync_loop.rounds > rounds_when_down, 20)
            assert app.sync_state.reachable is False

            # the path heals: the next retry gets through and everything waiting goes up
            relay.resume()
            await wait_for(pilot, lambda: app.sync_state.reachable is True
                           and app.sync_state.queued == 0, 30)
            assert {"A1001", "A1002", "B2001", "B2002"} <= centre_events(pg_url)
            assert "中心已连接 · 待上传 0" in str(mark.content)
            assert app.is_running
        assert SignInEvent.select().where(SignInEvent.pushed_at.is_null()).count() == 0
    finally:
        relay.close()
