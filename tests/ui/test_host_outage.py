"""The host view while its database is down (FINDINGS #33): it says it is retrying, logs the
first failure with its traceback and then one line per change, backs off, and comes back.

A real PostgreSQL behind a relay (tests/relay.py) that goes away: open connections cut, new
ones refused at once, as when the tester killed the proxy in front of the centre.
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlparse

from textual.widgets import Static

from db import database, migrations
from kiosk import config
from kiosk.ui.host_app import build_host_app
from tests.conftest import make_office, wall
from tests.relay import Relay
from tests.ui.test_host import Clock, tile, until

DOWN_SECONDS = 8.0


def _records(caplog, what: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "kiosk.ui.host" and r.getMessage().startswith(what)]


async def test_a_host_view_with_its_database_down_logs_once_backs_off_and_comes_back(pg_url, caplog):
    caplog.set_level(logging.INFO)
    parsed = urlparse(pg_url)
    relay = Relay(parsed.hostname, parsed.port)
    url = relay.url(pg_url)
    db = database.bind(url)
    try:
        migrations.upgrade(db)
        ids = make_office(db)
        app = build_host_app(config.load(db=url), db, clock=Clock(wall("2026-11-28 09:02")),
                             session_id=ids["morning"])
        async with app.run_test(size=(100, 30)) as pilot:
            header = app.screen.query_one("#host-header", Static)
            await until(pilot, lambda: tile(app, "expected") == "应到 4", 10)
            relay.refuse()
            await until(pilot, lambda: "正在重试" in str(header.content), 5)
            outage = app.screen.refresh_outage
            await asyncio.sleep(DOWN_SECONDS)
            await pilot.pause()
            assert "正在重试" in str(header.content)  # the screen still says so
            # twice a second would be 16 attempts; backing off ×2 from 0.5 s: 0.5+1+2+4 → ≤ 6
            assert 2 <= outage.failures <= 6, outage.failures
            failed = _records(caplog, "host refresh")
            assert len([r for r in failed if r.exc_info]) == 1  # the one traceback
            assert len(failed) <= 3, [r.getMessage() for r in failed]  # then a line per change
            doors = _records(caplog, "reading the doors")
            assert len([r for r in doors if r.exc_info]) <= 1 and len(doors) <= 3

            relay.resume()
            await pilot.press("f5")  # the host need not wait out the back-off
            await until(pilot, lambda: "正在重试" not in str(header.content), 5)
            assert tile(app, "expected") == "应到 4" and not outage.down
            back = [r.getMessage() for r in _records(caplog, "host refresh back after")]
            assert len(back) == 1 and "failed attempts" in back[0], back
    finally:
        db.close()
        relay.close()

