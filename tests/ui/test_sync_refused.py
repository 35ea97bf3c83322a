"""A round the centre refuses is shown on the door as NOT synced (FINDINGS #31, display half).

The door is the real kiosk app under Pilot on a real SQLite home; the centre is a real
PostgreSQL. The home gains a session of its own (a clerk's ad-hoc meeting), so the centre
refuses every round ("this home does not mirror the centre"): the mark must say so in the
warning colour, never "中心已连接" while the sign-ins wait for ever.
"""

from __future__ import annotations

import datetime as dt

from textual.widgets import Input

from db import database
from db.models import utcnow
from db.sessions import add_session
from kiosk.syncer import SyncAgent
from kiosk.ui.widgets.sync_mark import SyncMark
from tests.centre_helpers import make_centre
from tests.ui.kiosk_office import kiosk

DAY = "2030-03-04"


async def test_a_refused_round_is_shown_as_not_synced(db, home, pg_url):
    make_centre(pg_url, DAY)
    app, _ = kiosk(db, home, central_url=pg_url, sync_interval=60.0)
    database.proxy.initialize(db)
    assert SyncAgent(app.settings).run_once().error == ""  # a mirror of the centre so far
    with db.atomic():
        add_session({"title": "本地加的", "kind": "other", "start": utcnow(),
                     "end": utcnow() + dt.timedelta(minutes=50)}, [("all", "")])
    async with app.run_test(size=(80, 24)) as pilot:
        while not app.sync_state.error:
            await pilot.pause(0.05)
        await pilot.pause()
        state = app.sync_state
        assert state.reachable is True and state.failing  # reached, refused
        assert "不是来自中心数据库" in state.error, state.error
        mark = app.signin.query_one(SyncMark)
        shown = str(mark.render())
        assert "同步出错,未上传" in shown and "中心已连接" not in shown
        assert mark.has_class("-down") and not mark.has_class("-waiting")
        assert "中心已连接" not in state.detail() and "同步出错" in state.detail()


async def test_a_refusing_centre_is_asked_less_and_less(db, home, pg_url):
    """Refused rounds back off ×2 like an unreachable centre (not one refusal in the log every
    interval for ever), and a scan meanwhile asks for no push of its own."""
    make_centre(pg_url, DAY)
    app, _ = kiosk(db, home, central_url=pg_url, sync_interval=0.2)
    database.proxy.initialize(db)
    with db.atomic():
        add_session({"title": "本地加的", "kind": "other", "start": utcnow(),
                     "end": utcnow() + dt.timedelta(minutes=50)}, [("all", "")])
    async with app.run_test(size=(80, 24)) as pilot:
        while not app.sync_state.failing:
            await pilot.pause(0.05)
        app.signin.query_one("#scan", Input).value = "A1001"
        await pilot.press("enter")
        await pilot.pause(3.0)
        # every 0.2 s would be ~15 rounds; 0.2 + 0.4 + 0.8 + 1.6 (±10 %) is at most 5
        assert app.sync_loop.rounds <= 5, app.sync_loop.rounds
        assert app.sync_loop.pushes == 0
        assert app.sync_state.failing
