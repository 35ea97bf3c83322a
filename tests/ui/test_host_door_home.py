"""The host view on a door's home (FINDINGS 17, 26): a 补签 there is refused with where to do it.

The home's last sync round found its central credential a door's (``sync_state``); the centre
would keep the event and never apply it, so the form stays open with the whole line, wrapped at
80x24, and nothing is recorded here.
"""

from __future__ import annotations

from textual.widgets import Input

from db.models import Attendance, SignInEvent
from db.sync.common import set_state
from db.sync.credential import DOOR, STATE_KEY
from kiosk import pin as admin_pin
from kiosk.i18n import t
from tests.conftest import make_office, wall
from tests.ui.test_host import Clock, make_app, tile, until


async def test_a_door_homes_host_view_refuses_a_manual_sign_in_saying_where(db, sqlite_url, home):
    ids = make_office(db)
    admin_pin.set_pin(home, "246810")
    with db.atomic():
        set_state(STATE_KEY, DOOR)
    app = make_app(db, sqlite_url, ids["morning"], Clock(wall("2026-11-28 09:20")))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: tile(app, "expected") == "应到 4")
        await pilot.press("f3")
        await until(pilot, lambda: app.screen.__class__.__name__ == "PinDialog")
        app.screen.query_one("#pin-input", Input).value = "246810"
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.__class__.__name__ == "HostActionForm")
        form = app.screen
        form.query_one("#form-staff", Input).value = "A1002"
        form.query_one("#form-reason", Input).value = "忘带胸卡"
        form.query_one("#form-reason", Input).focus()
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.__class__.__name__ == "HostActionForm"
                    and app.screen is not form)
        error = app.screen.query_one("#form-error")
        assert str(error.content) == t("host.refused.door_home")
        assert error.size.height >= 2  # the whole line, wrapped, not cut at the form's edge
    assert not SignInEvent.select().where(SignInEvent.method == "manual").exists()
    assert Attendance.get((Attendance.session == ids["morning"])
                          & (Attendance.staff == "A1002")).signed_in_at is None
