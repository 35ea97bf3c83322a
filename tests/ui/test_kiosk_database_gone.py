"""FINDINGS 8 on the real screen: the database file deleted under a running kiosk. The next scan
is not confirmed: the banner says the file is gone and nothing was saved, the scan field stops
taking scans, and the kiosk stops with exit code 1 and a line saying what to do (under systemd it
restarts on whatever file is there, or its start-up says "restore")."""

from __future__ import annotations

import os

from textual.widgets import Input

from kiosk.ui.screens import signin
from kiosk.ui.widgets.result_banner import ResultBanner
from tests.conftest import make_office
from tests.ui.kiosk_office import kiosk


async def test_a_scan_after_the_file_was_deleted_is_refused_and_the_kiosk_stops(db, home,
                                                                                 monkeypatch):
    monkeypatch.setattr(signin, "DATABASE_GONE_STOP_S", 0.5)
    make_office(db)
    app, _clock = kiosk(db, home)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        scan = app.signin.query_one("#scan", Input)
        scan.value = "A1001"
        await pilot.press("enter")
        await pilot.pause()
        assert "签到成功" in app.signin.query_one(ResultBanner).text
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db.database + suffix):
                os.unlink(db.database + suffix)
        scan.value = "A1002"
        await pilot.press("enter")
        await pilot.pause()
        shown = app.signin.query_one(ResultBanner).text
        assert "数据库文件已被删除或替换" in shown and "签到成功" not in shown
        assert scan.disabled
        await pilot.pause(1.0)
    assert not os.path.exists(db.database)  # no empty file made in its place by a reconnect
    assert app.return_code == 1 and "kiosk doctor" in app.stop_message
