"""Snapshots of the host view at 80×24 and 160×50 (zh) and 80×24 (en), with a frozen clock."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from kiosk import config
from kiosk.desk import SignInDesk
from kiosk.host_actions import HostActions
from kiosk.i18n import set_language
from kiosk.ui.host_app import build_host_app
from tests.conftest import TZ, make_office, wall


def office_app(db, sqlite_url):
    ids = make_office(db)
    desk = SignInDesk(db, kiosk_id="door-1", tz=TZ)
    desk.sign_in("A1001", at=wall("2026-11-28 08:51"), method="qr")
    desk.sign_in("A1001", at=wall("2026-11-28 09:08"))  # a repeat: not listed twice
    desk.record_leave("B2001", ids["morning"], "出差", at=wall("2026-11-28 08:00"))
    now = wall("2026-11-28 09:12")
    HostActions(db, tz=TZ, kiosk_id="host", clock=lambda: now).manual_signin(
        "A1002", ids["morning"], "忘带胸卡", "刘主任", at=wall("2026-11-28 09:10"))
    return build_host_app(config.load(db=sqlite_url), db, clock=lambda: now,
                          session_id=ids["morning"])


async def loaded(pilot) -> None:
    app = pilot.app
    for _ in range(100):
        if app.screen.query("#tile-expected") and app.screen.query_one("#host-recent").row_count:
            break
        await pilot.pause(0.05)
    for field in app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (160, 50)])
def test_host_view_zh(snap_compare, db, sqlite_url, size):
    assert snap_compare(office_app(db, sqlite_url), terminal_size=size, run_before=loaded)


def test_host_view_en(snap_compare, db, sqlite_url):
    set_language("en")
    assert snap_compare(office_app(db, sqlite_url), terminal_size=(80, 24), run_before=loaded)
