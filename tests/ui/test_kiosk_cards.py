"""Work cards on the real kiosk screen under Pilot: a reader types the number and Enter."""

from __future__ import annotations

from textual.widgets import Input

from db import live
from db.models import Attendance, SignInEvent
from kiosk import cards
from kiosk.ui.widgets.host_recent import method_text
from kiosk.ui.widgets.result_banner import ResultBanner
from tests.conftest import make_office
from tests.ui.kiosk_office import kiosk, ready


def bind_card(db, staff_id: str, number: str) -> None:
    cards.bind(db, staff_id, number, kiosk_id="admin")


async def test_a_card_typed_by_a_reader_signs_its_holder_in(db, home):
    ids = make_office(db)
    bind_card(db, "B2001", "0169552957")
    app, _ = kiosk(db, home)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press(*"3D2C1B0A", "enter")  # a Mifare reader: hex, bytes reversed
        await pilot.pause()
        banner = app.signin.query_one(ResultBanner)
        assert "王 五" in banner.text and "签到成功" in banner.text and banner.has_class("-ok")
        assert app.signin.query_one("#scan", Input).value == ""
        await pilot.press(*"0169552957", "enter", *"A1002", "enter")  # a burst: two scans
        await pilot.pause()
        assert "李 四" in app.signin.query_one(ResultBanner).text
    row = Attendance.get(session=ids["morning"], staff="B2001")
    assert (row.status, row.method) == ("present", "card")
    methods = [(e.method, e.result, e.staff_key, e.input) for e in
               SignInEvent.select().where(SignInEvent.kiosk_id == "test-kiosk").order_by(SignInEvent.seq)]
    assert methods == [("card", "present", "B2001", "******2957"),
                       ("card", "already", "B2001", "******2957"),
                       ("id", "present", "A1002", "")]
    latest = live.recent_signins(ids["morning"])  # the host's latest list
    assert {(r.name, r.method, r.result) for r in latest} >= {("王五", "card", "present"),
                                                              ("李四", "id", "present")}
    assert method_text("card") == "刷卡"


async def test_qr_only_kiosk_takes_cards_and_cards_off_refuses_them(db, home):
    make_office(db)
    bind_card(db, "A1001", "0169552957")
    app, _ = kiosk(db, home, qr_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press(*"A1002", "enter")
        await pilot.pause()
        assert "刷卡" in app.signin.query_one(ResultBanner).text  # "QR badges and work cards only"
        await pilot.press(*"169552957", "enter")
        await pilot.pause()
        assert "张 三" in app.signin.query_one(ResultBanner).text
    app, _ = kiosk(db, home, cards_enabled=False, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press(*"0A1B2C3D", "enter")
        await pilot.pause()
        banner = app.signin.query_one(ResultBanner)
        assert "work cards" in banner.text and banner.has_class("-bad") and app.bells == 1
    assert SignInEvent.select().where(SignInEvent.reason == "card_disabled").count() == 1
