"""Unattended for months: the kiosk rolls over at midnight and rides out wall-clock steps.

The real app under Pilot with a clock the test moves: the screen's own timers (monotonic, as
Textual's are) must notice the new day by themselves, and every sign-in must carry the wall time
of its scan even right after NTP stepped the clock either way.
"""

from __future__ import annotations

from textual.widgets import Digits, Input, Static

from db.models import SignInEvent
from db.sessions import add_session
from tests.conftest import make_office, wall
from tests.ui.kiosk_office import kiosk


async def settle(app, pilot, seconds: float = 0.0) -> None:
    await pilot.pause(seconds) if seconds else await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def clock_text(app) -> str:
    return app.signin.query_one("#clock-digits", Digits).value


def date_text(app) -> str:
    return str(app.signin.query_one("#clock-date", Static).content)


async def test_rolls_over_to_the_next_days_sessions_at_midnight(db, home):
    make_office(db, day="2026-11-28")
    with db.atomic():
        add_session({"title": "次日机关学习", "kind": "lecture", "start": wall("2026-11-29 09:00"),
                     "end": wall("2026-11-29 10:00")}, [("all", "")])
    app, clock = kiosk(db, home, at="2026-11-28 23:59")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        titles = {s.title for s in app.signin.plan.today}
        assert "机关学习日" in titles and "次日机关学习" not in titles
        assert "28" in date_text(app)
        clock.set("2026-11-29 00:00")  # midnight passes; nobody touches the kiosk
        await settle(app, pilot, 1.5)  # (the 20-second refresh alone would not have run yet)
        plan = app.signin.plan
        assert [s.title for s in plan.today] == ["次日机关学习"]
        assert [s.title for s in plan.later] == ["次日机关学习"]
        assert "29" in date_text(app) and clock_text(app) == "00:00:00"


async def test_wall_clock_steps_neither_freeze_the_clock_nor_misdate_a_sign_in(db, home):
    make_office(db, day="2026-11-28")
    app, clock = kiosk(db, home, at="2026-11-28 09:20")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert clock_text(app) == "09:20:00"
        clock.set("2026-11-28 08:50")  # NTP steps the clock back half an hour
        await settle(app, pilot, 1.3)
        assert clock_text(app) == "08:50:00"  # the clock widget follows, it does not wait
        app.signin.query_one("#scan", Input).value = "A1001"
        await pilot.press("enter")
        await settle(app, pilot)
        clock.set("2026-11-28 10:40")  # and forward again, past the late mark
        await settle(app, pilot, 1.3)
        assert clock_text(app) == "10:40:00"
        app.signin.query_one("#scan", Input).value = "A1002"
        await pilot.press("enter")
        await settle(app, pilot)
        clock.set("2026-11-29 08:00")  # a step across midnight: the next day's (empty) plan
        await settle(app, pilot, 1.3)
        assert app.signin.plan.today == () and "29" in date_text(app)
    events = {e.staff_key: (e.at, e.result) for e in SignInEvent.select()}
    assert events["A1001"] == (wall("2026-11-28 08:50"), "present")
    assert events["A1002"] == (wall("2026-11-28 10:40"), "late")
