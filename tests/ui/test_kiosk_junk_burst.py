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


async def test_a_100_kb_burst_in_one_write_is_dropped_as_it_arrives_and_the_next_scan_is_itself(db, home):
    """The burst as a terminal delivers it (one write, the real parser and driver): keys past
    RUN_LIMIT in a run with no Enter never reach the UI loop; its Enter and the scan after it do.
    (100 KB + Enter + A1001 answered 14.0 s → 1.3 s on a loaded 2-core machine; see the commit.)"""
    from kiosk.ui.safe_app import RUN_LIMIT
    from tests.ui.bursts import settled, type_burst

    make_office(db)
    app, _ = kiosk(db, home)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        posted = []
        send = app._send_to_app  # what the driver's input thread hands to the UI loop
        app._send_to_app = lambda message: (posted.append(message), send(message))
        type_burst(app, "A" * 100_000 + "\r" + "Z" * (RUN_LIMIT + 5) + "\rA1001\r")
        await settled(app, pilot, rounds=6)
        assert "张 三" in app.signin.query_one(ResultBanner).text
        assert len(posted) == 2 * RUN_LIMIT + len("\r\rA1001\r")  # the rest never became a task
    events = [(e.result, e.reason, e.staff_key) for e in
              SignInEvent.select().where(SignInEvent.kiosk_id == "test-kiosk").order_by(SignInEvent.seq)]
    assert events == [("rejected", "invalid_input", None), ("rejected", "invalid_input", None),
                      ("present", "", "A1001")]
