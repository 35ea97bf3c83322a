"""FINDINGS #38 on the real kiosk screen under Pilot: a keyboard in 全角 mode types ``Ａ１００１``
and Enter; the person is signed in (and a burst of two full-width scans is two sign-ins)."""

from __future__ import annotations

from textual.widgets import Input

from db.models import Attendance, SignInEvent
from kiosk import cards
from kiosk.ui.widgets.result_banner import ResultBanner
from tests.conftest import make_office
from tests.test_trust_fullwidth import wide
from tests.ui.kiosk_office import kiosk, ready


async def test_full_width_ids_and_cards_sign_in_on_the_kiosk_screen(db, home):
    ids = make_office(db)
    cards.bind(db, "B2001", "0169552957", kiosk_id="admin")
    app, _ = kiosk(db, home)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press(*"Ａ１００１", "enter")
        await pilot.pause()
        banner = app.signin.query_one(ResultBanner)
        assert "张 三" in banner.text and "签到成功" in banner.text and banner.has_class("-ok")
        assert app.signin.query_one("#scan", Input).value == ""
        # a burst: a lower-case full-width ID, then a full-width card number, one scan per Enter
        await pilot.press(*"ａ１００２", "enter", *wide("3D2C1B0A"), "enter")
        await pilot.pause()
        assert "王 五" in app.signin.query_one(ResultBanner).text
    rows = {(r.staff_id, r.status, r.method) for r in
            Attendance.select().where(Attendance.session == ids["morning"],
                                      Attendance.signed_in_at.is_null(False))}
    assert rows == {("A1001", "present", "id"), ("A1002", "present", "id"),
                    ("B2001", "present", "card")}
    events = [(e.result, e.staff_key) for e in
              SignInEvent.select().where(SignInEvent.kiosk_id == "test-kiosk").order_by(SignInEvent.seq)]
    assert events == [("present", "A1001"), ("present", "A1002"), ("present", "B2001")]
