"""FINDINGS #30 on the real kiosk screen under Pilot: a keyboard-wedge device sending junk (a
long run with no Enter) stops filling the scan field one character past the rules' limit; the
Enter that ends it is one refusal (too long), and the next scan is read as itself."""

from __future__ import annotations

from textual.widgets import Input

from db.models import SignInEvent
from kiosk.rules import MAX_INPUT
from kiosk.ui.widgets.result_banner import ResultBanner
from tests.conftest import make_office
from tests.ui.kiosk_office import kiosk


async def test_a_junk_run_stops_at_the_limit_and_is_refused_once(db, home):
    make_office(db)
    app, _ = kiosk(db, home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.press(*("Z" * 280))
        await pilot.pause()
        field = app.signin.query_one("#scan", Input)
        assert len(field.value) == MAX_INPUT + 1  # full: the other keys were dropped, not typed
        await pilot.press("enter", *"A1001", "enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert "张 三" in app.signin.query_one(ResultBanner).text and field.value == ""
    events = [(e.result, e.reason, e.staff_key, len(e.input or "")) for e in
              SignInEvent.select().where(SignInEvent.kiosk_id == "test-kiosk").order_by(SignInEvent.seq)]
    assert [e[:3] for e in events] == [("rejected", "invalid_input", None), ("present", "", "A1001")]
    assert events[0][3] <= 121  # the stored copy is the capped, sanitised one
