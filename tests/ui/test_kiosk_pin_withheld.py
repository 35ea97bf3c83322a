"""FINDINGS #28 on the real kiosk screen under Pilot: the admin PIN typed into the scan field
(the PIN dialog had closed itself while locked) is refused like any unknown input, but never
stored — not in the event log (nor masked as a card), not in the file log, not in an export."""

from __future__ import annotations

import logging

from db.models import SignInEvent
from kiosk.ui.widgets.result_banner import ResultBanner
from tests.conftest import make_office
from tests.ui.kiosk_office import PIN, kiosk, ready


async def test_the_admin_pin_typed_as_a_scan_is_refused_and_never_stored(db, home, caplog):
    make_office(db)
    app, _ = kiosk(db, home)
    long_pin = "0169552957"  # a PIN that reads as a card number: not even its last 4 digits stay
    caplog.set_level(logging.DEBUG, logger="kiosk")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press(*PIN, "enter", *"000004", "enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert app.signin.query_one(ResultBanner).has_class("-bad")
        from kiosk import pin
        pin.set_pin(home, long_pin)
        await pilot.press(*long_pin, "enter", *"A1001", "enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert "张 三" in app.signin.query_one(ResultBanner).text
    events = [(e.result, e.reason, e.staff_key, e.input) for e in
              SignInEvent.select().where(SignInEvent.kiosk_id == "test-kiosk").order_by(SignInEvent.seq)]
    assert events[0] == ("rejected", "unknown_staff", None, "")       # the PIN: refused, not kept
    assert events[1] == ("rejected", "unknown_staff", None, "000004")  # a wrong number is kept
    assert events[2][:2] == ("rejected", "unknown_staff") and events[2][3] == ""
    assert events[3][:3] == ("present", "", "A1001")
    assert PIN not in caplog.text and "2957" not in caplog.text
